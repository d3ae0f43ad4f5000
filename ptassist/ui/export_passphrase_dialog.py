"""Choose the passphrase an export of all records is encrypted with (typed twice).

Exports leave the clinic, so the app writes them encrypted (docs/formats.md, "Encrypted exports"):
the same rule as ``ptassist export`` without ``--plaintext``, and the same password policy.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ptassist.security.passwords import DEFAULT_POLICY
from ptassist.ui.account_fields import error_label, password_edit, show_problem

EXPLANATION = (
    "The export holds every patient's record, so it is encrypted. Choose a passphrase for this "
    "file and give it to the recipient separately from the file (not in the same e-mail)."
)


class ExportPassphraseDialog(QDialog):
    """Two passphrase fields; OK only with a passphrase the policy accepts, typed the same twice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_passphrase_dialog")
        self.setWindowTitle("Encrypt the export")
        self.passphrase = ""
        text = QLabel(EXPLANATION)
        text.setWordWrap(True)
        self.first = password_edit("export_passphrase", "Passphrase for the export")
        self.second = password_edit("export_passphrase_again", "The passphrase again")
        self.error = error_label("export_passphrase_error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Export")
        ok.setObjectName("export_passphrase_ok")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("export_passphrase_cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(text)
        column.addWidget(QLabel("Passphrase:"))
        column.addWidget(self.first)
        column.addWidget(QLabel("Type it again:"))
        column.addWidget(self.second)
        column.addWidget(self.error)
        column.addWidget(buttons)
        self.setMinimumWidth(460)

    def accept(self) -> None:
        chosen = self.first.text()
        problem = DEFAULT_POLICY.problem(chosen)
        if problem:
            show_problem(self.error, problem.replace("The password", "The passphrase"))
            return
        if self.second.text() != chosen:
            show_problem(self.error, "The two passphrases differ: type the same one twice.")
            return
        self.passphrase = chosen
        super().accept()
