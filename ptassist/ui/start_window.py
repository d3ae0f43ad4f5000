"""The window the app opens on, before any record is read: the first start (then the recovery
key) or the login screen (and "Forgot password?"). It needs no SQLAlchemy, so it is up at once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from ptassist import __version__
from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.ui.login_screen import LoginScreen

if TYPE_CHECKING:
    from ptassist.services.identity import SignedIn
    from ptassist.ui.first_start_screen import FirstStartScreen
    from ptassist.ui.forgot_password_screen import ForgotPasswordScreen
    from ptassist.ui.recovery_key_screen import RecoveryKeyScreen


class StartWindow(QWidget):
    """First start or login; emits :attr:`signed_in` once someone may open the records."""

    signed_in = Signal(object)  # SignedIn

    def __init__(self, folder: Path, *, first_start: bool, params: Argon2Parameters = PRODUCTION,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.params = params
        self.setObjectName("start_window")
        self.setWindowTitle(f"ptassist {__version__}")
        self.resize(720, 620)
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.login = LoginScreen(folder, params=params)
        self.login.logged_in.connect(self.signed_in.emit)
        self.login.forgot_requested.connect(self.show_forgot_password)
        self.stack.addWidget(self.login)
        self.first_start: FirstStartScreen | None = None
        self.recovery_key: RecoveryKeyScreen | None = None
        self.forgot: ForgotPasswordScreen | None = None
        if first_start:
            self.show_first_start()
        else:
            self.show_login()

    def show_login(self) -> None:
        self.stack.setCurrentWidget(self.login)
        self.login.form.name.setFocus()

    def show_first_start(self) -> None:
        from ptassist.ui.first_start_screen import FirstStartScreen

        if self.first_start is None:
            self.first_start = FirstStartScreen(self.folder, params=self.params)
            self.first_start.set_up_done.connect(self._show_recovery_key)
            self.stack.addWidget(self.first_start)
        self.stack.setCurrentWidget(self.first_start)

    def show_forgot_password(self) -> None:
        from ptassist.ui.forgot_password_screen import ForgotPasswordScreen

        if self.forgot is None:
            self.forgot = ForgotPasswordScreen(self.folder, params=self.params)
            self.forgot.recovered.connect(self.signed_in.emit)
            self.forgot.back_requested.connect(self.show_login)
            self.stack.addWidget(self.forgot)
        self.stack.setCurrentWidget(self.forgot)

    def _show_recovery_key(self, signed_in: SignedIn, recovery_text: str) -> None:
        from ptassist.ui.recovery_key_screen import RecoveryKeyScreen

        self.recovery_key = RecoveryKeyScreen(recovery_text, str(self.folder))
        self.stack.addWidget(self.recovery_key)
        self.stack.setCurrentWidget(self.recovery_key)

        def stored() -> None:
            assert self.recovery_key is not None
            self.recovery_key.forget()
            self.signed_in.emit(signed_in)

        self.recovery_key.stored.connect(stored)
