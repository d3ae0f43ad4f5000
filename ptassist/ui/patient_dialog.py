"""New and edit patient dialog; invalid input is named next to the form and nothing is lost."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.records import Patient
from ptassist.core.validation import ValidationError
from ptassist.services.records import Records, default_actor
from ptassist.store.errors import StoreError

TEXT_FIELDS = (
    ("family_name", "Family name"),
    ("given_name", "Given name"),
    ("chart_number", "Chart number (blank: generated)"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("referring_physician", "Referring physician"),
    ("referring_practice", "Practice"),
    ("referring_contact", "Physician fax or email"),
)


class PatientDialog(QDialog):
    """Create a patient, or edit one when ``patient`` is given."""

    def __init__(self, records: Records, patient: Patient | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.patient = patient
        self.saved: Patient | None = None
        self.setObjectName("patient_dialog")
        self.setWindowTitle("Edit patient" if patient else "New patient")
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for name, label in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"patient_{name}")
            edit.setAccessibleName(label)
            self.fields[name] = edit
            form.addRow(label, edit)
        self.dob = QDateEdit()
        self.dob.setCalendarPopup(True)
        self.dob.setDisplayFormat("yyyy-MM-dd")
        self.dob.setObjectName("patient_date_of_birth")
        self.dob.setAccessibleName("Date of birth")
        self.dob.setMaximumDate(QDate.currentDate())
        self.dob.setDate(QDate(1980, 1, 1))
        form.insertRow(2, "Date of birth", self.dob)
        self.sex = QComboBox()
        self.sex.setObjectName("patient_sex")
        self.sex.setAccessibleName("Sex")
        for value in ("", "female", "male", "other", "unknown"):
            self.sex.addItem(value or "not recorded", value)
        form.insertRow(3, "Sex", self.sex)
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)  # Tab moves on; it never traps the keyboard
        self.address.setObjectName("patient_address")
        self.address.setAccessibleName("Address")
        self.address.setFixedHeight(60)
        form.addRow("Address", self.address)
        self.error = QLabel()
        self.error.setObjectName("patient_dialog_error")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("patient_dialog_buttons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if patient:
            self._load(patient)

    def _load(self, patient: Patient) -> None:
        for name, edit in self.fields.items():
            edit.setText(str(getattr(patient, name) or ""))
        day = patient.date_of_birth
        self.dob.setDate(QDate(day.year, day.month, day.day))
        self.sex.setCurrentIndex(max(0, self.sex.findData(patient.sex or "")))
        self.address.setPlainText(patient.address)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: edit.text() for name, edit in self.fields.items()}
        values["date_of_birth"] = self.dob.date().toString("yyyy-MM-dd")
        values["sex"] = self.sex.currentData() or None
        values["address"] = self.address.toPlainText()
        return values

    def accept(self) -> None:
        """Save; on a validation error name the field, keep the dialog open and everything typed."""
        values = self.values()
        try:
            if self.patient is None:
                self.saved = self.records.patients.add(actor=default_actor(), **values)
            else:
                if not values["chart_number"]:
                    values.pop("chart_number")
                self.saved = self.records.patients.update(self.patient.id, actor=default_actor(), **values)
        except ValidationError as exc:
            self.error.setText(f"Please check {exc.field.replace('_', ' ')}: {str(exc).split(': ', 1)[-1]}")
            widget = self.fields.get(exc.field)
            if widget is not None:
                widget.setFocus()
            return
        except StoreError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

