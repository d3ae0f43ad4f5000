"""Encrypting a clinic's existing plain database, once, and copying between plain and encrypted files.

The steps (docs/security.md, integration plan section 5): nobody else has the file open; a plain
backup first (the issue's "backup first"); SQLCipher's ``sqlcipher_export`` into a new 0600 file
beside the records; that copy is checked keyed (integrity check, the same rows in every table,
the same hash-chain verdict as the plain file) and only then moved over the database; the old
write-ahead log goes, and the data folder is tightened to 0700/0600. A failure at any step leaves
the plain database as it was.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ptassist.security.encoding import sqlcipher_key_pragma_value
from ptassist.security.files import create_private, tighten_tree
from ptassist.store import in_use, snapshots
from ptassist.store.errors import InUseError, StoreError, in_use_message, store_error_for
from ptassist.store.sqlite_file import apply_key, driver_errors, is_plain_sqlite

log = logging.getLogger(__name__)
STAGED_SUFFIX = ".encrypting"
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Encrypted:
    """What encrypting the records did: the plain backup taken first, and how many plain backups remain."""

    backup: Path
    plain_backups: int
    backup_folder: Path

    def notice(self) -> str:
        """What to tell the clinician once (the plain backups are still readable by anyone with the files)."""
        return (f"the records are now encrypted. The {self.plain_backups} backup(s) in {self.backup_folder} made "
                f"before (including {self.backup.name}, taken just now) are not: delete them once you no longer "
                "need them (on an SSD, deleting does not wipe the data)")


def _cipher_connection(path: Path, key: bytes | None) -> Any:
    import sqlcipher3.dbapi2 as sqlcipher

    connection = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    if key is None:
        connection.execute("PRAGMA cipher_log_level = NONE")
    else:
        apply_key(connection, key)
    connection.execute("PRAGMA busy_timeout = 5000")
    return connection


def remove_with_side_files(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def export_copy(source: Path, target: Path, *, source_key: bytes | None, target_key: bytes | None) -> None:
    """Write every table, index, trigger and row of ``source`` into the new file ``target`` (0600),
    encrypted with ``target_key`` (None: plain), with SQLCipher's ``sqlcipher_export``."""
    create_private(target).close()
    connection = _cipher_connection(source, source_key)
    try:
        literal = sqlcipher_key_pragma_value(target_key) if target_key is not None else ""
        connection.execute("ATTACH DATABASE ? AS exported KEY ?", (str(target), literal))
        try:
            connection.execute("SELECT sqlcipher_export('exported')").fetchall()
        finally:
            connection.execute("DETACH DATABASE exported")
    finally:
        connection.close()


def row_counts(connection: Any) -> dict[str, int]:
    """Rows in every table (the search index's shadow tables included)."""
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    return {name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def _chain_verdict(path: Path, key: bytes | None) -> list[str]:
    from ptassist.store.database import Database, make_read_only_engine
    from ptassist.store.verify import verify_chain

    # Read-only: the plain file must not change (nor gain a write-ahead log) while it is copied.
    url = f"sqlite:///{path}"
    database = Database(engine=make_read_only_engine(path, key), url=url, folder=path.parent, path=path, key=key)
    try:
        return [f"{p.record_type} {p.record_id}: {p.message}" for p in verify_chain(database).problems]
    finally:
        database.engine.dispose()


def _refuse_if_written(path: Path, settled: tuple[int, int, bytes]) -> None:
    """Another program wrote meanwhile: its change is not in the copy."""
    if _stamp(path) != settled:
        raise InUseError(f"{in_use_message(path)}: the records changed while they were being encrypted, "
                         "and were left as they were")


def _check_copy(plain: Path, staged: Path, key: bytes) -> None:
    before = _cipher_connection(plain, None)
    after = _cipher_connection(staged, key)
    try:
        integrity = after.execute("PRAGMA integrity_check").fetchone()
        if not integrity or integrity[0] != "ok":
            raise StoreError("the encrypted copy failed its integrity check; the records were left as they were")
        if row_counts(before) != row_counts(after):
            raise StoreError("the encrypted copy does not hold the same rows; the records were left as they were")
    finally:
        after.close()
        before.close()
    if _chain_verdict(plain, None) != _chain_verdict(staged, key):
        raise StoreError("the encrypted copy's hash chain differs from the records'; they were left as they were")


def _settle(path: Path) -> tuple[int, int, bytes]:
    """Leave WAL mode (which checkpoints the log into the file and removes it, so no plain log is
    left to be replayed over the encrypted file); returns the file's size and modification time."""
    connection = _cipher_connection(path, None)
    try:
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()
    finally:
        connection.close()
    if not mode or str(mode[0]).lower() != "delete":
        raise InUseError(in_use_message(path))
    return _stamp(path)


def _stamp(path: Path) -> tuple[int, int, bytes]:
    """Size (log included), modification time and SQLite's file change counter (header bytes 24-27,
    bumped by every commit outside WAL mode): any write by anyone changes one of them."""
    info = path.stat()
    wal = path.with_name(path.name + "-wal")
    with open(path, "rb") as handle:
        handle.seek(24)
        counter = handle.read(4)
    return info.st_size + (wal.stat().st_size if wal.exists() else 0), info.st_mtime_ns, counter


def encrypt_plain_database(path: Path, folder: Path, key: bytes) -> Encrypted:
    """Encrypt the plain database at ``path`` in place with ``key`` (see the module docstring)."""
    if not is_plain_sqlite(path):
        raise StoreError(f"{path} is not a plain SQLite database: there is nothing to encrypt")
    if in_use.holders(folder):
        raise InUseError(in_use_message(path))
    staged = path.with_name(path.name + STAGED_SUFFIX)
    try:
        settled = _settle(path)
        backup = snapshots.rotate(path, folder, reason="pre-encryption")
        remove_with_side_files(staged)
        export_copy(path, staged, source_key=None, target_key=key)
        _refuse_if_written(path, settled)  # first: a write by another program makes every comparison differ
        _check_copy(path, staged, key)
        _refuse_if_written(path, settled)
        os.replace(staged, path)
        for suffix in SIDE_FILES:
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    except driver_errors() as exc:
        raise store_error_for(exc, path) from None
    finally:
        remove_with_side_files(staged)
    tighten_tree(folder)
    policy = snapshots.backup_policy(folder)
    plain = sum(1 for b in snapshots.list_backups(folder) if is_plain_sqlite(b))
    log.info("records encrypted (%d plain backups remain)", plain)
    return Encrypted(backup, plain, policy.folder)
