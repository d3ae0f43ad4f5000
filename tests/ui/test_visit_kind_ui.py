"""A patient's first visit defaults to the initial evaluation, later ones to follow-up."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def test_first_visit_initial_then_follow_up_never_the_previous_patients(qtbot, window, records, zoe, patient):
    window.open_patient(zoe.id)
    chart = window.chart
    assert chart.kind.currentData() == "initial_evaluation"
    qtbot.mouseClick(chart.findChild(type(chart.open_button), "new_visit_button"), Qt.MouseButton.LeftButton)
    first = records.visits.history(zoe.id)[0]
    assert first.kind == "initial_evaluation"
    window.editor.close_visit()
    assert chart.kind.currentData() == "follow_up"  # Zoë has a visit now
    qtbot.mouseClick(chart.findChild(type(chart.open_button), "new_visit_button"), Qt.MouseButton.LeftButton)
    assert records.visits.history(zoe.id)[0].kind == "follow_up"
    window.editor.close_visit()
    window.open_patient(patient.id)  # a brand-new patient: not Zoë's follow-up
    assert chart.kind.currentData() == "initial_evaluation"
    window.open_patient(zoe.id)
    assert chart.kind.currentData() == "follow_up"
