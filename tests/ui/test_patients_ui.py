"""Patient list, search as you type, the patient dialog and the chart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ptassist.ui.patient_dialog import PatientDialog
from tests.helpers import TEST_PASSWORD

pytestmark = pytest.mark.gui


def test_empty_state_tells_a_new_user_what_to_do(window):
    assert window.patients.stack.currentWidget() is window.patients.empty


def test_search_as_you_type_and_open_with_enter(qtbot, window, records, zoe):
    records.patients.add(family_name="Smith", given_name="Jo", date_of_birth="1970-01-01")
    window.show_patients()
    qtbot.keyClicks(window.patients.search, "zoe")
    qtbot.waitUntil(lambda: [p.id for p in window.patients.model.patients] == [zoe.id], timeout=2000)
    with qtbot.waitSignal(window.patients.patient_opened) as opened:
        qtbot.keyClick(window.patients.search, Qt.Key.Key_Return)
    assert opened.args == [zoe.id]
    assert window.stack.currentWidget() is window.chart
    assert "Müller, Zoë" in window.chart.header.text()


def test_no_match_state(qtbot, window, zoe):
    qtbot.keyClicks(window.patients.search, "nobody-like-this")
    qtbot.waitUntil(lambda: window.patients.stack.currentWidget() is window.patients.no_match, timeout=2000)


def test_new_patient_dialog_accept_path(qtbot, records):
    dialog = PatientDialog(records)
    qtbot.addWidget(dialog)
    dialog.fields["family_name"].setText("Иванова")
    dialog.fields["given_name"].setText("Ольга")
    dialog.dob.edit.setText("1980-03-07")
    dialog.fields["email"].setText("olga@example.org")
    dialog.accept()
    assert dialog.result() == PatientDialog.DialogCode.Accepted
    assert dialog.saved is not None and records.patients.search("ольга")[0].id == dialog.saved.id


def test_new_patient_dialog_names_the_bad_field_and_keeps_input(qtbot, records):
    dialog = PatientDialog(records)
    qtbot.addWidget(dialog)
    dialog.fields["family_name"].setText("Okafor")
    dialog.fields["given_name"].setText("Chidi")
    dialog.dob.edit.setText("1979-05-02")
    dialog.fields["email"].setText("not-an-email")
    dialog.accept()
    assert dialog.result() != PatientDialog.DialogCode.Accepted
    assert "email" in dialog.error.text()
    assert dialog.fields["family_name"].text() == "Okafor"
    assert records.patients.count() == 0


def test_new_patient_dialog_cancel_path(qtbot, records):
    dialog = PatientDialog(records)
    qtbot.addWidget(dialog)
    dialog.fields["family_name"].setText("Okafor")
    dialog.reject()
    assert dialog.result() == PatientDialog.DialogCode.Rejected
    assert records.patients.count() == 0


def test_chart_shows_timeline_and_trend(window, records, zoe):
    intake = {"format": "ptassist-intake/1", "side": "left", "findings": {"saddle_sensory_change": True}}
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=intake)
    records.save_draft(visit, measures={"NPRS": {"value": 7}})
    window.open_patient(zoe.id)
    assert window.chart.timeline.rowCount() == 1
    assert window.chart.timeline.item(0, 4).text() == "EMERGENCY"  # words, not colour alone
    assert list(window.chart.chart.series) == ["NPRS"]
    assert [value for _day, value in window.chart.chart.series["NPRS"]] == [7.0]
    assert window.chart.chart.verdicts == {}  # one score: a baseline, no verdict yet


def test_the_trend_says_whether_a_change_passes_the_mcid(window, records, zoe):
    scores = [({"NPRS": {"value": 7}, "LEFS": {"items": [2] * 20}}, "2026-03-01"),
              ({"NPRS": {"value": 6}, "LEFS": {"items": [3] * 20}}, "2026-03-15"),
              ({"NPRS": {"value": 3}, "LEFS": {"items": [2] * 19 + [1]}}, "2026-04-01")]
    for measures, day in scores:
        visit = records.new_visit(zoe.id, "follow_up", visit_time=f"{day}T12:00:00+00:00")  # same local day anywhere
        records.save_draft(visit, measures=measures)
        records.sign(visit.id, TEST_PASSWORD)
    window.open_patient(zoe.id)
    trend = window.chart.chart
    assert trend.series["NPRS"] == [("2026-03-01", 7.0), ("2026-03-15", 6.0), ("2026-04-01", 3.0)]
    assert trend.verdicts["NPRS"] == "▲ better by 4 points: beyond the MCID"  # 2 points or 30% (REFERENCE.md)
    assert trend.verdicts["LEFS"] == "▼ worse by 1 point"
    assert "NPRS: 7 → 6 → 3 (▲ better by 4 points: beyond the MCID)" in trend.accessibleDescription()
