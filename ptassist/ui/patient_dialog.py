"""New and edit patient dialog; invalid input is named next to the form and nothing is lost."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QComboBox,
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
from ptassist.core.validation import MAX_NAME, MAX_SHORT, MAX_TEXT, ValidationError
from ptassist.services.records import Records
from ptassist.store.errors import StoreError
from ptassist.ui.acting import acting_name
from ptassist.ui.widgets.date_field import DateField
from ptassist.ui.widgets.text_limit import LimitNote

# In the order they are shown, which is also the order Tab walks them.
NAME_FIELDS = (("family_name", "Family name"), ("given_name", "Given name"))
OTHER_FIELDS = (
    ("chart_number", "Chart number (blank: generated)"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("referring_physician", "Referring physician"),
    ("referring_practice", "Practice"),
    ("referring_contact", "Physician fax or email"),
)
TEXT_FIELDS = NAME_FIELDS + OTHER_FIELDS


class PatientDialog(QDialog):
    """Create a patient, or edit one when ``patient`` is given."""

    def __init__(self, records: Records, patient: Patient | None = None, parent: QWidget | None = None,
                 locale: QLocale | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.patient = patient
        self.saved: Patient | None = None
        self.setObjectName("patient_dialog")
        self.setWindowTitle("Edit patient" if patient else "New patient")
        self.setMinimumWidth(560)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        self.notes: dict[str, LimitNote] = {}
        for name, label in NAME_FIELDS:
            form.addRow(label, self._text_field(name, label, MAX_NAME))
        self.dob = DateField("patient_date_of_birth", "Date of birth", locale)
        self.dob.checked.connect(self._fit)
        form.addRow("Date of birth", self.dob)
        self.sex = QComboBox()
        self.sex.setObjectName("patient_sex")
        self.sex.setAccessibleName("Sex")
        for value in ("", "female", "male", "other", "unknown"):
            self.sex.addItem(value or "not recorded", value)
        form.addRow("Sex", self.sex)
        for name, label in OTHER_FIELDS:
            form.addRow(label, self._text_field(name, label, MAX_SHORT))
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)  # Tab moves on; it never traps the keyboard
        self.address.setObjectName("patient_address")
        self.address.setAccessibleName("Address")
        self.address.setFixedHeight(60)
        address_note = LimitNote(self.address, MAX_TEXT, "Address")
        address_cell = QVBoxLayout()
        address_cell.addWidget(self.address)
        address_cell.addWidget(address_note)
        form.addRow("Address", address_cell)
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

    def _fit(self) -> None:
        """Grow to show a message that appeared under a field (it would be cut off otherwise)."""
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def _text_field(self, name: str, label: str, limit: int) -> QVBoxLayout:
        edit = QLineEdit()
        edit.setObjectName(f"patient_{name}")
        edit.setAccessibleName(label)
        self.fields[name] = edit
        self.notes[name] = LimitNote(edit, limit, label)
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addWidget(edit)
        cell.addWidget(self.notes[name])
        return cell

    def _load(self, patient: Patient) -> None:
        for name, edit in self.fields.items():
            edit.setText(str(getattr(patient, name) or ""))
        self.dob.set_date(patient.date_of_birth)
        self.sex.setCurrentIndex(max(0, self.sex.findData(patient.sex or "")))
        self.address.setPlainText(patient.address)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: edit.text() for name, edit in self.fields.items()}
        day, _problem = self.dob.value()
        values["date_of_birth"] = day.isoformat() if day else ""
        values["sex"] = self.sex.currentData() or None
        values["address"] = self.address.toPlainText()
        return values

    def accept(self) -> None:
        """Save; on a validation error name the field, keep the dialog open and everything typed."""
        if not self.dob.check():
            self.error.setText("Please check the date of birth.")
            self.dob.setFocus()
            return
        if not self.dob.text().strip():
            self.dob.show_problem("Date of birth is required.")
            self.error.setText("Please enter the date of birth.")
            self.dob.setFocus()
            return
        values = self.values()
        try:
            if self.patient is None:
                self.saved = self.records.patients.add(actor=acting_name(self.records), **values)
            else:
                if not values["chart_number"]:
                    values.pop("chart_number")
                self.saved = self.records.patients.update(self.patient.id, actor=acting_name(self.records), **values)
        except ValidationError as exc:
            self.error.setText(f"Please check {exc.field.replace('_', ' ')}: {str(exc).split(': ', 1)[-1]}")
            widget: QWidget | None = self.fields.get(exc.field)
            if exc.field == "date_of_birth":
                widget = self.dob
            if widget is not None:
                widget.setFocus()
            return
        except StoreError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

