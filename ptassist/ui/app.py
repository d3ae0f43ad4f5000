"""Start the desktop application: logging, error dialog, records, main window."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from ptassist import __version__, paths
from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store.database import CorruptDatabaseError, StoreError, check_sqlite_file

log = logging.getLogger("ptassist")


def setup_logging() -> Path:
    """A rotating log file in the user log folder. Never patient names or note text."""
    folder = paths.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(folder / "ptassist.log", maxBytes=1_000_000, backupCount=5,
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
    """Window state and preferences (UI only), kept beside the records of this data folder."""
    return QSettings(str(folder / "ui-settings.ini"), QSettings.Format.IniFormat)


def run_app(smoke_test: bool = False, data_dir: str | None = None) -> int:
    """Open the records in the data folder and show the main window.

    With ``smoke_test`` the app shows the main window, opens a patient if there is one, and exits 0.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("ptassist")
    app.setApplicationDisplayName("ptassist")
    app.setOrganizationName("ptassist")
    log_file = setup_logging()
    install_error_dialog(log_file)
    folder = paths.data_dir(data_dir)
    try:
        records = Records.open(folder, daily_backup=False, thorough_check=False)
    except CorruptDatabaseError as exc:
        newest = backups.newest_backup(folder)
        hint = f"\n\nRestore the newest backup with:\nptassist restore {newest}" if newest else ""
        QMessageBox.critical(None, "ptassist cannot open its records", f"{exc}.{hint}")
        return 1
    except StoreError as exc:
        QMessageBox.critical(None, "ptassist cannot open its records", str(exc))
        return 1
    from ptassist.ui.main_window import MainWindow

    window = MainWindow(records, ui_settings(folder))
    window.show()
    window.reopen_unfinished_draft()
    # The daily backup copies the whole database: take it after the window is up, off the GUI thread.
    from ptassist.ui.worker import run_in_background

    def after_start() -> None:
        if records.database.path is not None:
            check_sqlite_file(records.database.path, thorough=True)
        backups.daily_backup(records.database)

    def damaged(exc: BaseException, _details: str) -> None:
        log.warning("start-up check failed: %s", exc)
        newest = backups.newest_backup(folder)
        hint = f"\n\nRestore the newest backup (Settings, Restore…): {newest}" if newest else ""
        QMessageBox.critical(window, "Records need attention", f"{exc}{hint}")

    run_in_background(after_start, lambda _r: log.info("integrity check and daily backup done"), damaged)
    log.info("ptassist %s started", __version__)
    if smoke_test:
        def smoke() -> None:
            first = records.patients.page(limit=1)
            if first:
                window.open_patient(first[0].id)
            # When the window is up and a patient is open: benchmarks read this line.
            print(f"ptassist-ready {time.time():.6f}", flush=True)
            app.quit()

        QTimer.singleShot(0, smoke)
    code = int(app.exec())
    records.close()
    return code
