"""The Settings export writes an encrypted container (issue 12 point 5), never plain JSON."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QPushButton

from ptassist.security import export_container
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.security.export_container import Passphrase
from ptassist.ui.settings_dialog import SettingsDialog
from tests.ui.modal import answer_next

PASSPHRASE = "river otter lantern 42"


class _TypePassphrases:
    """Answers the passphrase dialog: types both fields, presses Export, keeps the inline message,
    and cancels if the dialog refused (it stays open)."""

    def __init__(self, first: str, second: str) -> None:
        self.first, self.second, self.error = first, second, ""

    def __call__(self, dialog) -> None:
        dialog.findChild(QLineEdit, "export_passphrase").setText(self.first)
        dialog.findChild(QLineEdit, "export_passphrase_again").setText(self.second)
        dialog.findChild(QPushButton, "export_passphrase_ok").click()
        self.error = dialog.findChild(QLabel, "export_passphrase_error").text()
        if dialog.isVisible():
            dialog.findChild(QPushButton, "export_passphrase_cancel").click()


def _dialog(qtbot, records, settings, monkeypatch, target: Path) -> SettingsDialog:
    monkeypatch.setattr(SettingsDialog, "export_params", TEST_ONLY)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    dialog = SettingsDialog(records, settings)
    qtbot.addWidget(dialog)
    return dialog


def test_the_settings_export_is_encrypted_with_the_chosen_passphrase(qtbot, records, settings, zoe, tmp_path,
                                                                     monkeypatch):
    target = tmp_path / "handover.ptx"
    dialog = _dialog(qtbot, records, settings, monkeypatch, target)
    answer = _TypePassphrases(PASSPHRASE, PASSPHRASE)
    answer_next(answer, only="export_passphrase_dialog")
    dialog.export()
    qtbot.waitUntil(lambda: "Exported, encrypted" in dialog.backup_label.text(), timeout=20000)
    data = target.read_bytes()
    assert data.startswith(export_container.MAGIC)
    assert zoe.family_name.encode() not in data
    plain = tmp_path / "opened.json"
    export_container.decrypt_file(target, plain, Passphrase(PASSPHRASE))
    assert zoe.family_name in plain.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o077 == 0


def test_a_weak_or_mistyped_passphrase_exports_nothing(qtbot, records, settings, zoe, tmp_path, monkeypatch):
    target = tmp_path / "handover.ptx"
    dialog = _dialog(qtbot, records, settings, monkeypatch, target)
    short = _TypePassphrases("short", "short")
    answer_next(short, only="export_passphrase_dialog")
    dialog.export()
    assert "too short" in short.error
    differ = _TypePassphrases(PASSPHRASE, PASSPHRASE + "!")
    answer_next(differ, only="export_passphrase_dialog")
    dialog.export()
    assert "differ" in differ.error
    assert not target.exists()
