"""The red-flag screen in the visit editor: never a green "none" before it is done; "All negative"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(window, records, zoe):
    window.open_patient(zoe.id)
    window.chart.new_visit()
    return window.editor


def all_negative(qtbot, editor, group_id):
    button = editor.findings.findChild(QPushButton, f"screen_all_negative_{group_id}")
    assert button is not None and button.isVisibleTo(editor)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_fresh_visit_says_the_screen_is_incomplete_not_none(qtbot, editor):
    editor.body_chart.toggle("lateral_knee")
    shown = editor.checklist.toPlainText()
    assert "Urgency: NOT ESTABLISHED: Red-flag screen incomplete:" in shown
    assert "treat and monitor" not in shown
    assert "Red-flag screen, not asked yet:" in shown


def test_all_negative_per_group_records_explicit_negatives_and_completes_the_screen(qtbot, editor):
    editor.body_chart.toggle("lateral_knee")
    for group in editor.findings.screen_groups:
        all_negative(qtbot, editor, group.id)
    findings = editor.intake()["findings"]
    for group in editor.findings.screen_groups:
        for item in group.items:
            key = item.key
            if key in editor.findings.widgets and editor.findings.vocabulary.findings[key].type == "bool":
                assert findings[key] is False, key
    assessment = editor.checklist.assessment
    if "age" in assessment["screen"]["not_asked"]:  # age comes from the patient's date of birth
        pytest.fail("the patient has a date of birth: age must be known")
    assert assessment["screen"]["complete"] is True
    assert "Urgency: NONE: red-flag screen complete and negative" in editor.checklist.toPlainText()


def test_all_negative_never_overwrites_a_yes(qtbot, editor):
    qtbot.mouseClick(editor.findings.widgets["minor_trauma"].buttons[1], Qt.MouseButton.LeftButton)
    all_negative(qtbot, editor, "fracture")
    findings = editor.intake()["findings"]
    assert findings["minor_trauma"] is True
    assert findings["osteoporosis"] is False and findings["long_term_corticosteroids"] is False
    assert findings["major_trauma"] is False


def test_a_partly_positive_flag_puts_its_questions_first(qtbot, editor):
    editor.body_chart.toggle("low_back")
    qtbot.mouseClick(editor.findings.widgets["minor_trauma"].buttons[1], Qt.MouseButton.LeftButton)
    first = [item["finding"] for item in editor.checklist.assessment["assess_next"][:4]]
    assert "osteoporosis" in first and "long_term_corticosteroids" in first


def test_a_visit_signed_under_rule_set_1_0_0_still_displays_truthfully(qtbot, editor):
    from ptassist.ui.checklist_panel import render_html

    current = dict(editor.checklist.assessment or {})
    old = {key: value for key, value in current.items() if key not in ("screen", "safety")}
    old["ruleset"] = {"name": "lateral-thigh-knee", "version": "1.0.0"}
    old["urgency"] = "none"
    html = render_html(old, lambda key: key)
    assert "not recorded" in html
    assert "treat and monitor" not in html
    assert "rule set 1.0.0" in html
