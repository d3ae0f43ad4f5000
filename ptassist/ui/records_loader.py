"""Open the records off the GUI thread while the window is already up.

Importing SQLAlchemy and the ORM and checking the schema takes about half a second; the patient
list does not need them (see :mod:`ptassist.store.patient_directory`), so the window opens first.
Anything that needs the records before they are ready waits for them (at most that half-second).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ptassist.ui.worker import run_in_background

if TYPE_CHECKING:
    from ptassist.services.records import Records


class RecordsLoader:
    """Records being opened on the thread pool; :meth:`result` returns them, waiting if needed."""

    def __init__(self, open_records: Callable[[], Records]) -> None:
        self._open = open_records
        self._done = threading.Event()
        self._records: Records | None = None
        self._error: BaseException | None = None
        self._ready: list[Callable[[Records], None]] = []
        self._failed: list[Callable[[BaseException, str], None]] = []
        self._started = False

    def start(self) -> None:
        """Begin opening (once). The app calls this when its window is up, so that the import work
        does not compete with building the window; :meth:`result` starts it too if needed."""
        if not self._started:
            self._started = True
            run_in_background(self._work, self._finished, self._failure)

    def _work(self) -> Records:
        try:
            self._records = self._open()
            return self._records
        except BaseException as exc:
            self._error = exc
            raise
        finally:
            self._done.set()

    def result(self) -> Records:
        """The records, once open; raises what opening them raised."""
        self.start()
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._records is not None
        return self._records

    def when_ready(self, ready: Callable[[Records], None], failed: Callable[[BaseException, str], None]) -> None:
        """Call ``ready`` (or ``failed``) on the GUI thread once the records are open."""
        self._ready.append(ready)
        self._failed.append(failed)

    def _finished(self, records: Records) -> None:
        for callback in self._ready:
            callback(records)

    def _failure(self, exc: BaseException, details: str) -> None:
        for callback in self._failed:
            callback(exc, details)
