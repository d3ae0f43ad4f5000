"""The app's windows from start to exit: first start or login, then the main window; the idle
lock and Ctrl+L; unlocking as the same user or as someone else.

Nothing here reads a record before someone has logged in: the start window needs the key file
only, and the main window then opens over the start-up patient directory while the records
(SQLAlchemy, the ORM) load off the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ptassist import paths
from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.security.files import create_private, tighten
from ptassist.ui.start_window import StartWindow
from ptassist.ui.worker import run_in_background, wait_for_background_work

# What only a logged-in session needs is imported when someone logs in: until then the start
# window is all there is, and it comes up sooner (benchmarks/bench_frozen.py).
if TYPE_CHECKING:
    from ptassist.services.identity import SignedIn
    from ptassist.services.records import Records
    from ptassist.store.patient_directory import PatientDirectory
    from ptassist.ui.idle_watch import IdleWatch
    from ptassist.ui.lock_screen import LockScreen
    from ptassist.ui.main_window import MainWindow
    from ptassist.ui.records_loader import RecordsLoader

log = logging.getLogger("ptassist")


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
    from ptassist.store.errors import CorruptDatabaseError

    if isinstance(exc, CorruptDatabaseError):
        from ptassist.store import backup as backups

        newest = backups.newest_backup(folder)
        hint = f"\n\nRestore the newest backup with:\nptassist restore {newest}" if newest else ""
        return f"{exc}.{hint}"
    return str(exc)


def open_records_now(folder: Path, signed_in: SignedIn) -> Records:
    """Open (creating or migrating) the records as the logged-in account."""
    from ptassist.services.records import Records

    return Records.open(folder, signed_in=signed_in, daily_backup=False, thorough_check=False)


def open_directory(folder: Path, signed_in: SignedIn) -> PatientDirectory | None:
    """The start-up patient list over the file, before the ORM loads (None: open the records first);
    an encrypted clinic's file is read keyed with the login's database key."""
    from ptassist.store.patient_directory import PatientDirectory

    if paths.database_url(folder) != f"sqlite:///{paths.database_path(folder)}":
        return None
    key = signed_in.database_key if signed_in.encrypted else None
    return PatientDirectory.open(paths.database_path(folder), key)


def clinic_state(folder: Path) -> str:
    """identity.clinic_state ("first_start" or "login": is there a key file?), read without
    importing the identity service, whose cryptography takes about 25 ms to load: the first
    window needs only the answer (a test holds the two to the same answer). Records on a server
    without a copy of its keys here (a new workstation) ask the identity service, which asks the server."""
    if paths.keys_path(folder).exists():
        return "login"
    if paths.database_url(folder).startswith("sqlite"):
        return "first_start"
    from ptassist.services import identity

    try:
        return identity.clinic_state(folder)
    except identity.IdentityError:  # the server cannot be asked now: the login screen says why when used
        return "login"


class AppShell(QObject):
    """Owns the start window, the main window and the lock screen of one data folder."""

    def __init__(self, folder: Path, *, params: Argon2Parameters = PRODUCTION,
                 report: Callable[[str, BaseException], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.params = params
        self.report = report or self._show_problem
        self.settings = ui_settings(folder)
        self.start_window: StartWindow | None = None
        self.window: MainWindow | None = None
        self.directory: PatientDirectory | None = None
        self.signed_in: SignedIn | None = None
        self.lock_screen: LockScreen | None = None
        self.idle: IdleWatch | None = None  # watches for input once someone has logged in
        self.window_opened: list[Callable[[MainWindow], None]] = []  # told when a main window is up

    # ------------------------------------------------------------------ start
    def start(self) -> StartWindow:
        """Show the first-start or the login screen (the key file decides)."""
        self.start_window = StartWindow(self.folder, first_start=clinic_state(self.folder) == "first_start",
                                        params=self.params)
        self.start_window.signed_in.connect(self.open_records)
        self.start_window.show()
        return self.start_window

    def open_records(self, signed_in: SignedIn) -> None:
        """Logged in: the main window over the patient directory; the records load off the GUI thread."""
        from ptassist.store.errors import StoreError
        from ptassist.ui.idle_watch import idle_minutes
        from ptassist.ui.main_window import MainWindow
        from ptassist.ui.records_loader import RecordsLoader

        self.signed_in = signed_in
        directory = open_directory(self.folder, signed_in)
        source: Records | RecordsLoader
        if directory is None:
            try:
                source = open_records_now(self.folder, signed_in)
            except StoreError as exc:
                self.report("ptassist cannot open its records", exc)
                return
        else:
            source = RecordsLoader(lambda: open_records_now(self.folder, signed_in))
        self.directory = directory
        window = MainWindow(source, self.settings, patients=directory, signed_in=signed_in)
        window.lock_requested.connect(self.lock)
        idle = self._idle_watch()
        window.settings_saved.connect(lambda: idle.set_interval(idle_minutes(self.settings) * 60_000))
        self.window = window
        window.show()
        if self.start_window is not None:
            self.start_window.close()
            self.start_window.deleteLater()
            self.start_window = None
        if isinstance(source, RecordsLoader):
            source.when_ready(self._records_ready, self._records_failed)
            QTimer.singleShot(0, source.start)  # once the window is up
        else:
            self._records_ready(source)
        idle.set_interval(idle_minutes(self.settings) * 60_000)
        idle.start()
        for callback in self.window_opened:
            callback(window)

    def _idle_watch(self) -> IdleWatch:
        if self.idle is None:
            from ptassist.ui.idle_watch import IdleWatch

            self.idle = IdleWatch(0, self)  # the interval is set from Settings as a window opens
            self.idle.idle.connect(self.lock)
        return self.idle

    def _records_ready(self, records: Records) -> None:
        window = self.window
        if window is None:
            return
        window.records_ready(records)
        window.reopen_unfinished_draft()

        def damaged(exc: BaseException, _details: str) -> None:
            log.warning("start-up check failed: %s", type(exc).__name__)
            self.report("Records need attention", exc)

        run_in_background(lambda: after_start(records), lambda _r: log.info("integrity check and daily backup done"),
                          damaged)

    def _records_failed(self, exc: BaseException, _details: str) -> None:
        log.error("records could not be opened: %s", type(exc).__name__)
        self.report("ptassist cannot open its records", exc)
        app = QApplication.instance()
        if app is not None:
            app.exit(1)

    def _show_problem(self, title: str, exc: BaseException) -> None:
        QMessageBox.critical(self.window, title, cannot_open_message(exc, self.folder))

    # ------------------------------------------------------------------ lock
    def lock(self) -> None:
        """Cover every window and ask for the password; the drafts and windows stay as they are."""
        from ptassist.ui.lock_screen import LockScreen

        window, signed_in = self.window, self.signed_in
        if window is None or signed_in is None or self.lock_screen is not None:
            return
        self._idle_watch().stop()
        window.audit("lock")
        self.lock_screen = LockScreen(self.folder, signed_in, parent=window, params=self.params)
        self.lock_screen.unlocked.connect(self._unlocked)
        self.lock_screen.show()
        log.info("locked")

    def _unlocked(self, signed_in: SignedIn, same_user: bool) -> None:
        self.lock_screen = None
        if same_user:
            if self.window is not None:
                self.window.audit("unlock")
            self._idle_watch().start()
            log.info("unlocked")
            return
        # Someone else: close the first user's drafts (saved through their sessions), close any
        # dialog left open, then reopen the records as the new user once those dialogs have returned.
        window = self.window
        if window is not None:
            window.save_and_close_drafts()
            window.audit("logout")
            for dialog in window.findChildren(QWidget):
                if dialog.isWindow() and dialog.isVisible() and hasattr(dialog, "reject"):
                    dialog.reject()
        QTimer.singleShot(0, lambda: self._switch_to(signed_in))

    def _switch_to(self, signed_in: SignedIn) -> None:
        old = self.window
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        quits = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)  # between the two windows, none is open
        try:
            if old is not None:
                old.close()
                wait_for_background_work()  # the first user's backup or check finishes first
                old.close_records()
                old.deleteLater()
            self.window = None
            self.close_directory()
            self.open_records(signed_in)
        finally:
            app.setQuitOnLastWindowClosed(quits)
        log.info("switched user")

    # ------------------------------------------------------------------ exit
    def close_directory(self) -> None:
        if self.directory is not None:
            self.directory.close()
            self.directory = None

    def close(self) -> None:
        """At exit (after the event loop): close the directory and the records."""
        if self.idle is not None:
            self.idle.stop()
        self.close_directory()
        if self.window is not None:
            self.window.close_records()


def after_start(records: Records) -> None:
    """The full integrity check and the day's backup read the whole file: after start-up, off the
    GUI thread."""
    from ptassist.store import backup as backups
    from ptassist.store.sqlite_file import check_sqlite_file

    if records.database.path is not None:
        check_sqlite_file(records.database.path, thorough=True, key=records.database.key)
    backups.daily_backup(records.database)


def smoke_failed(message: str) -> None:
    print(f"ptassist-smoke-failed {message}", file=sys.stderr, flush=True)
