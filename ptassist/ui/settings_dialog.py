"""Settings: clinic details and logo (printed on sheets), paper, the idle lock, data and backups.

Who signs is the account that logged in (its details are on every sheet it signs), never a name typed here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
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
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ptassist import paths
from ptassist.core.records import ClinicSettings
from ptassist.core.validation import ValidationError
from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store.errors import StoreError
from ptassist.ui.acting import acting_name
from ptassist.ui.idle_watch import IDLE_MINUTES_KEY, IDLE_MINUTES_RANGE, idle_minutes
from ptassist.ui.records_location import RecordsLocationBox
from ptassist.ui.signing import why_not_administrator
from ptassist.ui.worker import run_with_progress

log = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    """Clinic details in the database; clinician profile and window state in QSettings."""

    records_replaced = Signal()  # a backup was restored: every screen must reload
    export_params: Argon2Parameters = PRODUCTION  # the export passphrase's Argon2id costs (tests: TEST_ONLY)

    def __init__(self, records: Records, settings: QSettings, parent: QWidget | None = None,
                 before_restore: Callable[[], bool] | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.settings = settings
        self.before_restore = before_restore
        self.setObjectName("settings_dialog")
        self.setWindowTitle("Settings")
        clinic = records.settings.get()
        self.logo = clinic.logo
        self.clinic_name = QLineEdit(clinic.name)
        self.clinic_name.setObjectName("clinic_name")
        self.clinic_address = QPlainTextEdit(clinic.address)
        self.clinic_address.setTabChangesFocus(True)  # Tab moves on; it never traps the keyboard
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
        workstation = QGroupBox("This workstation")
        workstation_form = QFormLayout(workstation)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idle_minutes")
        self.idle_minutes.setAccessibleName("Lock after this many minutes without input")
        self.idle_minutes.setRange(*IDLE_MINUTES_RANGE)
        self.idle_minutes.setValue(idle_minutes(settings))
        self.idle_minutes.setSuffix(" minutes without input")
        workstation_form.addRow("Lock after", self.idle_minutes)
        data = QGroupBox("Data and backups")
        data_form = QFormLayout(data)
        self.data_folder = QLabel(records.database.location)
        self.data_folder.setObjectName("data_folder")
        self.data_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        change_folder = QPushButton("Change…")
        change_folder.setObjectName("change_data_folder_button")
        change_folder.setAccessibleName("Change the data folder")
        change_folder.clicked.connect(self.change_data_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_folder, 1)
        folder_row.addWidget(change_folder)
        data_form.addRow("Records", folder_row)
        policy = backups.backup_policy(records.database.folder)
        self.backup_folder = QLineEdit(str(policy.folder))
        self.backup_folder.setObjectName("backup_folder")
        self.backup_folder.setAccessibleName("Backup folder")
        choose_backups = QPushButton("Choose…")
        choose_backups.clicked.connect(self.choose_backup_folder)
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_folder, 1)
        backup_row.addWidget(choose_backups)
        data_form.addRow("Backup folder", backup_row)
        self.keep = QSpinBox()
        self.keep.setObjectName("backup_keep")
        self.keep.setAccessibleName("Backups to keep")
        self.keep.setRange(*backups.KEEP_RANGE)
        self.keep.setValue(policy.keep)
        self.keep.setSuffix(" newest backups")
        data_form.addRow("Keep", self.keep)
        newest = backups.newest_backup_of(records.database)
        when = ("one is taken automatically each day" if records.database.is_sqlite
                else "taken from this workstation; the server's nightly backups are its administrator's")
        self.backup_label = QLabel(f"Newest backup: {newest.name if newest else 'none yet'} ({when})")
        self.backup_label.setObjectName("backup_status")
        self.backup_label.setWordWrap(True)
        self.backup_label.setMinimumHeight(self.backup_label.fontMetrics().lineSpacing() * 3)  # room for a result
        data_form.addRow(self.backup_label)
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
        data_form.addRow(row)
        self.location = RecordsLocationBox(str(paths.database_path(records.database.folder)))
        self.error = QLabel()
        self.error.setObjectName("settings_error")
        self.error.setStyleSheet("color: #b3261e;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (clinic_box, workstation, data, self.location, self.error, buttons):
            layout.addWidget(widget)
        self.refusal = why_not_administrator(records)
        if self.refusal is not None:  # shown, not changeable (the checks below refuse it too)
            for widget in (clinic_box, workstation, data, self.location):
                widget.setEnabled(False)
            buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            self.error.setText(self.refusal)

    def _allowed(self, where: QLabel) -> bool:
        """Only administrators change settings, back up, restore or export (said in ``where`` if not)."""
        if self.refusal is not None:
            where.setText(self.refusal)
        return self.refusal is None

    def choose_logo(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Clinic logo", "", "Images (*.png *.jpg *.jpeg)")
        if name:
            self.set_logo(Path(name).read_bytes())

    def set_logo(self, data: bytes) -> None:
        self.logo = data
        self.logo_label.setText(f"logo set ({len(data) // 1024} KB)")

    def accept(self) -> None:
        if not self._allowed(self.error):
            return
        try:
            self.records.settings.save(
                ClinicSettings(self.clinic_name.text(), self.clinic_address.toPlainText(), self.clinic_phone.text(),
                               self.logo, self.paper.currentData()),
                acting_name(self.records),
            )
            chosen = Path(self.backup_folder.text().strip()) if self.backup_folder.text().strip() else None
            default = paths.backups_dir(self.records.database.folder)
            backups.save_backup_policy(self.records.database.folder, None if chosen == default else chosen,
                                       self.keep.value())
            moved = self.location.save()
        except (ValidationError, StoreError) as exc:
            self.error.setText(str(exc))
            return
        self.settings.setValue(IDLE_MINUTES_KEY, self.idle_minutes.value())
        if moved:
            QMessageBox.information(self, "Records location", f"{self.location.note.text()} The records open now "
                                    "stay open until ptassist is closed.")
        super().accept()

    def backup_now(self) -> None:
        if not self._allowed(self.backup_label):
            return
        self._run("Backing up…", lambda: backups.rotate_backup(self.records.database, reason="manual"),
                  lambda path: self.backup_label.setText(f"Backed up to {path}"), "Backup failed")

    def choose_backup_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Backup folder", self.backup_folder.text())
        if name:
            self.backup_folder.setText(name)

    def _run(self, busy: str, work: Callable[[], Any], done: Callable[[Any], None], failure: str,
             warn: bool = False) -> None:
        """``work`` on the thread pool behind a progress dialog; the outcome in the status line."""

        def failed(exc: BaseException, _details: str) -> None:
            self.backup_label.setText(f"{failure}: {exc}")
            if warn:
                QMessageBox.warning(self, failure, str(exc))

        run_with_progress(self, busy, work, done, failed, name="settings_progress")

    def restore(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Restore from backup",
                                                    str(backups.backup_policy(self.records.database.folder).folder),
                                                    backups.backup_file_filter(self.records.database))
        if not name:
            return
        answer = QMessageBox.question(self, "Restore?", f"Replace all current records with {name}?\n\n"
                                      "The current records are kept as a backup first.")
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_from(Path(name))

    def restore_from(self, candidate: Path, *, replace_newer: bool = False) -> None:
        """Replace the records with a checked backup, off the GUI thread (the window waits).

        When the current records hold visits, patients, addenda or sheets the backup lacks, nothing
        is replaced: the clinician is told what would be set aside and asked, "Keep my records"
        being the default; only a yes restores (the current records are kept as a backup first).
        """
        if not self._allowed(self.backup_label):
            return
        if self.before_restore is not None and not self.before_restore():
            self.backup_label.setText("Not restored: the open visit could not be saved first.")
            return

        def done(restored: object) -> None:
            assert isinstance(restored, backups.Restored)
            statement = f" {restored.statement[:1].upper()}{restored.statement[1:]}." if restored.statement else ""
            self.backup_label.setText(f"Restored from {candidate.name}. The records as they were are kept as "
                                      f"{restored.safety.name} in the backup folder.{statement}")
            self.records_replaced.emit()

        def failed(exc: BaseException, _details: str) -> None:
            if isinstance(exc, backups.NewerRecordsError) and not replace_newer:
                self.backup_label.setText(f"Not restored: {exc}")
                if self._confirm_set_aside(exc):
                    self.restore_from(candidate, replace_newer=True)
                return
            self.backup_label.setText(f"Not restored: {exc}")
            QMessageBox.warning(self, "Not restored", str(exc))

        run_with_progress(self, "Checking the backup and restoring…",
                          lambda: backups.restore_from(self.records.database, candidate, replace_newer=replace_newer,
                                                       restorer=self._restorer()),
                          done, failed, name="settings_progress")

    def _restorer(self) -> backups.Restorer | None:
        """The logged-in administrator, who signs a server's restore statement (None: nobody is)."""
        signed_in = self.records.actor
        return backups.Restorer(signed_in.account.name, signed_in.signing_key) if signed_in is not None else None

    def _confirm_set_aside(self, refusal: backups.NewerRecordsError) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Newer records would be set aside",
                          f"The current records have {refusal.newer.describe()} that the backup does not.", parent=self)
        box.setObjectName("restore_newer_question")
        box.setInformativeText("Restoring puts the older backup live; the current records are kept only in a "
                               "pre-restore backup. Restore anyway?")
        keep = box.addButton("Keep my records", QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("keep_records")
        replace = box.addButton("Restore the backup anyway", QMessageBox.ButtonRole.DestructiveRole)
        replace.setObjectName("restore_anyway")
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is replace

    def change_data_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Data folder for the records", str(self.records.database.folder))
        if not name or Path(name).resolve() == self.records.database.folder.resolve():
            return
        target = Path(name)
        if paths.database_path(target).exists():
            answer = QMessageBox.question(self, "Use these records?", f"{target} already holds ptassist records. "
                                          "Open them from the next start? The records here stay as they are.")
            if answer == QMessageBox.StandardButton.Yes:
                self.use_data_folder(target, copy=False)
            return
        box = QMessageBox(QMessageBox.Icon.Question, "New data folder",
                          f"Copy the current records to {target}, or start with empty records there?", parent=self)
        copy = box.addButton("Copy records there", QMessageBox.ButtonRole.AcceptRole)
        empty = box.addButton("Start empty there", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() in (copy, empty):
            self.use_data_folder(target, copy=box.clickedButton() is copy)

    def use_data_folder(self, target: Path, *, copy: bool) -> None:
        """From the next start, open the records in ``target`` (copied there first if asked)."""
        if not self._allowed(self.backup_label):
            return

        def chosen(_result: object = None) -> None:
            paths.choose_data_dir(target)
            self.data_folder.setText(f"{self.records.database.path}  →  {paths.database_path(target)} "
                                     "from the next start")
            self.backup_label.setText(f"ptassist opens the records in {target} from its next start (unless "
                                      "--data-dir or PTASSIST_DATA_DIR names another folder).")
            log.info("data folder changed (copy=%s)", copy)

        if not copy:
            chosen()
            return
        self._run(f"Copying the records to {target}…",
                  lambda: backups.backup_to(self.records.database, paths.database_path(target)), chosen,
                  "Not copied, nothing changed")

    def export(self) -> None:
        if not self._allowed(self.backup_label):
            return
        from ptassist.ui.export_passphrase_dialog import ExportPassphraseDialog

        chosen = ExportPassphraseDialog(self)
        if chosen.exec() != QDialog.DialogCode.Accepted:
            return
        name, _filter = QFileDialog.getSaveFileName(self, "Export all records (encrypted)", "ptassist-export.ptx",
                                                    "Encrypted ptassist export (*.ptx)")
        if not name:
            return
        from ptassist.security.export_container import Passphrase
        from ptassist.store.transfer import export_database

        actor = acting_name(self.records)
        secret = Passphrase(chosen.passphrase)
        self._run("Encrypting and exporting all records…",
                  lambda: export_database(self.records.database, Path(name), actor, secret, params=self.export_params),
                  lambda _counts: self.backup_label.setText(f"Exported, encrypted, to {name}"), "Export failed")
