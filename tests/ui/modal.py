"""Answer a modal dialog the way a user does: wait for it to appear, read it, click a button in it.

A dialog run with exec() has its own event loop, so the answer is scheduled before the call that
opens it. A dialog that never appears stops the polling after a few seconds, and a dialog without
the expected button is closed and recorded, so a test fails instead of hanging.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLineEdit, QMessageBox, QWidget

POLL_MS = 20
GIVE_UP_MS = 5000


@dataclass
class Answered:
    """What the dialog showed: its object name, its text, its default button's text."""

    seen: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _describe(dialog: QWidget, answered: Answered) -> None:
    answered.seen.append(dialog.objectName())
    if isinstance(dialog, QMessageBox):
        answered.texts.append(f"{dialog.text()}\n{dialog.informativeText()}")
        default = dialog.defaultButton()
        answered.defaults.append(default.text() if default is not None else "")


Answer = str | QMessageBox.StandardButton | Callable[[QWidget], None]


def _click(dialog: QWidget, button: Answer, answered: Answered) -> None:
    _describe(dialog, answered)
    if callable(button) and not isinstance(button, QMessageBox.StandardButton):
        button(dialog)
        return
    target: QAbstractButton | None
    if isinstance(button, QMessageBox.StandardButton):
        target = dialog.button(button) if isinstance(dialog, QMessageBox) else None
    else:
        target = dialog.findChild(QAbstractButton, button)
    if target is None:
        answered.missing.append(str(button))
        if isinstance(dialog, QDialog):
            dialog.reject()
        return
    target.click()


def answer_next(*buttons: Answer, answered: Answered | None = None, give_up_ms: int = GIVE_UP_MS,
                only: str | None = None) -> Answered:
    """Schedule the answers to the next modal dialogs, one each in turn: a button's object name, a
    standard button, or a function given the dialog (which must close it). ``give_up_ms``: how long
    to wait for a dialog that comes after background work (a restore checks the backup first);
    ``only``: answer only dialogs of this object name (a progress dialog may be modal meanwhile)."""
    answered = answered or Answered()
    queue = list(buttons)
    state: dict[str, object] = {"waited": 0, "previous": None}

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if (dialog is None or (dialog is state["previous"] and dialog.isVisible())
                or (only is not None and dialog.objectName() != only)):
            state["waited"] = int(state["waited"]) + POLL_MS  # type: ignore[call-overload]
            if int(state["waited"]) < give_up_ms:  # type: ignore[call-overload]
                QTimer.singleShot(POLL_MS, attempt)
            return
        state["previous"], state["waited"] = dialog, 0
        _click(dialog, queue.pop(0), answered)
        if queue:
            QTimer.singleShot(POLL_MS, attempt)

    QTimer.singleShot(0, attempt)
    return answered


def type_password(password: str, *, cancel: bool = False) -> Callable[[QWidget], None]:
    """An answer for the password dialog: type ``password`` and press OK (or Cancel)."""

    def answer(dialog: QWidget) -> None:
        edit = dialog.findChild(QLineEdit, "confirm_password")
        if edit is None:
            if isinstance(dialog, QDialog):
                dialog.reject()
            return
        edit.setText(password)
        name = "password_cancel_button" if cancel else "password_ok_button"
        button = dialog.findChild(QAbstractButton, name)
        assert button is not None
        button.click()

    return answer
