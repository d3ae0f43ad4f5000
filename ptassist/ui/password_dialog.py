"""Ask the logged-in user's password again for one action (signing a visit, adding an addendum).

The action itself checks the password (the services do, so nobody can sign without it); the
dialog runs it, says a wrong password or the lockout delay inline and stays open for another try.
Any other failure closes the dialog and is handed back to the caller in :attr:`failure`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ptassist.ui.account_fields import error_label, password_edit, show_note, show_problem


class PasswordDialog(QDialog):
    """``question`` above a password field; OK runs ``action(password)``."""

    def __init__(self, title: str, question: str, action: Callable[[str], Any], ok_text: str = "Sign",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action = action
        self.result_value: Any = None
        self.failure: BaseException | None = None
        self.setObjectName("password_dialog")
        self.setWindowTitle(title)
        text = QLabel(question)
        text.setObjectName("password_question")
        text.setWordWrap(True)
        self.password = password_edit("confirm_password", "Your password")
        self.error = error_label("password_error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ok_text)
        ok.setObjectName("password_ok_button")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("password_cancel_button")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(text)
        column.addWidget(QLabel("Your password:"))
        column.addWidget(self.password)
        column.addWidget(self.error)
        column.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def accept(self) -> None:
        from ptassist.services.identity import IdentityError

        if not self.password.text():
            show_problem(self.error, "Please type your password.")
            return
        show_note(self.error, "Checking…")
        self.buttons.setEnabled(False)
        QApplication.processEvents()  # show "Checking…" during the Argon2id run
        try:
            self.result_value = self.action(self.password.text())
        except IdentityError as exc:  # wrong password, lockout, not allowed: one safe line
            show_problem(self.error, str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        except Exception as exc:  # the caller reports it as it did before (a conflict, the disk)
            self.failure = exc
            super().accept()
            return
        finally:
            self.buttons.setEnabled(True)
            self.password.clear()
        super().accept()
