"""Building a programme and saving the PDF; the settings dialog."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLineEdit, QProgressDialog

from ptassist import paths
from ptassist.core.records import ClinicSettings
from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.ui.idle_watch import idle_minutes
from ptassist.ui.print_dialog import PrintDialog
from ptassist.ui.settings_dialog import SettingsDialog
from tests.documents.helpers import all_text
from tests.helpers import TEST_PASSWORD
from tests.ui.modal import answer_next

pytestmark = pytest.mark.gui

ITBS = {"format": "ptassist-intake/1", "side": "right", "symptoms": [{"region": "lateral_knee", "kind": "pain"}],
        "findings": {"noble_test": True, "lateral_epicondyle_tenderness": True,
                     "pain_at_predictable_point_in_activity": True}}


def test_build_a_programme_and_save_the_pdf(qtbot, records, zoe, tmp_path):
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=ITBS)
    dialog = PrintDialog(records, visit.id, "hep", auto_build=False)
    qtbot.addWidget(dialog)
    builder = dialog.builder
    assert builder.rows[0]["exercise"] == "side_lying_hip_abduction"  # the suggested programme comes first
    builder.table.selectRow(0)
    builder.remove_current()
    builder.add("clamshell")
    last = len(builder.rows) - 1
    builder.table.item(last, 1).setData(Qt.ItemDataRole.EditRole, 4)  # the Sets cell, as the spin box sets it
    assert builder.rows[last]["sets"] == 4
    builder.table.item(len(builder.rows) - 1, builder.table.columnCount() - 1).setText("Keep the band light")
    dialog.build_now()
    assert dialog.pane.document.pageCount() >= 1
    target = tmp_path / "programme.pdf"
    dialog.pane.save_to(target)
    text = all_text(target.read_bytes())
    assert "Clamshell" in text and "4 sets of 15" in text and "Side-lying leg lift" not in text
    assert "Keep the band light" in text
    assert records.visits.get(visit.id).prescription[-1] == {"exercise": "clamshell", "sets": 4, "reps": 15,
                                                             "per_week": 3, "notes": "Keep the band light"}


def test_referral_preview_uses_the_recipient(qtbot, records, zoe, tmp_path):
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=ITBS)
    records.sign(visit.id, TEST_PASSWORD)
    dialog = PrintDialog(records, visit.id, "referral", auto_build=False)
    qtbot.addWidget(dialog)
    assert dialog.recipient.text() == "Dr Sarah Chen"
    dialog.recipient.setText("Dr Ana Ruiz")
    dialog.build_now()
    assert "Dear Dr Ruiz," in all_text(dialog.pane.pdf) and "Dr Ana Ruiz" in all_text(dialog.pane.pdf)  # issue 11
    assert "stored" in dialog.pane.status.text()


def test_the_chart_opens_and_reprints_a_stored_sheet_byte_for_byte(qtbot, window, records, zoe, tmp_path):
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=ITBS)
    window.open_patient(zoe.id)
    chart = window.chart
    assert chart.documents.count() == 1 and "sign the visit first" in chart.documents.item(0).text()
    assert not chart.open_button.isEnabled() and not chart.reprint_button.isEnabled()
    records.sign(visit.id, TEST_PASSWORD)
    dialog = PrintDialog(records, visit.id, "referral", auto_build=False)
    qtbot.addWidget(dialog)
    dialog.build_now()
    chart.refresh()
    assert [chart.documents.item(i).text().split(" · ")[0] for i in range(chart.documents.count())] == \
        ["Referral letter"]
    assert chart.open_button.isEnabled() and chart.reprint_button.isEnabled()
    viewer = chart._viewer()
    qtbot.addWidget(viewer)
    assert viewer.pane.pdf == dialog.pane.pdf
    assert "matches" in viewer.pane.status.text()
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "reprint.pdf"))
    with qtbot.waitSignal(viewer.pane.printed):
        viewer.pane.print_to(printer)
    assert (tmp_path / "reprint.pdf").stat().st_size > 1000
    document_id = chart.selected_document()
    assert [e.action for e in records.audit.events("document", document_id)] == ["print", "view", "print"]


def test_settings_accept_saves_and_cancel_does_not(qtbot, records, settings):
    dialog = SettingsDialog(records, settings)
    qtbot.addWidget(dialog)
    dialog.clinic_name.setText("Riverside Physiotherapy")
    dialog.paper.setCurrentIndex(dialog.paper.findData("letter"))
    dialog.idle_minutes.setValue(5)
    dialog.accept()
    assert records.settings.get() == ClinicSettings(name="Riverside Physiotherapy", paper_size="letter")
    assert idle_minutes(settings) == 5
    assert dialog.findChild(QLineEdit, "clinician_name") is None  # the signer is the account, never typed in
    again = SettingsDialog(records, settings)
    qtbot.addWidget(again)
    again.clinic_name.setText("Something else")
    again.reject()
    assert records.settings.get().name == "Riverside Physiotherapy"


def test_settings_change_where_backups_go_and_how_many_are_kept(qtbot, records, settings, tmp_path):
    dialog = SettingsDialog(records, settings)
    qtbot.addWidget(dialog)
    assert dialog.keep.value() == backups.KEEP_DEFAULT
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog.backup_folder.setText(str(blocker / "inside"))
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted and "backup folder" in dialog.error.text()
    dialog.backup_folder.setText(str(tmp_path / "nas"))
    dialog.keep.setValue(3)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert backups.backup_policy(records.database.folder) == backups.BackupPolicy((tmp_path / "nas").resolve(), 3)
    again = SettingsDialog(records, settings)
    qtbot.addWidget(again)
    again.backup_now()
    qtbot.waitUntil(lambda: "Backed up to" in again.backup_label.text(), timeout=5000)
    assert backups.newest_backup(records.database.folder).parent == (tmp_path / "nas").resolve()


def test_restore_runs_off_the_gui_thread_and_every_screen_reloads(qtbot, window, records, zoe, tmp_path,
                                                                 monkeypatch):
    copy = backups.backup_to(records.database, tmp_path / "before.db")
    records.patients.add(family_name="Later", given_name="Added", date_of_birth="1990-01-01")
    answer_next("restore_anyway", give_up_ms=60000, only="restore_newer_question")  # the clinician agrees to set the newer patient aside
    window.open_patient(zoe.id)
    window.chart.new_visit()
    window.editor.narrative["subjective"].setPlainText("Typed just before the restore.")
    dialog = window.settings_dialog()
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.records_replaced, timeout=10000):
        dialog.restore_from(copy)
        assert dialog.findChild(QProgressDialog, "settings_progress").isVisible()
    assert window.editor.visit is None  # saved, then closed, before the records were replaced
    assert window.stack.currentWidget() is window.patients
    assert [p.family_name for p in window.patients.model.patients] == ["Müller"]
    assert "Restored from before.db" in dialog.backup_label.text()
    kept = backups.list_backups(records.database.folder)[0]
    assert "pre-restore" in kept.name  # the records as they were, typed note included, are kept
    connection = sqlite3.connect(kept)
    notes = [row[0] for row in connection.execute("SELECT narrative_json FROM visit")]
    connection.close()
    assert any("Typed just before the restore." in (note or "") for note in notes)


def test_choosing_a_new_data_folder_copies_the_records_for_the_next_start(qtbot, records, settings, zoe, tmp_path,
                                                                         monkeypatch):
    monkeypatch.delenv("PTASSIST_DATA_DIR")
    dialog = SettingsDialog(records, settings)
    qtbot.addWidget(dialog)
    target = tmp_path / "clinic share"
    dialog.use_data_folder(target, copy=True)
    qtbot.waitUntil(lambda: "next start" in dialog.backup_label.text(), timeout=5000)
    assert paths.data_dir() == target.resolve()
    moved = Records.open(target)
    try:
        assert [p.id for p in moved.patients.search("zoe")] == [zoe.id]
    finally:
        moved.close()


def test_an_urgent_programme_prints_its_exercises_only_when_confirmed(qtbot, records, zoe):
    urgent = {"format": "ptassist-intake/1", "age": 70, "side": "right",
              "symptoms": [{"region": "low_back", "kind": "pain"}, {"region": "lateral_knee", "kind": "pain"}],
              "findings": {"cancer_history": True, "noble_test": True, "lateral_epicondyle_tenderness": True,
                           "pain_at_predictable_point_in_activity": True}}
    visit = records.new_visit(zoe.id, "initial_evaluation", intake=urgent)
    records.sign(visit.id, TEST_PASSWORD)
    dialog = PrintDialog(records, visit.id, "hep", auto_build=False)
    qtbot.addWidget(dialog)
    confirm = dialog.findChild(type(dialog.confirm_programme), "confirm_programme")
    assert not confirm.isHidden()
    dialog.build_now()
    assert "See your doctor within 24 hours" in all_text(dialog.pane.pdf) and "How much" not in all_text(dialog.pane.pdf)
    confirm.setChecked(True)
    dialog.findChild(type(dialog.large_print), "large_print").setChecked(True)
    dialog.build_now()
    assert "How much" in all_text(dialog.pane.pdf)
    referral = PrintDialog(records, visit.id, "referral", auto_build=False)
    qtbot.addWidget(referral)
    assert referral.recipient.text() == "The on-call doctor"  # by urgency, not the GP
