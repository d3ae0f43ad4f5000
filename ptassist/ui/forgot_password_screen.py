"""Forgot password: the recovery key, the account's name and a new password (typed twice)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.ui.account_fields import NewPasswordFields, error_label, show_note, show_problem, text_edit
from ptassist.ui.login_screen import safe_message
from ptassist.ui.worker import run_in_background

if TYPE_CHECKING:
    from ptassist.services.identity import SignedIn


class ForgotPasswordScreen(QWidget):
    """Reset a password with the printed recovery key, then go on logged in."""

    recovered = Signal(object)  # SignedIn
    back_requested = Signal()

    def __init__(self, folder: Path, *, params: Argon2Parameters = PRODUCTION, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.params = params
        self.setObjectName("forgot_password_screen")
        title = QLabel("<h2>Reset a password</h2>Type the recovery key printed when the records were set "
                       "up, the account's name and a new password.")
        title.setWordWrap(True)
        self.key = text_edit("recovery_key_input", "Recovery key")
        self.key.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")
        self.name = text_edit("recovery_name", "Account name")
        self.passwords = NewPasswordFields("recovery")
        self.name.textChanged.connect(lambda text: setattr(self.passwords, "user_name", text))
        self.error = error_label("recovery_error")
        self.reset = QPushButton("Reset the password and log in")
        self.reset.setObjectName("recovery_reset_button")
        self.reset.clicked.connect(self.submit)
        back = QPushButton("Back to login")
        back.setObjectName("back_to_login_button")
        back.clicked.connect(self.back_requested.emit)
        form = QFormLayout()
        form.addRow("Recovery key", self.key)
        form.addRow("Name", self.name)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.reset)
        column = QVBoxLayout(self)
        column.setContentsMargins(40, 30, 40, 30)
        column.addWidget(title)
        column.addLayout(form)
        column.addWidget(self.passwords)
        column.addWidget(self.error)
        column.addLayout(buttons)
        column.addStretch(1)

    def submit(self) -> None:
        reason = (None if self.key.text().strip() else "Please type the recovery key.") or (
            None if self.name.text().strip() else "Please enter the account's name.") or self.passwords.problem()
        if reason is not None:
            show_problem(self.error, reason)
            return
        key, name, password = self.key.text(), self.name.text().strip(), self.passwords.password()
        show_note(self.error, "Checking the recovery key…")
        self.reset.setEnabled(False)

        def work() -> SignedIn:
            from ptassist.services.identity import recover

            return recover(self.folder, key, name, password, params=self.params)

        run_in_background(work, self._done, self._failed)

    def _done(self, signed_in: SignedIn) -> None:
        self.reset.setEnabled(True)
        self.error.clear()
        self.key.clear()
        self.passwords.clear()
        self.recovered.emit(signed_in)

    def _failed(self, exc: BaseException, _details: str) -> None:
        self.reset.setEnabled(True)
        show_problem(self.error, safe_message(exc))
        self.key.setFocus(Qt.FocusReason.OtherFocusReason)
