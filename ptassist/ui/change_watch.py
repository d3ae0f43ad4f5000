"""The Qt side of the store's change feed and of the draft leases: a cheap timer asks the feed
what other workstations committed and tells the screens; another renews this process's leases.

Neither asks the database on the GUI thread: a server that stops answering (switched off, the
network gone) would freeze the window until the driver gives up. Each runs its question on a thread
of its own (one at a time: a tick while the last question is still out is skipped) and the answer
comes back to the GUI thread as a signal. Only the work that touches the screens' objects (which
drafts this process holds, and what trying again for a lost lease found) stays on the GUI thread;
the try itself runs on the worker with the renewal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from ptassist.services.draft_session import DraftSession, DraftSessions
from ptassist.store.change_feed import Change, ChangeFeed
from ptassist.store.leases import HEARTBEAT_INTERVAL
from ptassist.ui.worker import run_in_background

log = logging.getLogger(__name__)

POLL_MS = 500  # how soon a sign on another workstation shows here, at most (plus the refresh)


def _own_thread(parent: QObject) -> QThreadPool:
    """One worker thread for one watcher: its questions never queue behind a backup, nor the reverse."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool


class ChangeWatch(QObject):
    """Polls a :class:`ChangeFeed` off the GUI thread; ``changed`` carries what was committed elsewhere."""

    changed = Signal(list)  # list[Change]

    def __init__(self, feed: ChangeFeed, interval_ms: int = POLL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.feed = feed
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.tick)
        self._pool = _own_thread(self)
        self._failing = False
        self._asking = False  # a poll is out on the worker thread
        self._stopped = False

    def start(self) -> None:
        self._timer.start()

    def tick(self) -> None:
        """Ask the feed on the worker thread, unless the last question is still out."""
        if self._asking or self._stopped:
            return
        self._asking = True
        run_in_background(self.feed.poll, self._answered, self._failed, pool=self._pool)

    def poll(self) -> list[Change]:
        """Ask the feed here and now (tests, and a screen that must catch up before it goes on)."""
        try:
            changes = self.feed.poll()
        except Exception as exc:
            self._failed(exc, "")
            return []
        self._answered(changes)
        return changes

    def _answered(self, changes: list[Change]) -> None:
        self._asking = False
        if self._stopped:
            self.feed.close()
            return
        self._failing = False
        if changes:
            self.changed.emit(changes)

    def _failed(self, exc: BaseException, _details: str) -> None:
        """A busy or unreachable database: try again at the next tick (said once in the log)."""
        self._asking = False
        if self._stopped:
            self.feed.close()
            return
        if not self._failing:
            log.warning("change feed not read: %s", type(exc).__name__)
        self._failing = True

    def stop(self) -> None:
        """No more polls; the feed's connection is closed now, or when the question out comes back."""
        self._timer.stop()
        self._stopped = True
        if not self._asking:
            self.feed.close()


class LeaseBeat(QObject):
    """Renews the leases of the drafts open in ``sessions`` off the GUI thread; ``lost`` carries the
    sessions whose lease went to another workstation meanwhile (this one was silent past the timeout)."""

    lost = Signal(list)  # list[DraftSession]

    def __init__(self, sessions: Callable[[], DraftSessions | None],
                 interval_ms: int = int(HEARTBEAT_INTERVAL.total_seconds() * 1000),
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.tick)
        self._pool = _own_thread(self)
        self._renewing = False

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        """Renew on the worker thread (nothing to do when no draft is open here)."""
        sessions = self._sessions()
        if self._renewing or sessions is None:
            return
        held = sessions.leases.held
        if not held:
            return
        self._renewing = True

        def renewed(outcome: tuple[set[int], dict[int, Any]]) -> None:
            self._renewing = False
            if self._sessions() is sessions:  # not logged out (or locked to another user) meanwhile
                still, retaken = outcome
                self._report(sessions.renewed(held, still, retaken))

        def failed(exc: BaseException, _details: str) -> None:
            self._renewing = False
            self._heartbeat_failed(exc)

        run_in_background(lambda: sessions.leases.renew_and_retake(held), renewed, failed, pool=self._pool)

    def beat(self) -> list[DraftSession]:
        """Renew here and now (tests, and before a screen relies on its leases)."""
        sessions = self._sessions()
        if sessions is None:
            return []
        try:
            changed = sessions.heartbeat()
        except Exception as exc:
            self._heartbeat_failed(exc)
            return []
        return self._report(changed)

    def _report(self, changed: list[DraftSession]) -> list[DraftSession]:
        lost = [session for session in changed if session.read_only_reason is not None]
        if lost:
            self.lost.emit(lost)
        return lost

    @staticmethod
    def _heartbeat_failed(exc: BaseException) -> None:
        # The leases expire on their own if this keeps failing; the services refuse a save then.
        log.warning("draft lease heartbeat failed: %s", type(exc).__name__)
