"""Check an SQLite file before anything opens it for writing (standard library only)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ptassist.store.errors import CorruptDatabaseError

SQLITE_MAGIC = b"SQLite format 3\x00"


def check_sqlite_file(path: Path, thorough: bool = True) -> None:
    """Raise :class:`CorruptDatabaseError` if an existing file is not a readable SQLite database.

    Reads the header with plain file I/O first, so a file that is not a database is never opened
    by SQLite (which could otherwise create journal files beside it).
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
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
        raise CorruptDatabaseError(f"{path} is damaged ({exc})") from None
    if result is None or result[0] != "ok":
        raise CorruptDatabaseError(f"{path} is damaged (integrity check: {result[0] if result else 'no answer'})")


def connect_read_only(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection that cannot write (any character in the path is safe: it is URI-encoded)."""
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout)
