"""Idle = no key or mouse input anywhere in the app for a while (an application event filter)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication

IDLE_MINUTES_KEY = "security/idle_minutes"
DEFAULT_IDLE_MINUTES = 10
IDLE_MINUTES_RANGE = (1, 120)

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate, QEvent.Type.TabletPress, QEvent.Type.ShortcutOverride,
})


def idle_minutes(settings: QSettings) -> int:
    """The workstation's idle period before the lock (Settings), within its bounds."""
    try:
        minutes = int(str(settings.value(IDLE_MINUTES_KEY, DEFAULT_IDLE_MINUTES)))
    except (TypeError, ValueError):
        return DEFAULT_IDLE_MINUTES
    low, high = IDLE_MINUTES_RANGE
    return min(max(minutes, low), high)


class IdleWatch(QObject):
    """Emits :attr:`idle` once after ``interval_ms`` without input; any input starts the wait again."""

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.idle.emit)
        self._app: QApplication | None = None

    def start(self) -> None:
        app = QApplication.instance()
        if self._app is None and isinstance(app, QApplication):
            self._app = app
            app.installEventFilter(self)
        self.timer.start()

    def stop(self) -> None:
        """While locked nothing is watched (the lock screen is already up)."""
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None
        self.timer.stop()

    def set_interval(self, interval_ms: int) -> None:
        self.timer.setInterval(interval_ms)
        if self.timer.isActive():
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in INPUT_EVENTS and self.timer.isActive():
            self.timer.start()  # restarts the wait
        return False
