"""Start the desktop application: logging, error dialog, records, main window."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from PySide6.QtCore import QSettings, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ptassist import __version__, paths
from ptassist.core.resources import resource_path
from ptassist.security.files import create_private, make_private_folder, open_private_append, tighten, tighten_tree
from ptassist.store.errors import CorruptDatabaseError, StoreError
from ptassist.store.patient_directory import PatientDirectory
from ptassist.store.sqlite_file import check_sqlite_file
from ptassist.ui.records_loader import RecordsLoader
from ptassist.ui.worker import run_in_background, wait_for_background_work

if TYPE_CHECKING:
    from ptassist.services.records import Records
    from ptassist.ui.main_window import MainWindow

log = logging.getLogger("ptassist")
APP_ID = "org.ptassist.ptassist"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 from their creation, whatever the process umask."""

    def _open(self) -> TextIO:  # type: ignore[override]  # the base declares TextIOWrapper
        return open_private_append(Path(self.baseFilename), self.encoding, self.errors)


def setup_logging() -> Path:
    """A rotating log file in the user log folder (0700, files 0600). Never patient names or note text."""
    folder = paths.log_dir()
    make_private_folder(folder)
    tighten_tree(folder)  # logs written by earlier versions
    handler = PrivateRotatingFileHandler(folder / "ptassist.log", maxBytes=1_000_000, backupCount=5,
                                         encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)

    def qt_messages(kind: QtMsgType, _context: object, message: str) -> None:
        level = logging.WARNING if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg) else logging.INFO
        logging.getLogger("qt").log(level, "%s", message)

    qInstallMessageHandler(qt_messages)
    return folder / "ptassist.log"


def install_error_dialog(log_file: Path) -> None:
    """Anything unexpected: log it, and show a dialog whose details can be copied."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error: %s", details)
        if QApplication.instance() is None:
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong",
                          f"ptassist hit an unexpected error. Your saved work is safe.\n\n{value}")
        box.setObjectName("error_dialog")
        box.setDetailedText(f"ptassist {__version__}\nlog: {log_file}\n\n{details}")
        box.exec()

    sys.excepthook = hook


def ui_settings(folder: Path) -> QSettings:
    """Window state and preferences (UI only), kept beside the records of this data folder (0600:
    made here if new; Qt keeps an existing file's mode when it rewrites it)."""
    path = folder / "ui-settings.ini"
    with contextlib.suppress(OSError):  # a read-only folder: Qt reads what is there, or keeps them in memory
        if path.exists():
            tighten(path)
        elif folder.is_dir():
            create_private(path).close()
    return QSettings(str(path), QSettings.Format.IniFormat)


def cannot_open_message(exc: BaseException, folder: Path) -> str:
    """What to tell the clinician when the records cannot be opened, with the way back if damaged."""
    if isinstance(exc, CorruptDatabaseError):
        from ptassist.store import backup as backups

        newest = backups.newest_backup(folder)
        hint = f"\n\nRestore the newest backup with:\nptassist restore {newest}" if newest else ""
        return f"{exc}.{hint}"
    return str(exc)


def open_records_now(folder: Path) -> Records:
    """Open (creating or migrating) the records before the window: the first start, an older file."""
    from ptassist.services.records import Records

    return Records.open(folder, daily_backup=False, thorough_check=False)


def run_app(smoke_test: bool = False, data_dir: str | None = None) -> int:
    """Open the records in the data folder and show the main window.

    On an existing database the window opens at once over the start-up patient directory and the
    records load off the GUI thread. With ``smoke_test`` the app shows the main window, opens a
    patient if there is one, and exits 0.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("ptassist")
    app.setApplicationDisplayName("ptassist")
    app.setOrganizationName("ptassist")
    app.setDesktopFileName(APP_ID)  # the desktop entry (packaging/), so shells show its icon
    app.setWindowIcon(QIcon(str(resource_path("icons", "ptassist.svg"))))
    log_file = setup_logging()
    install_error_dialog(log_file)
    folder = paths.data_dir(data_dir)

    def cannot_open(parent: QWidget | None, title: str, exc: BaseException) -> None:
        message = cannot_open_message(exc, folder)
        if smoke_test:  # a smoke test reports and fails; it never waits on a dialog
            print(f"ptassist-smoke-failed {title}: {message}", file=sys.stderr, flush=True)
        else:
            QMessageBox.critical(parent, title, message)

    sqlite_file = paths.database_url(folder) == f"sqlite:///{paths.database_path(folder)}"
    directory = PatientDirectory.open(paths.database_path(folder)) if sqlite_file else None
    source: Records | RecordsLoader
    if directory is None:
        try:
            source = open_records_now(folder)
        except StoreError as exc:
            cannot_open(None, "ptassist cannot open its records", exc)
            return 1
    else:
        source = RecordsLoader(lambda: open_records_now(folder))

    from ptassist.ui.main_window import MainWindow

    window = MainWindow(source, ui_settings(folder), patients=directory)
    window.show()

    def after_start(records: Records) -> None:
        # The full integrity check and the day's backup read the whole file: after start-up,
        # off the GUI thread.
        from ptassist.store import backup as backups

        if records.database.path is not None:
            check_sqlite_file(records.database.path, thorough=True, key=records.database.key)
        backups.daily_backup(records.database)

    def damaged(exc: BaseException, _details: str) -> None:
        log.warning("start-up check failed: %s", type(exc).__name__)
        cannot_open(window, "Records need attention", exc)

    def started(records: Records) -> None:
        window.records_ready(records)
        window.reopen_unfinished_draft()
        run_in_background(lambda: after_start(records), lambda _r: log.info("integrity check and daily backup done"),
                          damaged)

    def failed(exc: BaseException, _details: str) -> None:
        log.error("records could not be opened: %s", type(exc).__name__)
        cannot_open(window, "ptassist cannot open its records", exc)
        app.exit(1)

    if isinstance(source, RecordsLoader):
        source.when_ready(started, failed)
        QTimer.singleShot(0, source.start)  # once the window is up
    else:
        started(source)
    log.info("ptassist %s started", __version__)
    if smoke_test:
        QTimer.singleShot(0, lambda: _smoke(app, window))
    code = int(app.exec())
    wait_for_background_work()
    if directory is not None:
        directory.close()
    window.close_records()
    return code


def _smoke(app: QApplication, window: MainWindow) -> None:
    """The packaged-build check: the window is up; open the first patient, then quit."""
    # When the window is up with its patient list: benchmarks read this line.
    print(f"ptassist-ready {time.time():.6f}", flush=True)
    try:
        first = window.patients.lookup.page(limit=1)
        if first:
            window.open_patient(first[0].id)  # waits for the records if they are still loading
            print(f"ptassist-patient-open {time.time():.6f}", flush=True)
    except Exception as exc:
        print(f"ptassist-smoke-failed {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        app.exit(1)
        return
    app.quit()
