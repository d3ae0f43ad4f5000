"""Validation never blocks saving the rest: a refused field is marked and kept, everything else is saved."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ptassist.core.validation import MAX_TEXT
from ptassist.ui.main_window import MainWindow
from tests.helpers import TEST_PASSWORD

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(window, zoe):
    window.open_patient(zoe.id)
    window.chart.new_visit()
    return window.editor


def click_yes(qtbot, editor, finding):
    qtbot.mouseClick(editor.findings.widgets[finding].buttons[1], Qt.MouseButton.LeftButton)


def test_a_counter_shows_near_the_limit_as_you_type(qtbot, editor):
    plan, note = editor.narrative["plan"], editor.narrative_notes["plan"]
    plan.setPlainText("x" * 1000)
    assert not note.isVisibleTo(editor)
    plan.setPlainText("x" * (MAX_TEXT - 500))
    assert note.isVisibleTo(editor) and f"{MAX_TEXT - 500:,} / {MAX_TEXT:,}" in note.text()
    plan.setFocus()
    qtbot.keyClicks(plan, "y" * 501)
    assert "1 over the limit" in note.text()
    assert "#b3261e" in plan.styleSheet()  # the field itself is marked


def test_an_over_long_plan_does_not_stop_the_rest_saving(qtbot, editor, records):
    long_plan = "Walk daily. " * 2000  # 24,000 characters
    editor.narrative["plan"].setPlainText(long_plan)
    editor.narrative["subjective"].setPlainText("Pain at 4 km")
    click_yes(qtbot, editor, "noble_test")
    assert not editor.save_now()  # not everything is saved ...
    stored = records.visits.get(editor.visit.id)
    assert stored.narrative == {"subjective": "Pain at 4 km"}  # ... but everything else is
    assert stored.intake["findings"] == {"noble_test": True}
    assert "plan" in editor.saved_label.text()
    assert "not saved" in editor.narrative_notes["plan"].text()
    assert editor.narrative["plan"].toPlainText() == long_plan  # kept in the widget
    click_yes(qtbot, editor, "ober_test")  # later edits keep saving
    editor.save_now()
    assert records.visits.get(editor.visit.id).intake["findings"] == {"noble_test": True, "ober_test": True}


def test_refused_text_survives_a_crash_and_saves_once_shortened(qtbot, editor, records, settings):
    long_plan = "Walk daily. " * 2000
    editor.narrative["plan"].setPlainText(long_plan)
    qtbot.waitUntil(lambda: "except plan" in editor.saved_label.text(), timeout=3000)  # the autosave ran
    visit_id = editor.visit.id
    reopened = MainWindow(records, settings)  # no clean close: as after a crash
    qtbot.addWidget(reopened)
    assert reopened.reopen_unfinished_draft()
    again = reopened.editor
    assert again.visit.id == visit_id
    assert again.narrative["plan"].toPlainText() == long_plan
    again.narrative["plan"].setPlainText(long_plan[:MAX_TEXT - 100])
    assert again.save_now()
    assert records.visits.get(visit_id).narrative["plan"] == long_plan[:MAX_TEXT - 100].strip()
    assert not again.session.recovered()  # the recovery copy is gone once saved
    note = again.narrative_notes["plan"]
    assert "not saved" not in note.text() and "over the limit" not in note.text()  # just the counter now
    assert again.narrative["plan"].styleSheet() == ""


def test_a_control_character_marks_only_that_note(qtbot, editor, records):
    editor.narrative["objective"].setPlainText("Pasted from a PDF\x0bwith a vertical tab")
    editor.narrative["assessment"].setPlainText("Likely ITBS")
    assert not editor.save_now()
    assert records.visits.get(editor.visit.id).narrative == {"assessment": "Likely ITBS"}
    assert "control characters" in editor.narrative_notes["objective"].text()
    assert editor.narrative_notes["objective"].isVisibleTo(editor)


def test_a_refused_addendum_comes_back_to_be_corrected(qtbot, editor, records, settings):
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from tests.ui.modal import answer_next, type_password

    records.sign(editor.visit.id, TEST_PASSWORD)
    editor.open_visit(editor.visit.id)
    typed = "Late entry: " + "z" * MAX_TEXT
    offered: list[str] = []

    def read_and_cancel(dialog):
        assert isinstance(dialog, QInputDialog)
        offered.append(dialog.textValue())
        dialog.reject()

    answered = answer_next(type_password(TEST_PASSWORD), QMessageBox.StandardButton.Ok, read_and_cancel)
    editor.add_addendum(typed)
    assert "20000" in answered.texts[-1]  # why it was refused
    assert offered == [typed]  # what was typed is offered again, not dropped
    assert records.visits.addenda(editor.visit.id) == []


def test_quitting_with_a_refused_note_asks_and_keeps_it_for_the_next_start(qtbot, window, editor, records, settings):
    from ptassist.ui.session import SESSION_KEY
    from tests.ui.modal import answer_next

    long_plan = "Walk daily. " * 2000
    editor.narrative["plan"].setPlainText(long_plan)
    asked = answer_next("keep_editing_button")
    window.close()
    assert asked.seen == ["unsaved_close_dialog"] and asked.defaults == ["Keep editing"]
    assert window.isVisible()  # the default kept the window open
    answer_next("leave_anyway_button")
    window.close()
    assert not window.isVisible()
    assert settings.value(SESSION_KEY) is not None  # the next start reopens the draft ...
    again = MainWindow(records, settings)
    qtbot.addWidget(again)
    assert again.reopen_unfinished_draft()
    assert again.editor.narrative["plan"].toPlainText() == long_plan  # ... with the note as typed
    again.editor.narrative["plan"].setPlainText("Walk daily.")
    assert again.editor.save_now()
