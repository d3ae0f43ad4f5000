"""Run long work off the GUI thread: one small helper with success and failure callbacks."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()

    @Slot()
    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            self.signals.succeeded.emit(result)


_running: set[_Task] = set()


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException, str], None],
    pool: QThreadPool | None = None,
) -> None:
    """Run ``work`` on the thread pool (``pool``, else the global one); the callbacks run on the GUI thread."""
    task = _Task(work)
    _running.add(task)

    def done(result: Any) -> None:
        _running.discard(task)
        on_success(result)

    def failed(exc: BaseException, details: str) -> None:
        _running.discard(task)
        on_failure(exc, details)

    task.signals.succeeded.connect(done)
    task.signals.failed.connect(failed)
    task.setAutoDelete(False)
    (pool or QThreadPool.globalInstance()).start(task)


def run_with_progress(
    parent: QWidget,
    message: str,
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException, str], None],
    name: str = "progress",
) -> None:
    """:func:`run_in_background` behind a busy dialog that blocks its window until the work ends."""
    # Here, not at the top: the login screen runs its check through this module before anything
    # else needs the Qt namespace, whose enums take about 15 ms to create.
    from PySide6.QtCore import Qt

    progress = QProgressDialog(message, "", 0, 0, parent)
    progress.setObjectName(name)
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.show()

    def succeeded(result: Any) -> None:
        progress.close()
        on_success(result)

    def failed(exc: BaseException, details: str) -> None:
        progress.close()
        on_failure(exc, details)

    run_in_background(work, succeeded, failed)


def wait_for_background_work() -> None:
    """Before exit: let running work (a backup, a check) finish rather than cut it off."""
    QThreadPool.globalInstance().waitForDone()
