"""The lock screen: every window of the app is covered (nothing of a patient shows, the drafts
and the windows stay exactly as they were) and a small modal window asks for the password.

Unlocking as the same user takes the covers off. Unlocking as someone else is reported with the
new account, and the caller closes the first user's drafts safely before reopening the records.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout, QWidget

from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.ui.login_screen import CredentialsForm

if TYPE_CHECKING:
    from ptassist.services.identity import SignedIn

LOCKED_TITLE = "ptassist (locked)"


class Cover(QWidget):
    """An opaque sheet over one window's contents, following its size."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lock_cover")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#lock_cover { background: #2f3b45; }")
        label = QLabel("ptassist is locked", self)
        label.setStyleSheet("color: #dfe6eb; font-size: 18px;")
        column = QVBoxLayout(self)
        column.addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
        self._title = window.windowTitle()
        window.setWindowTitle(LOCKED_TITLE)
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.Resize, QEvent.Type.ChildAdded, QEvent.Type.LayoutRequest):
            window = self.parentWidget()
            if window is not None:
                self.setGeometry(window.rect())
                self.raise_()
        return False

    def remove(self) -> None:
        window = self.parentWidget()
        if window is not None:
            window.removeEventFilter(self)
            window.setWindowTitle(self._title)
        self.hide()
        self.setParent(None)
        self.deleteLater()


class LockScreen(QDialog):
    """Locked by ``signed_in``; the same password unlocks, another name and password switch user."""

    unlocked = Signal(object, bool)  # (SignedIn, the same user as before)

    def __init__(self, folder: Path, signed_in: SignedIn, parent: QWidget | None = None,
                 windows: Callable[[], list[QWidget]] | None = None, params: Argon2Parameters = PRODUCTION) -> None:
        super().__init__(parent)
        self.folder = folder
        self.params = params
        self.locked_by = signed_in
        self.setObjectName("lock_screen")
        self.setWindowTitle(LOCKED_TITLE)
        self.setModal(True)  # above every window of the app, including dialogs left open
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        name = signed_in.account.name
        heading = QLabel(f"<h3>Locked</h3>{_escape(name)} was using ptassist. Type the password to go on, "
                         "or log in as someone else (their drafts are saved and closed first).")
        heading.setObjectName("lock_heading")
        heading.setWordWrap(True)
        self.form = CredentialsForm("unlock", "Unlock", self._attempt)
        self.form.name.setText(name)
        self.form.succeeded.connect(self._succeeded)
        column = QVBoxLayout(self)
        column.addWidget(heading)
        column.addWidget(self.form)
        self.setMinimumWidth(420)
        self.covers = [Cover(window) for window in (windows or _app_windows)() if window is not self]

    def _attempt(self, name: str, password: str) -> SignedIn:
        from ptassist.security.keyfile import same_name
        from ptassist.services.identity import confirm_password, log_in

        if same_name(name, self.locked_by.account.name):
            confirm_password(self.locked_by, self.folder, password)
            return self.locked_by
        return log_in(self.folder, name, password, params=self.params)

    def _succeeded(self, signed_in: SignedIn) -> None:
        if signed_in is self.locked_by:
            self.uncover()  # someone else: the first user's windows close under their covers
        self.hide()
        self.unlocked.emit(signed_in, signed_in is self.locked_by)
        self.deleteLater()

    def uncover(self) -> None:
        for cover in self.covers:
            cover.remove()
        self.covers = []

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        self.form.password.setFocus()

    def reject(self) -> None:
        """Escape does not unlock."""

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        event.ignore()  # only a password closes the lock screen


def _app_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()]


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
