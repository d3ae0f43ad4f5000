"""The visit editor: widgets in, live checklist out, autosave, signing, addenda, recovery."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from ptassist.ui.main_window import MainWindow
from ptassist.ui.session import SESSION_KEY
from tests.helpers import TEST_PASSWORD
from tests.ui.modal import answer_next, type_password

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(window, records, zoe):
    window.open_patient(zoe.id)
    window.chart.new_visit()
    assert window.stack.currentWidget() is window.editor
    return window.editor


def click_yes(qtbot, editor, finding):
    qtbot.mouseClick(editor.findings.widgets[finding].buttons[1], Qt.MouseButton.LeftButton)


def test_filling_the_intake_through_widgets_updates_the_checklist(qtbot, editor):
    editor.side.setCurrentIndex(editor.side.findData("right"))
    editor.body_chart.toggle("lateral_knee")
    for finding in ("noble_test", "lateral_epicondyle_tenderness", "pain_at_predictable_point_in_activity"):
        click_yes(qtbot, editor, finding)
    assert editor.intake()["findings"]["noble_test"] is True
    assert editor.checklist.assessment["working_diagnosis"] == ["itbs"]
    assert "Working diagnosis: Iliotibial band syndrome" in editor.checklist.toPlainText()
    assert not editor.banner.isVisible()


def test_a_cauda_equina_picture_raises_the_emergency_banner(qtbot, editor):
    editor.body_chart.toggle("low_back")
    click_yes(qtbot, editor, "saddle_sensory_change")
    assert editor.banner.isVisible()
    assert "EMERGENCY: Cauda equina syndrome suspected" in editor.banner.text.text()
    assert editor.checklist.assessment["urgency"] == "emergency"
    shown = editor.checklist.toPlainText()
    assert "Because: Saddle sensory change" in shown
    assert "bladder_dysfunction" not in shown and "strength." not in shown  # clinical names, not ids


def test_not_assessed_and_negative_differ_in_the_intake(qtbot, editor):
    qtbot.mouseClick(editor.findings.widgets["slr"].buttons[2], Qt.MouseButton.LeftButton)
    assert editor.intake()["findings"] == {"slr": False}
    qtbot.mouseClick(editor.findings.widgets["slr"].buttons[0], Qt.MouseButton.LeftButton)
    assert "findings" not in editor.intake()


def test_assess_next_links_jump_to_the_field(qtbot, editor):
    editor.jump_to("strength.ehl")
    assert editor.neuro.grades["ehl"].hasFocus() or editor.focusWidget() is editor.neuro.grades["ehl"]


def test_changes_autosave_within_two_seconds(qtbot, editor, records):
    start_version = editor.visit.version
    editor.narrative["subjective"].setPlainText("Runs 30 km a week; pain at 4 km.")
    qtbot.waitUntil(lambda: editor.saved_label.text().startswith("Saved "), timeout=2000)
    stored = records.visits.get(editor.visit.id)
    assert stored.version > start_version
    assert stored.narrative["subjective"] == "Runs 30 km a week; pain at 4 km."


def test_sign_locks_the_visit_and_addenda_follow(qtbot, editor, records):
    asked: list[str] = []

    def read_and_type(dialog):
        asked.append(dialog.findChild(QLabel, "password_question").text())
        type_password(TEST_PASSWORD)(dialog)

    click_yes(qtbot, editor, "noble_test")
    answer_next(read_and_type)
    editor.sign()
    assert "Alex Carter" in asked[0]  # the question names the logged-in clinician
    visit = records.visits.get(editor.visit.id)
    assert visit.signed and visit.signed_by == "Alex Carter"
    assert not editor.form_widget.isEnabled()
    assert editor.addendum_button.isVisible() and not editor.sign_button.isVisible()
    answer_next(type_password(TEST_PASSWORD))
    editor.add_addendum("Late entry: phoned, settling.")
    assert records.visits.addenda(visit.id)[0].text == "Late entry: phoned, settling."
    assert "Late entry" in editor.addenda.item(0).text()


def test_sign_cancel_leaves_the_draft(qtbot, editor, records):
    answer_next(type_password(TEST_PASSWORD, cancel=True))
    editor.sign()
    assert records.visits.get(editor.visit.id).status == "draft"


def test_a_draft_is_reopened_intact_after_a_crash(qtbot, editor, records, settings):
    editor.narrative["plan"].setPlainText("Hip strengthening; review in 2 weeks.")
    click_yes(qtbot, editor, "noble_test")
    qtbot.waitUntil(lambda: editor.saved_label.text().startswith("Saved "), timeout=2000)
    visit_id = editor.visit.id
    assert settings.value(SESSION_KEY) is not None  # no clean close: as after a crash
    reopened = MainWindow(records, settings)
    qtbot.addWidget(reopened)
    assert reopened.reopen_unfinished_draft()
    assert reopened.editor.visit.id == visit_id
    assert reopened.editor.narrative["plan"].toPlainText() == "Hip strengthening; review in 2 weeks."
    assert reopened.editor.findings.widgets["noble_test"].value is True


def focus_chain(editor, start, presses):
    """Object names of the widgets that take the focus as Tab is pressed ``presses`` times from ``start``."""
    start.setFocus()
    seen = []
    for _ in range(presses):
        widget = QApplication.focusWidget()
        seen.append(widget.objectName())
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    return seen


def test_tab_walks_the_intake_in_order_without_traps(qtbot, editor):
    editor.window().activateWindow()
    chain = focus_chain(editor, editor.side, 220)
    landmarks = ["intake_side", "body_chart", "finding_noble_test_unknown", "strength_ehl", "reflex_achilles",
                 "rm_direction", "measure_nprs", "measure_psfs_score_3", "narrative_subjective", "narrative_plan",
                 "checklist_panel", "sign_button"]
    positions = [chain.index(name) for name in landmarks]
    assert positions == sorted(positions), list(zip(landmarks, positions, strict=True))
    # Each finding is one stop (arrow keys choose within it), and notes hand Tab on instead of typing it.
    assert chain.count("finding_noble_test_unknown") == 1
    assert chain[chain.index("narrative_subjective") + 1] == "narrative_objective"


def test_the_body_chart_is_marked_by_keyboard(qtbot, editor):
    editor.window().activateWindow()
    chart = editor.body_chart
    chart.setFocus()
    QTest.keyClick(chart, Qt.Key.Key_Space)  # starts on the lateral knee
    QTest.keyClick(chart, Qt.Key.Key_Right)
    QTest.keyClick(chart, Qt.Key.Key_Space)
    QTest.keyClick(chart, Qt.Key.Key_Space)
    assert chart.symptom_list() == [{"region": "lateral_knee", "kind": "pain", "side": "left"},
                                    {"region": "lateral_leg", "kind": "paraesthesia", "side": "left"}]
    assert "Current region: Lateral leg" in chart.accessibleDescription()
    assert editor.intake()["symptoms"][0]["region"] == "lateral_knee"


def _wheel_down(widget):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_form_over_a_field_without_changing_it(qtbot, window, editor):
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

    window.resize(1000, 600)
    qtbot.waitUntil(lambda: editor.form_scroll.verticalScrollBar().maximum() > 0)
    bar = editor.form_scroll.verticalScrollBar()
    combos = [c for c in editor.form_widget.findChildren(QComboBox) if c.isEnabled() and c.count() > 2]
    spins = [s for s in editor.form_widget.findChildren(QAbstractSpinBox) if s.isEnabled()]
    assert combos and spins
    for field in (combos[0], spins[0]):
        before_value = field.currentIndex() if isinstance(field, QComboBox) else field.text()
        before_scroll = bar.value()
        _wheel_down(field)
        after_value = field.currentIndex() if isinstance(field, QComboBox) else field.text()
        assert after_value == before_value  # scrolling past a field never changes it
        assert bar.value() > before_scroll or bar.value() == bar.maximum()
        bar.setValue(0)
    combos[0].setFocus()  # a field the clinician chose takes the wheel as usual
    qtbot.waitUntil(combos[0].hasFocus)
    index = combos[0].currentIndex()
    _wheel_down(combos[0])
    assert combos[0].currentIndex() != index
