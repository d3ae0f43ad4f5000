"""The Qt side of the store's change feed and of the draft leases: a cheap timer asks the feed
what other workstations committed and tells the screens; another renews this process's leases.

Both run on the GUI thread: the feed's question is a PRAGMA or a look at the socket (microseconds),
and the audit read after a change and the heartbeat are one small statement each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ptassist.services.draft_session import DraftSession, DraftSessions
from ptassist.store.change_feed import Change, ChangeFeed
from ptassist.store.leases import HEARTBEAT_INTERVAL

log = logging.getLogger(__name__)

POLL_MS = 500  # how soon a sign on another workstation shows here, at most (plus the refresh)


class ChangeWatch(QObject):
    """Polls a :class:`ChangeFeed`; ``changed`` carries what was committed elsewhere."""

    changed = Signal(list)  # list[Change]

    def __init__(self, feed: ChangeFeed, interval_ms: int = POLL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.feed = feed
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.poll)
        self._failing = False

    def start(self) -> None:
        self._timer.start()

    def poll(self) -> list[Change]:
        try:
            changes = self.feed.poll()
        except Exception as exc:  # a busy or unreachable database: try again at the next tick
            if not self._failing:
                log.warning("change feed not read: %s", type(exc).__name__)
            self._failing = True
            return []
        self._failing = False
        if changes:
            self.changed.emit(changes)
        return changes

    def stop(self) -> None:
        self._timer.stop()
        self.feed.close()


class LeaseBeat(QObject):
    """Renews the leases of the drafts open in ``sessions``; ``lost`` carries the sessions whose lease
    went to another workstation meanwhile (this one was silent past the timeout)."""

    lost = Signal(list)  # list[DraftSession]

    def __init__(self, sessions: Callable[[], DraftSessions | None],
                 interval_ms: int = int(HEARTBEAT_INTERVAL.total_seconds() * 1000),
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.beat)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def beat(self) -> list[DraftSession]:
        sessions = self._sessions()
        if sessions is None:
            return []
        try:
            changed = sessions.heartbeat()
        except Exception as exc:  # the leases expire on their own if this keeps failing
            log.warning("draft lease heartbeat failed: %s", type(exc).__name__)
            return []
        lost = [session for session in changed if session.read_only_reason is not None]
        if lost:
            self.lost.emit(lost)
        return lost
