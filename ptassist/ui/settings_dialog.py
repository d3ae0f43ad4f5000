"""Settings: clinic details and logo (printed on sheets), clinician profile, paper, data and backups."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ptassist.core.records import ClinicSettings
from ptassist.core.validation import ValidationError
from ptassist.services.records import Records, default_actor
from ptassist.store import backup as backups
from ptassist.store.errors import StoreError
from ptassist.ui.worker import run_in_background


class SettingsDialog(QDialog):
    """Clinic details in the database; clinician profile and window state in QSettings."""

    def __init__(self, records: Records, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.settings = settings
        self.setObjectName("settings_dialog")
        self.setWindowTitle("Settings")
        clinic = records.settings.get()
        self.logo = clinic.logo
        self.clinic_name = QLineEdit(clinic.name)
        self.clinic_name.setObjectName("clinic_name")
        self.clinic_address = QPlainTextEdit(clinic.address)
        self.clinic_address.setObjectName("clinic_address")
        self.clinic_address.setFixedHeight(60)
        self.clinic_phone = QLineEdit(clinic.phone)
        self.clinic_phone.setObjectName("clinic_phone")
        self.paper = QComboBox()
        self.paper.setObjectName("paper_size")
        self.paper.addItem("A4", "a4")
        self.paper.addItem("US Letter", "letter")
        self.paper.setCurrentIndex(max(0, self.paper.findData(clinic.paper_size)))
        self.logo_label = QLabel("logo set" if clinic.logo else "no logo")
        logo_button = QPushButton("Choose logo…")
        logo_button.clicked.connect(self.choose_logo)
        clinic_box = QGroupBox("Clinic (printed on sheets)")
        form = QFormLayout(clinic_box)
        form.addRow("Name", self.clinic_name)
        form.addRow("Address", self.clinic_address)
        form.addRow("Phone", self.clinic_phone)
        form.addRow("Paper", self.paper)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_label)
        logo_row.addWidget(logo_button)
        form.addRow("Logo", logo_row)
        self.clinician = QLineEdit(str(settings.value("clinician/name", "") or ""))
        self.clinician.setObjectName("clinician_name")
        self.credentials = QLineEdit(str(settings.value("clinician/credentials", "") or ""))
        self.credentials.setObjectName("clinician_credentials")
        person = QGroupBox("You (signs notes and letters)")
        person_form = QFormLayout(person)
        person_form.addRow("Name", self.clinician)
        person_form.addRow("Credentials", self.credentials)
        data = QGroupBox("Data and backups")
        data_layout = QVBoxLayout(data)
        data_layout.addWidget(QLabel(f"Records: {records.database.path or records.database.url}"))
        newest = backups.newest_backup(records.database.folder)
        self.backup_label = QLabel(f"Newest backup: {newest.name if newest else 'none yet'} "
                                   f"(automatic daily backups, newest {backups.KEEP_DEFAULT} kept)")
        self.backup_label.setObjectName("backup_status")
        data_layout.addWidget(self.backup_label)
        row = QHBoxLayout()
        backup_now = QPushButton("Back up now")
        backup_now.setObjectName("backup_now_button")
        backup_now.clicked.connect(self.backup_now)
        restore = QPushButton("Restore…")
        restore.setObjectName("restore_button")
        restore.clicked.connect(self.restore)
        export = QPushButton("Export…")
        export.setObjectName("export_button")
        export.clicked.connect(self.export)
        for button in (backup_now, restore, export):
            row.addWidget(button)
        data_layout.addLayout(row)
        self.error = QLabel()
        self.error.setObjectName("settings_error")
        self.error.setStyleSheet("color: #b3261e;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (clinic_box, person, data, self.error, buttons):
            layout.addWidget(widget)

    def choose_logo(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Clinic logo", "", "Images (*.png *.jpg *.jpeg)")
        if name:
            self.set_logo(Path(name).read_bytes())

    def set_logo(self, data: bytes) -> None:
        self.logo = data
        self.logo_label.setText(f"logo set ({len(data) // 1024} KB)")

    def accept(self) -> None:
        try:
            self.records.settings.save(
                ClinicSettings(self.clinic_name.text(), self.clinic_address.toPlainText(), self.clinic_phone.text(),
                               self.logo, self.paper.currentData()),
                default_actor(),
            )
        except (ValidationError, StoreError) as exc:
            self.error.setText(str(exc))
            return
        self.settings.setValue("clinician/name", self.clinician.text().strip())
        self.settings.setValue("clinician/credentials", self.credentials.text().strip())
        super().accept()

    def backup_now(self) -> None:
        self.backup_label.setText("Backing up…")

        def done(path: object) -> None:
            self.backup_label.setText(f"Backed up to {path}")

        def failed(exc: BaseException, _details: str) -> None:
            self.backup_label.setText(f"Backup failed: {exc}")

        run_in_background(lambda: backups.rotate_backup(self.records.database, reason="manual"), done, failed)

    def restore(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Restore from backup", str(self.records.database.folder),
                                                    "ptassist backups (*.db)")
        if not name:
            return
        answer = QMessageBox.question(self, "Restore?", f"Replace all current records with {name}?\n\n"
                                      "The current records are kept as a backup first.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            kept = backups.restore_from(self.records.database, Path(name))
        except StoreError as exc:
            QMessageBox.warning(self, "Not restored", str(exc))
            return
        QMessageBox.information(self, "Restored", f"Restored. The previous records are kept in {kept}.")

    def export(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, "Export all records", "ptassist-export.json", "JSON (*.json)")
        if not name:
            return
        from ptassist.store.transfer import export_database

        run_in_background(lambda: export_database(self.records.database, Path(name), default_actor()),
                          lambda _c: self.backup_label.setText(f"Exported to {name}"),
                          lambda exc, _d: self.backup_label.setText(f"Export failed: {exc}"))
