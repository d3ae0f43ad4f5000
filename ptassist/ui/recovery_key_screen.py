"""The recovery key, shown once after set-up: print it, keep it safe, then continue.

The key can reset any password and open the records when every password is lost, so it is
shown only here, never stored in the clear and never logged.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def trust_fingerprints(recovery_key: str, clinic_folder: str) -> tuple[str, str]:
    """The clinic's root signing key and recovery endorsement key fingerprints ("" if unreadable)."""
    from pathlib import Path

    from ptassist.security.errors import SecurityError
    from ptassist.services.identity import IdentityError
    from ptassist.services.identity import trust_fingerprints as read

    try:
        return read(Path(clinic_folder), recovery_key)
    except (IdentityError, SecurityError, ValueError):
        return "", ""


def recovery_sheet_html(recovery_key: str, clinic_folder: str) -> str:
    """The printable page: the key, what it does, where to keep it, and the fingerprints that
    ``verify`` checks every signing key back to (compared by hand on a new workstation)."""
    root, recovery = trust_fingerprints(recovery_key, clinic_folder)
    prints = (
        "<p>Signing-key fingerprints (ptassist verify checks every clinician's key back to these; "
        "compare them when a workstation says it now trusts a root key):<br>"
        f"Clinic root key: <span style='font-family: monospace;'>{escape(root)}</span><br>"
        f"Recovery endorsement key: <span style='font-family: monospace;'>{escape(recovery)}</span></p>"
    ) if root else ""
    return (
        "<h1>ptassist recovery key</h1>"
        f"<p>Records in: {escape(clinic_folder)}<br>Created: {date.today().isoformat()}</p>"
        f"<p style='font-family: monospace; font-size: 20pt;'><b>{escape(recovery_key)}</b></p>"
        "<p>This key resets any password and opens the records if every password is lost. Keep this "
        "page locked away (a safe, not the desk beside the computer). Anyone who has it and the "
        "records file can read them.</p>"
        "<p>To use it: start ptassist, choose <i>Forgot password?</i> and type the key (case, spaces "
        "and dashes do not matter).</p>" + prints)


class RecoveryKeyScreen(QWidget):
    """Shows the key once, with Print and "I have stored it"."""

    stored = Signal()  # the user says the key is kept: continue to the records

    def __init__(self, recovery_key: str, clinic_folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery_key_screen")
        self._key = recovery_key
        self._folder = clinic_folder
        title = QLabel("<h2>Your recovery key</h2>Print it or write it down now: it is shown only this once. "
                       "It resets a password and opens the records if every password is lost.")
        title.setWordWrap(True)
        self.key_label = QLabel(recovery_key)
        self.key_label.setObjectName("recovery_key")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        self.key_label.setFont(font)
        self.key_label.setStyleSheet("padding: 12px; border: 2px dashed #5b6b78; background: #fbfbf7;")
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root, recovery = trust_fingerprints(recovery_key, clinic_folder)
        self.fingerprints = QLabel(f"Clinic root key fingerprint: <tt>{escape(root)}</tt><br>"
                                   f"Recovery endorsement key: <tt>{escape(recovery)}</tt>" if root else "")
        self.fingerprints.setObjectName("root_fingerprint")
        self.fingerprints.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("print_recovery_key_button")
        self.print_button.clicked.connect(self.print_key)
        self.stored_button = QPushButton("I have stored it")
        self.stored_button.setObjectName("recovery_key_stored_button")
        self.stored_button.clicked.connect(self.stored.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.stored_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(40, 30, 40, 30)
        column.addWidget(title)
        column.addWidget(self.key_label)
        column.addWidget(self.fingerprints)
        column.addLayout(buttons)
        column.addStretch(1)

    def document(self) -> QTextDocument:
        document = QTextDocument()
        document.setHtml(recovery_sheet_html(self._key, self._folder))
        return document

    def print_to(self, printer: QPrinter) -> None:
        self.document().print_(printer)

    def print_key(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("recovery_print_dialog")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def forget(self) -> None:
        """After "I have stored it": the key leaves the screen."""
        self._key = ""
        self.key_label.clear()
