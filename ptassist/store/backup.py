"""Backups with SQLite's online backup API (consistent while the app runs), rotation and restore.

A restore replaces nothing until the backup has passed every check, on a staged copy beside the
records: SQLite's integrity check, its schema against the one ptassist creates at that revision
(no table, trigger, view or index that ptassist does not make), and its hash chain. It never sets
aside records that are newer than the backup without being told to (``replace_newer``).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from ptassist.security.encoding import sqlcipher_key_pragma_value
from ptassist.security.files import create_private
from ptassist.store import anchor, snapshots
from ptassist.store.database import Database, head_revision, known_revisions, make_engine, upgrade
from ptassist.store.errors import CorruptDatabaseError, StoreError
from ptassist.store.newer_records import NewerRecords, NewerRecordsError, newer_in_schemas
from ptassist.store.restore_statements import Restored, Restorer
from ptassist.store.snapshots import (
    BACKUP_GLOB,
    KEEP_DEFAULT,
    KEEP_RANGE,
    POLICY_FILE,
    BackupPolicy,
    backup_policy,
    list_backups,
    newest_backup,
    save_backup_policy,
)
from ptassist.store.sql_run import connection_runner
from ptassist.store.sqlite_file import check_sqlite_file, connect, connect_read_only, driver_errors, is_plain_sqlite

# The backup API in one place for its callers (the policy and listing live in snapshots).
__all__ = [
    "BACKUP_GLOB",
    "KEEP_DEFAULT",
    "KEEP_RANGE",
    "POLICY_FILE",
    "BackupPolicy",
    "NewerRecords",
    "NewerRecordsError",
    "Restored",
    "Restorer",
    "backup_file_filter",
    "backup_policy",
    "backup_to",
    "check_backup",
    "daily_backup",
    "list_backups",
    "newer_records",
    "newest_backup",
    "newest_backup_of",
    "restore_from",
    "restored_head",
    "rotate_backup",
    "save_backup_policy",
]
log = logging.getLogger(__name__)


def _require_sqlite(database: Database) -> Path:
    if database.path is None:
        raise StoreError("backups of a non-SQLite database are made with that server's own tools")
    return database.path


def backup_to(database: Database, target: Path) -> Path:
    """Copy the live database to ``target`` with the online backup API, then check the copy
    (a server database: pg_dump, else an export; see :mod:`ptassist.store.server_backup`)."""
    if database.path is None:
        from ptassist.store.server_backup import backup_server

        return backup_server(database, target)
    return snapshots.copy_database(_require_sqlite(database), target, database.key)


def rotate_backup(database: Database, *, reason: str, keep: int | None = None) -> Path:
    """Take an automatic backup into the backup folder and keep only the newest ``keep`` (the policy's)
    (a server database: a pg_dump archive or an export there, see :mod:`ptassist.store.server_restore`)."""
    if database.path is None:
        from ptassist.store.server_restore import rotate_server_backup

        return rotate_server_backup(database, reason=reason, keep=keep)
    return snapshots.rotate(_require_sqlite(database), database.folder, reason=reason, keep=keep, key=database.key)


def newest_backup_of(database: Database) -> Path | None:
    """The newest backup of these records in the backup folder (a server's: those this workstation took)."""
    if database.path is None:
        from ptassist.store.server_restore import list_server_backups

        found = list_server_backups(database.folder)
        return found[0] if found else None
    return newest_backup(database.folder)


def backup_file_filter(database: Database) -> str:
    """What a file dialog offers to restore these records from."""
    return "ptassist server backups (*.dump *.json)" if database.path is None else "ptassist backups (*.db)"


def daily_backup(database: Database, keep: int | None = None) -> Path | None:
    """A backup on the first start of each day (UTC), if the database holds anything."""
    if database.path is None or database.read_only:
        return None
    return snapshots.daily(database.path, database.folder, keep=keep, key=database.key)


# ---------------------------------------------------------------------------------------- checks
Schema = dict[tuple[str, str], str]
_EXPECTED: dict[str, Schema] = {}


def schema_of(connection: Any) -> Schema:
    """Every table, index, trigger and view with its SQL (whitespace folded), SQLite's statistics aside."""
    rows = connection.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'")
    return {(kind, name): re.sub(r"\s+", " ", sql or "").strip() for kind, name, sql in rows}


def expected_schema(revision: str) -> Schema:
    """The schema ptassist's own migrations create at ``revision`` (built once in a scratch file)."""
    if revision not in _EXPECTED:
        with tempfile.TemporaryDirectory(prefix="ptassist-schema-") as scratch:
            path = Path(scratch) / "reference.db"
            engine = make_engine(f"sqlite:///{path}")
            try:
                upgrade(Database(engine=engine, url=f"sqlite:///{path}", folder=path.parent, path=path), revision)
            finally:
                engine.dispose()
            probe = sqlite3.connect(path)
            try:
                _EXPECTED[revision] = schema_of(probe)
            finally:
                probe.close()
    return _EXPECTED[revision]


def schema_problem(actual: Schema, expected: Schema) -> str | None:
    """What in ``actual`` differs from what ptassist creates (None if nothing)."""
    for kind, name in sorted(set(actual) - set(expected)):
        return f"it holds {'an' if kind == 'index' else 'a'} {kind} that ptassist does not create ({name})"
    for kind, name in sorted(set(expected) - set(actual)):
        return f"its {kind} {name} is missing"
    for key in sorted(expected):
        if actual[key] != expected[key]:
            return f"its {key[0]} {key[1]} differs from the one ptassist creates"
    return None


def backup_key(candidate: Path, key: bytes | None) -> bytes | None:
    """The key that opens a backup: None for a plain file (one taken before the records were
    encrypted), else the clinic's database key (backups are encrypted with it)."""
    return None if is_plain_sqlite(candidate) else key


def check_backup(candidate: Path, key: bytes | None = None) -> str:
    """Integrity and schema of a backup file (encrypted ones opened with ``key``); returns its schema revision."""
    if not candidate.is_file():
        raise StoreError(f"{candidate}: no such backup file")
    key = backup_key(candidate, key)
    try:
        check_sqlite_file(candidate, key=key)
    except CorruptDatabaseError as exc:
        raise StoreError(f"cannot restore: {exc}") from None
    probe = connect_read_only(candidate, key=key)
    try:
        full = probe.execute("PRAGMA integrity_check").fetchone()
        try:
            revision = probe.execute("SELECT version_num FROM alembic_version").fetchone()
        except driver_errors("DatabaseError"):
            revision = None
        actual = schema_of(probe)
    finally:
        probe.close()
    if not full or full[0] != "ok":
        raise StoreError(f"cannot restore: {candidate} failed its integrity check")
    if revision is None or revision[0] not in known_revisions():
        raise StoreError(f"cannot restore: {candidate} is not a ptassist database this version understands")
    problem = schema_problem(actual, expected_schema(str(revision[0])))
    if problem:
        raise StoreError(f"cannot restore: {candidate} is not as ptassist made it: {problem}")
    return str(revision[0])


def _copy(source: Path, target: Path, *, source_key: bytes | None, target_key: bytes | None) -> None:
    if source_key != target_key:  # a plain backup restored into encrypted records
        from ptassist.store.encryption import export_copy, remove_with_side_files

        remove_with_side_files(target)
        export_copy(source, target, source_key=source_key, target_key=target_key)
        return
    src = connect_read_only(source, key=source_key)
    dst = connect(target, key=target_key)
    try:
        dst.execute("PRAGMA busy_timeout = 5000")
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _check_chain(staged: Path, candidate: Path, key: bytes | None) -> None:
    from ptassist.store.verify import verify_chain

    url = f"sqlite:///{staged}"
    database = Database(engine=make_engine(url, key), url=url, folder=staged.parent, path=staged, key=key)
    try:
        if current_head(staged, key) != head_revision():
            upgrade(database)  # a backup from an earlier version: brought to this version's schema first
        report = verify_chain(database)
    finally:
        database.engine.dispose()
    if not report.ok:
        first = report.problems[0]
        which = f"{first.record_type} {first.record_id}" if first.record_id is not None else first.record_type
        raise StoreError(f"cannot restore: {candidate} fails its hash-chain check ({which}: {first.message}; "
                         f"{len(report.problems)} problem(s) in all)")


def current_head(path: Path, key: bytes | None = None) -> str | None:
    probe = connect_read_only(path, key=key)
    try:
        row = probe.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        probe.close()
    return str(row[0]) if row else None


def newer_records(live: Path, backup: Path, key: bytes | None = None) -> NewerRecords:
    """What the records at ``live`` hold that ``backup`` (same schema and key) does not."""
    connection = connect_read_only(live, key=key)
    try:
        uri = backup.resolve().as_uri() + "?mode=ro"
        if key is None:
            connection.execute("ATTACH DATABASE ? AS b", (uri,))
        else:
            connection.execute("ATTACH DATABASE ? AS b KEY ?", (uri, sqlcipher_key_pragma_value(key)))
        return newer_in_schemas(connection, "main", "b")
    except driver_errors("OperationalError") as exc:
        if "no such table" in str(exc):
            return NewerRecords()  # a brand-new file without tables holds nothing to lose
        raise
    finally:
        connection.close()


def restore_from(database: Database, candidate: Path, *, replace_newer: bool = False,
                 restorer: Restorer | None = None) -> Restored:
    """Replace the database with a checked backup; the current database is kept as a backup first.

    Raises :class:`NewerRecordsError` (nothing changed) when the current records hold visits,
    patients, addenda or sheets the backup does not, unless ``replace_newer``. Returns the path of
    the copy of the database as it was before the restore and, on a server, whether ``restorer``
    (the logged-in administrator) signed the restore statement the other workstations accept it by.
    """
    database.refuse_if_read_only()
    if database.path is None:  # a pg_dump archive or an export, checked in a staging schema first
        from ptassist.store.server_restore import restore_server

        restored = restore_server(database, candidate, replace_newer=replace_newer, restorer=restorer)
        restored_head(database, reset_anchor=True)
        return restored
    target = _require_sqlite(database)
    candidate = candidate.expanduser().resolve()
    key = database.key
    check_backup(candidate, key)
    staged = target.with_name(target.name + ".restoring")
    try:
        _remove(staged)
        try:
            create_private(staged).close()
            _copy(candidate, staged, source_key=backup_key(candidate, key), target_key=key)
        except driver_errors() as exc:
            raise StoreError(f"cannot restore: {candidate} could not be staged beside the records: {exc}") from None
        _check_chain(staged, candidate, key)
        if not replace_newer:
            newer = newer_records(target, staged, key)
            if newer:
                raise NewerRecordsError(newer)
        safety = rotate_backup(database, reason="pre-restore", keep=10_000)
        database.engine.dispose()
        try:
            _copy(staged, target, source_key=key, target_key=key)
        except driver_errors() as exc:
            raise StoreError(f"restore failed, the database is unchanged or in {safety}: {exc}") from None
    finally:
        _remove(staged)
    log.info("database restored from a backup")
    restored_head(database, reset_anchor=True)
    return Restored(safety)


def restored_head(database: Database, *, reset_anchor: bool = False) -> anchor.Head | None:
    """The chain heads of the records; after a restore on purpose, this workstation's anchor is
    moved to them (it expects the records to end where the backup ends), keeping the clinic's
    root signing key it already knew (a backup with another root is reported by verify)."""
    with database.engine.connect() as connection:
        head = anchor.read_head(connection_runner(connection))
        connection.rollback()
    if head is not None and reset_anchor:
        anchor.save(anchor.restored(head))
    return head


def _remove(staged: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        staged.with_name(staged.name + suffix).unlink(missing_ok=True)
