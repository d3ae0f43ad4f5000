"""The visit's time, goals, plan of care, interventions and consent, through the editor's widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton

from ptassist.core.records import ClinicSettings

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(window, records, zoe):
    records.settings.save(ClinicSettings(time_zone="Pacific/Auckland"), "t")
    window.open_patient(zoe.id)
    window.chart.new_visit()
    return window.editor


def test_every_care_field_is_saved_from_its_widget(qtbot, editor, records):
    form = editor.care_form
    form.visit_time.setDateTime(QDateTime.fromString("2026-03-01T09:30:00", Qt.DateFormat.ISODate))
    qtbot.mouseClick(form.findChild(QPushButton, "add_short_goal"), Qt.MouseButton.LeftButton)
    form.goals.item(0, 1).setText("Run 5 km pain-free")
    form.goals.item(0, 2).setText("2026-04-01")
    qtbot.mouseClick(form.findChild(QPushButton, "add_long_goal"), Qt.MouseButton.LeftButton)
    form.goals.item(1, 1).setText("Half-marathon")
    qtbot.keyClicks(form.frequency, "2 x per week")
    qtbot.keyClicks(form.duration, "6 weeks")
    form.findChild(QCheckBox, "planned_therapeutic_exercise").click()
    form.findChild(QCheckBox, "delivered_manual_therapy").click()
    qtbot.keyClicks(form.delivered_notes, "Soft-tissue work")
    consent = form.findChild(QComboBox, "consent_given")
    consent.setCurrentIndex(consent.findData(True))
    qtbot.keyClicks(form.consent_by, "the patient")
    assert editor.save_now()
    stored = records.visits.get(editor.visit.id)
    assert stored.visit_time == "2026-02-28T20:30:00+00:00"  # 09:30 in Auckland
    assert stored.care["goals"] == [{"term": "short", "text": "Run 5 km pain-free", "target_date": "2026-04-01"},
                                    {"term": "long", "text": "Half-marathon"}]
    assert stored.care["plan_of_care"] == {"frequency": "2 x per week", "duration": "6 weeks",
                                           "interventions": ["therapeutic_exercise"]}
    assert stored.care["session"] == {"interventions": ["manual_therapy"], "notes": "Soft-tissue work"}
    assert stored.care["consent"] == {"given": True, "by": "the patient"}
    editor.open_visit(stored.id)  # shown again as stored
    assert form.visit_time.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-01 09:30"
    assert form.findChild(QCheckBox, "delivered_manual_therapy").isChecked()


def test_a_time_before_birth_is_refused_at_the_field_and_the_rest_is_saved(qtbot, editor, records):
    form = editor.care_form
    form.visit_time.setDateTime(QDateTime.fromString("1970-01-01T09:00:00", Qt.DateFormat.ISODate))
    qtbot.keyClicks(form.frequency, "weekly")
    assert editor.save_now() is False
    assert "before the patient's date of birth" in form.problem.text() and form.problem.isVisibleTo(editor)
    stored = records.visits.get(editor.visit.id)
    assert stored.care["plan_of_care"] == {"frequency": "weekly"}
    assert not stored.visit_time.startswith("1970")
