"""Start the desktop application: logging, error dialog, then the first window (see app_shell)."""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import TextIO

from PySide6.QtCore import QSize, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ptassist import __version__, paths
from ptassist.core.resources import resource_path
from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.security.files import make_private_folder, open_private_append, tighten_tree
from ptassist.ui.app_shell import AppShell, cannot_open_message, smoke_failed, ui_settings
from ptassist.ui.start_window import StartWindow
from ptassist.ui.worker import wait_for_background_work

__all__ = ["cannot_open_message", "run_app", "ui_settings"]  # ui_settings: the tests' and screenshots' import

log = logging.getLogger("ptassist")
APP_ID = "org.ptassist.ptassist"


class PrivateRotatingFileHandler(logging.FileHandler):
    """A rotating log whose files are 0600 from their creation, whatever the process umask.

    What logging.handlers.RotatingFileHandler does (past ``max_bytes`` the file becomes ``.1``, the
    older ones move up, ``backup_count`` are kept), on logging.FileHandler: logging.handlers imports
    socket, pickle and queue, about 8 ms of every start before the first window."""

    def __init__(self, filename: Path, max_bytes: int, backup_count: int, encoding: str = "utf-8") -> None:
        self.max_bytes, self.backup_count = max_bytes, backup_count
        super().__init__(filename, mode="a", encoding=encoding)

    def _open(self) -> TextIO:  # type: ignore[override]  # the base declares TextIOWrapper
        return open_private_append(Path(self.baseFilename), self.encoding, self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full(record):
                self.doRollover()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _reopen(self) -> TextIO:
        stream = self._open()
        self.stream = stream  # type: ignore[assignment]  # a text stream, as the base's
        return stream

    def _full(self, record: logging.LogRecord) -> bool:
        stream: TextIO = self.stream or self._reopen()
        stream.seek(0, os.SEEK_END)
        return stream.tell() + len(self.format(record)) + 1 >= self.max_bytes  # the line and its newline

    def doRollover(self) -> None:  # noqa: N802 - RotatingFileHandler's name, which the tests call
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        for n in range(self.backup_count - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if self.backup_count > 0 and os.path.exists(base):
            os.replace(base, f"{base}.1")
        self._reopen()


def window_icon() -> QIcon:
    """The app's icon: the PNG sizes a bundle carries (``icons/ptassist-SIZE.png``, drawn from the SVG
    as it is built), else the SVG itself (a source checkout). From PNGs the first window loads
    neither Qt's SVG icon engine nor QtSvg, and nothing is drawn as the window shows."""
    folder = resource_path("icons")
    icon = QIcon()
    for entry in folder.iterdir():
        size = entry.name.removeprefix("ptassist-").removesuffix(".png")
        if entry.name.endswith(".png") and size.isdigit():
            icon.addFile(str(entry), QSize(int(size), int(size)))  # read when a size is drawn, not now
    return icon if not icon.isNull() else QIcon(str(folder / "ptassist.svg"))


def setup_logging() -> Path:
    """A rotating log file in the user log folder (0700, files 0600). Never patient names or note text."""
    folder = paths.log_dir()
    make_private_folder(folder)
    tighten_tree(folder)  # logs written by earlier versions
    handler = PrivateRotatingFileHandler(folder / "ptassist.log", max_bytes=1_000_000, backup_count=5)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, PrivateRotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)

    def qt_messages(kind: QtMsgType, _context: object, message: str) -> None:
        level = logging.WARNING if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg) else logging.INFO
        logging.getLogger("qt").log(level, "%s", message)

    qInstallMessageHandler(qt_messages)
    return folder / "ptassist.log"


def install_error_dialog(log_file: Path, smoke_test: bool = False) -> None:
    """Anything unexpected: log it, and show a dialog whose details can be copied (a smoke test
    reports it and fails instead: it never waits on a dialog)."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error: %s", details)
        app = QApplication.instance()
        if app is None:
            return
        if smoke_test:
            smoke_failed(f"unexpected {kind.__name__}")
            app.exit(1)
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong",
                          f"ptassist hit an unexpected error. Your saved work is safe.\n\n{value}")
        box.setObjectName("error_dialog")
        box.setDetailedText(f"ptassist {__version__}\nlog: {log_file}\n\n{details}")
        box.exec()

    sys.excepthook = hook


def run_app(smoke_test: bool = False, data_dir: str | None = None,
            params: Argon2Parameters = PRODUCTION) -> int:
    """Open on the first-start or login screen of the data folder, then the main window.

    With ``smoke_test`` the app shows its first window and exits 0; on existing records with
    ``PTASSIST_USER`` and ``PTASSIST_PASSWORD`` set it logs in first and opens the first patient.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("ptassist")
    app.setApplicationDisplayName("ptassist")
    app.setOrganizationName("ptassist")
    app.setDesktopFileName(APP_ID)  # the desktop entry (packaging/), so shells show its icon
    app.setWindowIcon(window_icon())
    log_file = setup_logging()
    install_error_dialog(log_file, smoke_test)
    folder = paths.data_dir(data_dir)
    failures: list[str] = []

    def report(title: str, exc: BaseException) -> None:
        message = cannot_open_message(exc, folder)
        if smoke_test:  # a smoke test reports and fails; it never waits on a dialog
            failures.append(title)
            smoke_failed(f"{title}: {message}")
            app.exit(1)
        else:
            QMessageBox.critical(shell.window, title, message)

    shell = AppShell(folder, params=params, report=report)
    start_window = shell.start()
    log.info("ptassist %s started", __version__)
    if smoke_test:
        QTimer.singleShot(0, lambda: _smoke_start(app, shell, start_window))
    QTimer.singleShot(0, _screen_fonts)  # after the first window is up: names in every script show
    code = int(app.exec())
    wait_for_background_work()
    shell.close()
    return 1 if failures and code == 0 else code


def _screen_fonts() -> None:
    from ptassist.ui.screen_fonts import register_screen_fonts

    register_screen_fonts()


def _smoke_start(app: QApplication, shell: AppShell, start_window: StartWindow) -> None:
    """The smoke test's first window is up: log in from the environment if asked, else stop here."""
    user, password = os.environ.get("PTASSIST_USER"), os.environ.get("PTASSIST_PASSWORD")
    login = start_window.login
    if not (user and password and start_window.stack.currentWidget() is login):
        _smoke(app, start_window)
        return
    print(f"ptassist-login-screen {time.time():.6f}", flush=True)
    shell.window_opened.append(lambda window: _smoke(app, window))
    login.form.refused.connect(lambda text: _login_refused(app, text))
    login.form.name.setText(user)
    login.form.password.setText(password)
    login.form.submit()  # the real form: the same check, off the GUI thread


def _login_refused(app: QApplication, text: str) -> None:
    smoke_failed(f"login: {text}")
    app.exit(1)


def _smoke(app: QApplication, window: QWidget) -> None:
    """The packaged-build check: the window is up; open the first patient if logged in, then quit."""
    # When the window is up (the main window with its patient list after a login): benchmarks read this.
    print(f"ptassist-ready {time.time():.6f}", flush=True)
    patients = getattr(window, "patients", None)
    try:
        first = patients.lookup.page(limit=1) if patients is not None else []
        if first:
            window.open_patient(first[0].id)  # type: ignore[attr-defined]  # waits for the records
            print(f"ptassist-patient-open {time.time():.6f}", flush=True)
    except Exception as exc:
        smoke_failed(f"{type(exc).__name__}: {exc}")
        app.exit(1)
        return
    app.quit()
