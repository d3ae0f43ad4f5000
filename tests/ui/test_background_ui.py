"""The background on the chart, through real widgets, and its answers in the visit editor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPushButton

pytestmark = pytest.mark.gui


def _type(qtbot, table, row, column, text):
    table.setCurrentCell(row, column)
    item = table.item(row, column)
    item.setText(text)  # the same itemChanged signal a typed edit ends with


def test_the_background_is_entered_on_the_chart_and_the_visit_sees_it(qtbot, window, records, zoe):
    window.open_patient(zoe.id)
    dialog = window.chart.background_dialog()
    meds = dialog.medications
    qtbot.mouseClick(meds.findChild(QPushButton, "background_medications_add"), Qt.MouseButton.LeftButton)
    _type(qtbot, meds.table, 0, 0, "Prednisolone")
    _type(qtbot, meds.table, 0, 1, "5 mg")
    _type(qtbot, meds.table, 0, 2, "once daily")
    assert meds.findChild(QCheckBox, "background_flag_corticosteroid").isChecked()  # suggested from the name
    conditions = dialog.conditions
    qtbot.mouseClick(conditions.findChild(QPushButton, "background_conditions_add"), Qt.MouseButton.LeftButton)
    _type(qtbot, conditions.table, 0, 0, "Thin bones")
    osteoporosis = conditions.findChild(QCheckBox, "background_flag_osteoporosis")
    assert not osteoporosis.isChecked()
    osteoporosis.click()  # the clinician ticks a flag the text did not suggest
    _type(qtbot, conditions.table, 0, 1, "m81.0")
    allergies = dialog.allergies
    qtbot.mouseClick(allergies.findChild(QPushButton, "background_allergies_add"), Qt.MouseButton.LeftButton)
    _type(qtbot, allergies.table, 0, 0, "Penicillin")
    qtbot.mouseClick(dialog.findChild(QPushButton, "background_save"), Qt.MouseButton.LeftButton)
    stored = records.background(zoe.id)[1]
    assert [(m.name, m.dose, m.frequency, m.flags) for m in stored.medications] == [
        ("Prednisolone", "5 mg", "once daily", ("corticosteroid",))]
    assert [(c.text, c.icd10, c.flags) for c in stored.conditions] == [("Thin bones", "M81.0", ("osteoporosis",))]
    assert [a.substance for a in stored.allergies] == ["Penicillin"]
    assert "Prednisolone" in window.chart.background_summary.text()

    window.chart.new_visit()
    editor = window.editor
    note = editor.findings.background_notes["long_term_corticosteroids"]
    assert note.isVisibleTo(editor) and note.text().startswith("Yes — from background (Prednisolone)")
    assert "long_term_corticosteroids" not in editor.intake().get("findings", {})  # an answer of the background
    all_negative = editor.findings.findChild(QPushButton, "screen_all_negative_fracture")
    qtbot.mouseClick(all_negative, Qt.MouseButton.LeftButton)
    findings = editor.intake()["findings"]
    assert "osteoporosis" not in findings and "long_term_corticosteroids" not in findings  # never a "no" over it
    assert findings["major_trauma"] is False
    # overriding for this visit
    qtbot.mouseClick(editor.findings.widgets["osteoporosis"].buttons[2], Qt.MouseButton.LeftButton)
    assert editor.intake()["findings"]["osteoporosis"] is False
    assert "this visit: no" in editor.findings.background_notes["osteoporosis"].text()


def test_a_bad_code_is_shown_in_one_line_and_nothing_is_lost(qtbot, window, records, zoe):
    window.open_patient(zoe.id)
    dialog = window.chart.background_dialog()
    qtbot.mouseClick(dialog.conditions.findChild(QPushButton, "background_conditions_add"), Qt.MouseButton.LeftButton)
    _type(qtbot, dialog.conditions.table, 0, 0, "Type 2 diabetes")
    _type(qtbot, dialog.conditions.table, 0, 1, "not a code")
    assert dialog.conditions.findChild(QCheckBox, "background_flag_diabetes").isChecked()
    assert dialog.save() is False
    assert "ICD-10-CM" in dialog.problem.text() and dialog.problem.isVisibleTo(dialog)
    assert dialog.conditions.texts(0) == ["Type 2 diabetes", "not a code"]
    assert records.background(zoe.id)[0].version == 0
