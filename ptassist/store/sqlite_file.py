"""Check and open an SQLite file, plain or SQLCipher-encrypted, before (and without) the ORM.

Standard library only, plus SQLCipher's DB-API module (``sqlcipher3``, a C extension with no
ORM) for encrypted records; it is imported only when a key is given.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal

from ptassist.security.encoding import sqlcipher_key_pragma_value
from ptassist.store.errors import CorruptDatabaseError, StoreError, WrongKeyError, store_error_for

SQLITE_MAGIC = b"SQLite format 3\x00"
# What SQLite says when the bytes themselves are wrong (anything else is the disk, a lock, a mode).
DAMAGE_WORDS = ("malformed", "not a database", "corrupt")
CIPHER_MODULE = "sqlcipher3.dbapi2"
IsolationLevel = Literal["DEFERRED", "EXCLUSIVE", "IMMEDIATE"] | None  # None: autocommit, BEGIN by hand


def driver_errors(name: str = "Error") -> tuple[type[Exception], ...]:
    """The DB-API exception class ``name`` of ``sqlite3`` and, once it is loaded, of SQLCipher's driver
    (its classes do not derive from ``sqlite3``'s)."""
    found: list[type[Exception]] = [getattr(sqlite3, name)]
    cipher = sys.modules.get(CIPHER_MODULE)
    if cipher is not None:
        found.append(getattr(cipher, name))
    return tuple(found)


def is_damage(exc: BaseException) -> bool:
    return isinstance(exc, driver_errors("DatabaseError")) and any(w in str(exc).lower() for w in DAMAGE_WORDS)


def read_header(path: Path) -> bytes:
    """The first 16 bytes (SQLite's magic for a plain file; a random salt for an encrypted one)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None


def is_plain_sqlite(path: Path) -> bool:
    """Whether ``path`` holds a plain (unencrypted) SQLite database; False for a missing or empty file."""
    return path.is_file() and path.stat().st_size > 0 and read_header(path) == SQLITE_MAGIC


def check_sqlite_file(path: Path, thorough: bool = True, key: bytes | None = None) -> None:
    """Raise :class:`CorruptDatabaseError` if an existing file is not a readable SQLite database.

    Reads the header with plain file I/O first, so a file that is not a database is never opened
    by SQLite (which could otherwise create journal files beside it). A plain file is checked as
    it is, whatever ``key`` says (the caller decides whether to encrypt it); any other header is
    an encrypted file's salt or not a database: with ``key`` it is opened keyed and a key that
    does not open it raises :class:`WrongKeyError`. A file that is locked by another program, on
    a full disk or in a read-only folder is not damaged: those raise the matching
    :class:`StoreError` (InUseError, DiskFullError, ...) instead.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    plain = read_header(path) == SQLITE_MAGIC
    if not plain and key is None:
        raise CorruptDatabaseError(f"{path} is not a ptassist database it can read (it is not a plain SQLite "
                                   "file; encrypted records open only after logging in)")
    try:
        probe = connect_read_only(path, key=None if plain else key)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
            # quick_check reads every page: the desktop app runs it after start-up instead.
            result = probe.execute("PRAGMA quick_check(1)").fetchone() if thorough else ("ok",)
        finally:
            probe.close()
    except driver_errors("DatabaseError") as exc:
        if not plain and "not a database" in str(exc).lower():
            raise WrongKeyError(path) from None
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


def connect(target: str | Path, *, key: bytes | None = None, timeout: float = 5.0, uri: bool = False,
            isolation_level: IsolationLevel = "DEFERRED") -> sqlite3.Connection:
    """A DB-API connection: ``sqlite3`` for plain records, SQLCipher's driver keyed with ``key``.

    The SQLCipher connection has the same API as ``sqlite3``'s (the driver is a fork of it), so it
    is typed as one. The raw key skips SQLCipher's own key derivation (it is random already), and
    SQLCipher's log is silenced: a key that does not open the file is reported by the caller.
    """
    if key is None:
        return sqlite3.connect(target, uri=uri, timeout=timeout, check_same_thread=False,
                               isolation_level=isolation_level)
    import sqlcipher3.dbapi2 as sqlcipher

    connection: Any = sqlcipher.connect(str(target), uri=uri, timeout=timeout, check_same_thread=False,
                                        isolation_level=isolation_level)
    apply_key(connection, key)
    return connection  # type: ignore[no-any-return]


def apply_key(connection: Any, key: bytes) -> None:
    """Silence SQLCipher's log and give the connection its raw key (before anything reads the file)."""
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = \"{sqlcipher_key_pragma_value(key)}\"")


def connect_read_only(path: Path, timeout: float = 5.0, key: bytes | None = None) -> sqlite3.Connection:
    """A connection that cannot write (any character in the path is safe: it is URI-encoded).

    A WAL database whose shared-memory file cannot be made (a read-only folder, a full disk) cannot
    be opened with ``mode=ro``. When its write-ahead log holds nothing (the last writer closed
    cleanly, the usual case), the file alone is the whole database and it is opened as immutable.
    """
    uri = path.resolve().as_uri()
    connection = connect(uri + "?mode=ro", key=key, uri=True, timeout=timeout)
    try:
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except driver_errors("OperationalError") as exc:
        if is_damage(exc) or "locked" in str(exc) or _wal_has_content(path):
            return connection  # the caller's first statement reports it
        connection.close()
        connection = connect(uri + "?immutable=1", key=key, uri=True, timeout=timeout)
    except driver_errors("DatabaseError"):
        return connection
    return connection


def _wal_has_content(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False
