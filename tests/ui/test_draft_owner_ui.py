"""One owner of a draft: printing never makes the editor stale; a real conflict keeps both versions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ptassist.services.records import Records
from ptassist.ui.print_dialog import PrintDialog
from tests.helpers import TEST_PASSWORD, past_lease_timeout
from tests.ui.modal import answer_next, type_password

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(window, records, zoe, settings):
    window.open_patient(zoe.id)
    window.chart.new_visit()
    assert window.stack.currentWidget() is window.editor
    return window.editor


@pytest.fixture
def other_desk(records):
    """A second connection to the same records, as another workstation has (one whose clock is past
    this one's lease timeout, so it may save the draft open here and a conflict can happen)."""
    second = past_lease_timeout(Records.open(records.database.folder, daily_backup=False))
    yield second
    second.close()


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_yes(qtbot, editor, finding):
    click(qtbot, editor.findings.widgets[finding].buttons[1])


def prescribe_bridge(qtbot, dialog: PrintDialog) -> None:
    """In the print dialog, as a user: pick Bridge in the library, Add, build the preview, Close."""
    builder = dialog.builder
    assert builder is not None
    builder.search.setText("Bridge")
    builder.available.setCurrentRow(0)
    assert builder.available.currentItem().text().endswith("Bridge")
    click(qtbot, dialog.findChild(type(dialog.pane.save_button), "add_exercise_button"))
    dialog.build_now()
    assert "page(s)" in dialog.pane.status.text()
    dialog.accept()


def test_print_then_edit_then_sign(qtbot, editor, records):
    click_yes(qtbot, editor, "noble_test")
    answer_next(lambda dialog: prescribe_bridge(qtbot, dialog))
    click(qtbot, editor.print_buttons[0])  # Programme…: the print dialog saves the prescription
    assert records.visits.get(editor.visit.id).prescription[-1]["exercise"] == "bridge"
    assert editor.visit.version == records.visits.get(editor.visit.id).version  # the editor is not stale

    click_yes(qtbot, editor, "ober_test")
    editor.narrative["plan"].setPlainText("Hip abductor strengthening.")
    assert editor.save_now()
    assert "Saved" in editor.saved_label.text()
    stored = records.visits.get(editor.visit.id)
    assert stored.intake["findings"] == {"noble_test": True, "ober_test": True}
    assert stored.prescription[-1]["exercise"] == "bridge"  # the editor's save kept the programme

    asked = answer_next(type_password(TEST_PASSWORD))
    click(qtbot, editor.sign_button)
    assert asked.seen == ["password_dialog"]
    signed = records.visits.get(stored.id)
    assert signed.signed and signed.signed_by == "Alex Carter"
    assert signed.narrative["plan"] == "Hip abductor strengthening."


def test_a_conflict_names_who_and_keeps_both_by_default(qtbot, editor, records, other_desk):
    visit_id = editor.visit.id
    theirs = other_desk.visits.get(visit_id)
    other_desk.save_draft(theirs, actor="Dr Ana Ruiz", narrative={"plan": "Their plan"})
    editor.narrative["subjective"].setPlainText("Typed here")
    answered = answer_next("conflict_keep_both")
    assert editor.save_now()
    assert answered.seen == ["conflict_dialog"]
    assert "Dr Ana Ruiz" in answered.texts[0]
    assert answered.defaults == ["Save mine as a new draft"]  # the default keeps the user's work
    mine = records.visits.get(editor.visit.id)
    assert mine.id != visit_id and mine.status == "draft" and mine.patient_id == theirs.patient_id
    assert mine.narrative["subjective"] == "Typed here"
    assert records.visits.get(visit_id).narrative == {"plan": "Their plan"}  # theirs is kept as it was
    editor.narrative["objective"].setPlainText("Went on typing")
    assert editor.save_now()  # the new draft is the session's now: no further conflict
    assert records.visits.get(mine.id).narrative["objective"] == "Went on typing"


def test_a_conflict_can_load_theirs_with_my_changes_shown(qtbot, editor, records, other_desk):
    visit_id = editor.visit.id
    other_desk.save_draft(other_desk.visits.get(visit_id), actor="Dr Ana Ruiz", narrative={"plan": "Their plan"})
    click_yes(qtbot, editor, "noble_test")
    editor.narrative["subjective"].setPlainText("Typed here")
    answer_next("conflict_load_theirs")
    assert not editor.save_now()
    assert editor.narrative["plan"].toPlainText() == "Their plan"
    assert editor.narrative["subjective"].toPlainText() == ""
    assert editor.unsaved_box.isVisibleTo(editor)
    shown = editor.unsaved_box.text.toPlainText()
    assert "Typed here" in shown and "Noble" in shown
    editor.narrative["assessment"].setPlainText("Now on their version")
    assert editor.save_now()
    assert records.visits.get(visit_id).narrative == {"plan": "Their plan", "assessment": "Now on their version"}


def test_keep_editing_and_closing_never_default_to_discarding(qtbot, editor, records, other_desk):
    visit_id = editor.visit.id
    other_desk.save_draft(other_desk.visits.get(visit_id), actor="Dr Ana Ruiz", narrative={"plan": "Their plan"})
    editor.narrative["subjective"].setPlainText("Typed here")
    answer_next("conflict_keep_editing")
    assert not editor.save_now()
    assert editor.narrative["subjective"].toPlainText() == "Typed here"
    editor.narrative["subjective"].setPlainText("Typed here, and more")
    closing = answer_next("conflict_keep_editing", "keep_editing_button")
    click(qtbot, editor.findChild(type(editor.sign_button), "close_visit_button"))
    assert closing.seen == ["conflict_dialog", "unsaved_close_dialog"]
    assert closing.defaults == ["Save mine as a new draft", "Keep editing"]
    assert "Dr Ana Ruiz changed this visit" in closing.texts[1]  # says what closing would lose, truly
    assert editor.visit is not None and editor.visit.id == visit_id  # still open, nothing lost
    assert editor.narrative["subjective"].toPlainText() == "Typed here, and more"
    answer_next("conflict_keep_both")
    assert editor.save_now()  # and then both versions are kept
    assert records.visits.get(editor.visit.id).narrative == {"subjective": "Typed here, and more"}


def test_signing_a_draft_changed_elsewhere_is_refused_not_lost(qtbot, editor, records, other_desk):
    click_yes(qtbot, editor, "noble_test")
    assert editor.save_now()
    other_desk.save_draft(other_desk.visits.get(editor.visit.id), actor="Dr Ana Ruiz",
                          narrative={"plan": "Their plan"})
    visit_id = editor.visit.id
    answered = answer_next(type_password(TEST_PASSWORD), "conflict_keep_both")
    click(qtbot, editor.sign_button)
    assert answered.seen[-1] == "conflict_dialog" and "Dr Ana Ruiz" in answered.texts[-1]
    assert records.visits.get(visit_id).status == "draft"  # nothing signed over their change
    assert records.visits.get(visit_id).narrative == {"plan": "Their plan"}
    mine = records.visits.get(editor.visit.id)
    assert mine.id != visit_id and mine.intake["findings"] == {"noble_test": True}  # mine, ready to sign


def test_a_programme_that_cannot_be_saved_keeps_the_dialog_open_once(qtbot, records, zoe, other_desk):
    visit = records.new_visit(zoe.id, "initial_evaluation")
    dialog = PrintDialog(records, visit.id, "hep", auto_build=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.builder.add("bridge")
    other_desk.save_draft(other_desk.visits.get(visit.id), actor="Dr Ana Ruiz", narrative={"plan": "Their plan"})
    warned = answer_next(QMessageBox.StandardButton.Ok)
    dialog.reject()  # Escape or Close
    assert dialog.isVisible() and "Dr Ana Ruiz" in warned.texts[0]
    assert [row["exercise"] for row in dialog.builder.rows] == ["bridge"]  # still there to act on
    answer_next(QMessageBox.StandardButton.Ok)
    dialog.reject()
    assert not dialog.isVisible()
    assert records.visits.get(visit.id).narrative == {"plan": "Their plan"}  # nothing overwritten
