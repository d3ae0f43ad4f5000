"""Check an SQLite file before anything opens it for writing (standard library only)."""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from pathlib import Path

from ptassist.store.errors import CorruptDatabaseError, StoreError, store_error_for

SQLITE_MAGIC = b"SQLite format 3\x00"
# What SQLite says when the bytes themselves are wrong (anything else is the disk, a lock, a mode).
DAMAGE_WORDS = ("malformed", "not a database", "corrupt")


def is_damage(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and any(w in str(exc).lower() for w in DAMAGE_WORDS)


def check_sqlite_file(path: Path, thorough: bool = True) -> None:
    """Raise :class:`CorruptDatabaseError` if an existing file is not a readable SQLite database.

    Reads the header with plain file I/O first, so a file that is not a database is never opened
    by SQLite (which could otherwise create journal files beside it). A file that is locked by
    another program, on a full disk or in a read-only folder is not damaged: those raise the
    matching :class:`StoreError` (InUseError, DiskFullError, ...) instead.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    if header != SQLITE_MAGIC:
        raise CorruptDatabaseError(f"{path} is not a ptassist database (it is not an SQLite file)")
    try:
        probe = connect_read_only(path)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
            # quick_check reads every page: the desktop app runs it after start-up instead.
            result = probe.execute("PRAGMA quick_check(1)").fetchone() if thorough else ("ok",)
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise CorruptDatabaseError(f"{path} is damaged ({exc})") from None
        raise store_error_for(exc, path) from None
    if result is None or result[0] != "ok":
        raise CorruptDatabaseError(f"{path} is damaged (integrity check: {result[0] if result else 'no answer'})")


def _creation_error(folder: Path) -> OSError | None:
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ptassist-probe-"):
            return None
    except OSError as exc:
        return exc


def folder_writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (tried, so it is right for root and mounts too)."""
    return _creation_error(folder) is None


def _mounted_read_only(folder: Path) -> bool:
    statvfs = getattr(os, "statvfs", None)
    if statvfs is None:
        return False
    try:
        return bool(statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def read_only_reason(path: Path) -> str | None:
    """Why the records at ``path`` can only be read (None if they can be written).

    The folder is tried by creating a file in it (right for root and for mounts alike); the
    database file is asked with ``access()``, never opened: closing a descriptor of a file this
    process has open in SQLite would drop SQLite's locks on it.
    """
    folder = path.parent
    if _mounted_read_only(folder):
        return f"the disk holding {folder} is mounted read-only"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is read-only ({os.strerror(errno.EACCES)})"
    failure = _creation_error(folder)
    if failure is None or failure.errno in (errno.ENOSPC, errno.EDQUOT):
        return None  # writable, or full: a write then says so with the space needed
    if failure.errno == errno.EROFS:
        return f"the disk holding {folder} is mounted read-only"
    return f"the folder {folder} is read-only ({failure.strerror or 'permission denied'})"


def connect_read_only(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection that cannot write (any character in the path is safe: it is URI-encoded).

    A WAL database whose shared-memory file cannot be made (a read-only folder, a full disk) cannot
    be opened with ``mode=ro``. When its write-ahead log holds nothing (the last writer closed
    cleanly, the usual case), the file alone is the whole database and it is opened as immutable.
    """
    uri = path.resolve().as_uri()
    connection = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=timeout, check_same_thread=False)
    try:
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError as exc:
        if is_damage(exc) or "locked" in str(exc) or _wal_has_content(path):
            return connection  # the caller's first statement reports it
        connection.close()
        connection = sqlite3.connect(uri + "?immutable=1", uri=True, timeout=timeout, check_same_thread=False)
    except sqlite3.DatabaseError:
        return connection
    return connection


def _wal_has_content(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False
