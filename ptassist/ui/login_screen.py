"""The login screen the app opens on: name and password; wrong passwords and the lockout delay
are said inline; "Forgot password?" leads to the recovery key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.ui.account_fields import error_label, password_edit, show_note, show_problem, text_edit
from ptassist.ui.worker import run_in_background

if TYPE_CHECKING:
    from ptassist.services.identity import SignedIn


def safe_message(exc: BaseException) -> str:
    """What to show for a failed identity step: identity errors are one safe line by contract;
    anything else is named by its kind only (its text might hold a path or worse)."""
    from ptassist.security.errors import SecurityError
    from ptassist.services.identity import IdentityError

    if isinstance(exc, (IdentityError, SecurityError)):
        return str(exc)
    return f"That did not work ({type(exc).__name__}); see the log."


def _pushed_right(widget: QWidget) -> QHBoxLayout:
    """``widget`` at the right end of a row. Stretches, not an alignment flag: this is the first
    window, and the Qt namespace that holds the flags takes about 15 ms to load (its enums)."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget)
    return row


class CredentialsForm(QWidget):
    """Name, password and a button; the check runs off the GUI thread (Argon2id takes a moment)."""

    succeeded = Signal(object)  # SignedIn
    refused = Signal(str)  # the one-line reason, as shown

    def __init__(self, prefix: str, button_text: str, attempt: Callable[[str, str], SignedIn],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._attempt = attempt
        self.name = text_edit(f"{prefix}_name", "Name")
        self.password = password_edit(f"{prefix}_password", "Password")
        self.button = QPushButton(button_text)
        self.button.setObjectName(f"{prefix}_button")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.name.returnPressed.connect(self.password.setFocus)
        self.error = error_label(f"{prefix}_error")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Password", self.password)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addLayout(_pushed_right(self.button))

    def submit(self) -> None:
        if not self.button.isEnabled():
            return  # a check is already running
        name, password = self.name.text().strip(), self.password.text()
        if not name or not password:
            show_problem(self.error, "Please enter your name and password.")
            return
        show_note(self.error, "Checking…")
        self.button.setEnabled(False)
        run_in_background(lambda: self._attempt(name, password), self._done, self._failed)

    def _done(self, signed_in: Any) -> None:
        self.button.setEnabled(True)
        self.error.clear()
        self.password.clear()
        self.succeeded.emit(signed_in)

    def _failed(self, exc: BaseException, _details: str) -> None:
        self.button.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        show_problem(self.error, safe_message(exc))
        self.refused.emit(self.error.text())


class LoginScreen(QWidget):
    """Log in to the records in ``folder``."""

    logged_in = Signal(object)  # SignedIn
    forgot_requested = Signal()

    def __init__(self, folder: Path, *, params: Argon2Parameters = PRODUCTION, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.params = params  # the costs a password hash is kept at (remade after a login if others)
        self.setObjectName("login_screen")
        title = QLabel("<h2>ptassist</h2>Log in to the clinic's records.")
        self.form = CredentialsForm("login", "Log in", self._log_in)
        self.form.succeeded.connect(self.logged_in.emit)
        self.forgot = QPushButton("Forgot password?")
        self.forgot.setObjectName("forgot_password_button")
        self.forgot.setFlat(True)
        self.forgot.clicked.connect(self.forgot_requested.emit)
        row = QHBoxLayout()
        row.addWidget(self.forgot)
        row.addStretch(1)
        box = QWidget()
        box.setMinimumWidth(400)
        box.setMaximumWidth(480)
        column = QVBoxLayout(box)
        column.addWidget(title)
        column.addWidget(self.form)
        column.addLayout(row)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(box)
        centred.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(centred)
        outer.addStretch(2)

    def _log_in(self, name: str, password: str) -> SignedIn:
        from ptassist.services.identity import log_in

        return log_in(self.folder, name, password, params=self.params)
