"""Scrolling a long form must never change the field under the pointer.

Qt's spin boxes and drop-downs take the mouse wheel even without the keyboard focus, so a therapist
scrolling the visit form with the wheel can silently change a temperature, a side or a grade on the
way down. Over such a field without the focus the wheel scrolls the form instead; once the field has
the focus (clicked or tabbed into) the wheel changes it as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QWidget


class WheelGuard(QObject):
    """Sends wheel events over unfocused value fields inside ``area`` to the area's scrolling."""

    def __init__(self, area: QAbstractScrollArea) -> None:
        super().__init__(area)
        self.area = area
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (event.type() == QEvent.Type.Wheel and isinstance(watched, (QAbstractSpinBox, QComboBox))
                and isinstance(watched, QWidget) and not watched.hasFocus()
                and self.area.isAncestorOf(watched)):
            QApplication.sendEvent(self.area.viewport(), event)
            return True
        return False
