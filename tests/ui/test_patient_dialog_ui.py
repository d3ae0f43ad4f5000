"""The patient dialog: no pre-filled date of birth, Tab in visual order, dates checked at the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ptassist.ui.patient_dialog import PatientDialog

pytestmark = pytest.mark.gui

VISUAL_ORDER = ["patient_family_name", "patient_given_name", "patient_date_of_birth", "patient_sex",
                "patient_chart_number", "patient_phone", "patient_email", "patient_referring_physician",
                "patient_referring_practice", "patient_referring_contact", "patient_address"]


@pytest.fixture
def dialog(qtbot, records):
    made = PatientDialog(records, locale=QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    qtbot.addWidget(made)
    made.show()
    made.activateWindow()
    qtbot.waitExposed(made)
    return made


def type_into(qtbot, widget, text):
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def test_no_date_of_birth_is_filled_in_for_you(dialog, records):
    assert dialog.dob.text() == ""
    dialog.fields["family_name"].setText("Nakamura")
    dialog.fields["given_name"].setText("Aiko")
    dialog.accept()
    assert dialog.saved is None and "date of birth" in dialog.error.text()
    assert "required" in dialog.dob.message.text()
    assert records.patients.count() == 0


def test_tab_walks_every_field_in_visual_order(qtbot, dialog):
    dialog.fields["family_name"].setFocus()
    seen = []
    for _ in VISUAL_ORDER:
        widget = QApplication.focusWidget()
        seen.append(widget.objectName())
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    assert seen == VISUAL_ORDER


def test_a_date_typed_after_tab_lands_in_date_of_birth(qtbot, dialog, records):
    type_into(qtbot, dialog.fields["family_name"], "Nakamura")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "Aiko")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "07/03/1980")  # the locale's own format
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.fields["chart_number"].text() == ""
    assert "1980" in dialog.dob.message.text() and "March" in dialog.dob.message.text()
    dialog.accept()
    assert dialog.saved is not None and dialog.saved.date_of_birth == date(1980, 3, 7)


@pytest.mark.parametrize("typed, why", [
    ("1990-02-30", "not a real date"),
    ("31/04/1990", "not a real date"),
    ("2001-13-01", "not a real date"),
    ("yesterday", "not a date"),
    ("1850-01-01", "before 1900"),
])
def test_impossible_dates_are_refused_at_the_field(qtbot, dialog, typed, why):
    dialog.fields["family_name"].setText("Nakamura")
    dialog.fields["given_name"].setText("Aiko")
    type_into(qtbot, dialog.dob.edit, typed)
    QTest.keyClick(dialog.dob.edit, Qt.Key.Key_Tab)
    assert why in dialog.dob.message.text() and dialog.dob.message.isVisible()
    assert dialog.dob.edit.text() == typed  # kept for correcting, never dropped
    dialog.accept()
    assert dialog.saved is None


def test_a_future_date_is_refused_with_a_message(qtbot, dialog):
    dialog.fields["family_name"].setText("Nakamura")
    dialog.fields["given_name"].setText("Aiko")
    type_into(qtbot, dialog.dob.edit, (date.today() + timedelta(days=1)).isoformat())
    QTest.keyClick(dialog.dob.edit, Qt.Key.Key_Tab)
    assert "in the future" in dialog.dob.message.text()
    dialog.accept()
    assert dialog.saved is None


def test_us_locale_dates_and_iso_are_both_read(qtbot, records):
    dialog = PatientDialog(records, locale=QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    qtbot.addWidget(dialog)
    for typed in ("3/7/1980", "3/7/80", "1980-03-07"):
        dialog.dob.edit.setText(typed)
        assert dialog.dob.value() == (date(1980, 3, 7), None), typed
    dialog.dob.edit.setText("3/7/15")  # a two-digit year is the most recent past one
    assert dialog.dob.value() == (date(2015, 3, 7), None)


def test_a_name_over_its_limit_is_counted_and_refused_keeping_the_text(qtbot, dialog, records):
    from ptassist.core.validation import MAX_NAME

    name = "N" * (MAX_NAME + 3)
    dialog.fields["family_name"].setText(name)
    note = dialog.notes["family_name"]
    assert note.isVisibleTo(dialog) and "3 over the limit" in note.text()
    dialog.fields["given_name"].setText("Aiko")
    dialog.dob.edit.setText("1980-03-07")
    dialog.accept()
    assert dialog.saved is None and "family name" in dialog.error.text()
    assert dialog.fields["family_name"].text() == name  # nothing typed is dropped
    assert records.patients.count() == 0
