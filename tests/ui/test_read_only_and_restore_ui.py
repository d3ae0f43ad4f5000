"""Issue 10 in the window: read-only records say why; a restore over newer records asks first."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.ui.app import ui_settings
from ptassist.ui.main_window import MainWindow
from tests.store.disks import read_only_mount
from tests.ui.modal import answer_next

pytestmark = pytest.mark.gui


def test_records_on_a_read_only_disk_open_with_a_banner_saying_why(qtbot, tmp_path):
    folder = tmp_path / "data"
    writable = Records.open(folder)
    writable.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    writable.close()
    with read_only_mount(folder):
        records = Records.open(folder)
        try:
            window = MainWindow(records, ui_settings(tmp_path / "ui"))
            qtbot.addWidget(window)
            window.show()
            banner = window.read_only_banner
            assert banner.isVisible()
            assert "The records are open read-only" in banner.text() and "mounted read-only" in banner.text()
            assert [p.family_name for p in window.patients.model.patients] == ["Okafor"]
            assert not window.patients.findChild(QPushButton, "new_patient_button").isEnabled()
            window.close()
        finally:
            records.close()


def test_writable_records_show_no_banner(qtbot, window):
    assert not window.read_only_banner.isVisible()


def test_restore_over_newer_records_asks_and_keeping_them_is_the_default(qtbot, window, records, zoe, tmp_path):
    copy = backups.backup_to(records.database, tmp_path / "before.db")
    records.patients.add(family_name="Later", given_name="Added", date_of_birth="1990-01-01")
    dialog = window.settings_dialog()
    qtbot.addWidget(dialog)
    answered = answer_next("keep_records", give_up_ms=60000, only="restore_newer_question")
    dialog.restore_from(copy)
    qtbot.waitUntil(lambda: bool(answered.seen) and "Not restored" in dialog.backup_label.text(), timeout=60000)
    assert answered.seen == ["restore_newer_question"]
    assert answered.defaults == ["Keep my records"]
    assert "1 patient" in answered.texts[0]
    assert records.patients.count() == 2  # nothing replaced
    assert "Not restored" in dialog.backup_label.text()


def test_restore_over_newer_records_replaces_them_only_after_a_yes(qtbot, window, records, zoe, tmp_path):
    copy = backups.backup_to(records.database, tmp_path / "before.db")
    records.patients.add(family_name="Later", given_name="Added", date_of_birth="1990-01-01")
    dialog = window.settings_dialog()
    qtbot.addWidget(dialog)
    answered = answer_next("restore_anyway", give_up_ms=60000, only="restore_newer_question")
    with qtbot.waitSignal(dialog.records_replaced, timeout=60000):
        dialog.restore_from(copy)
    assert answered.seen == ["restore_newer_question"]
    assert [p.family_name for p in window.patients.model.patients] == ["Müller"]
    assert "pre-restore" in backups.list_backups(records.database.folder)[0].name
