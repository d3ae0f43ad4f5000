"""Backups with SQLite's online backup API (consistent while the app runs), rotation and restore."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from ptassist import paths
from ptassist.store.database import Database, known_revisions
from ptassist.store.errors import CorruptDatabaseError, StoreError
from ptassist.store.sqlite_file import check_sqlite_file

log = logging.getLogger(__name__)
KEEP_DEFAULT = 14
BACKUP_GLOB = "ptassist-*.db"


def _now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")


def _require_sqlite(database: Database) -> Path:
    if database.path is None:
        raise StoreError("backups of a non-SQLite database are made with that server's own tools")
    return database.path


def backup_to(database: Database, target: Path) -> Path:
    """Copy the live database to ``target`` with the online backup API, then check the copy."""
    source = _require_sqlite(database)
    target = target.expanduser()
    if target.is_dir():
        target = target / f"ptassist-{_now_stamp()}.db"
    if target.resolve() == source.resolve():
        raise StoreError("the backup file must not be the database itself")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        src = sqlite3.connect(source)
        dst = sqlite3.connect(partial)
        try:
            src.execute(f"PRAGMA busy_timeout = {5000}")
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()
        finally:
            dst.close()
            src.close()
        if not ok or ok[0] != "ok":
            partial.unlink(missing_ok=True)
            raise StoreError(f"the backup at {target} failed its integrity check")
        partial.replace(target)
        target.chmod(0o600)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"cannot write the backup {target}: {exc}") from None
    except OSError as exc:
        raise StoreError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
    return target


def list_backups(folder: Path) -> list[Path]:
    """Automatic backups in the data folder, newest first."""
    directory = paths.backups_dir(folder)
    if not directory.is_dir():
        return []
    return sorted(directory.glob(BACKUP_GLOB), reverse=True)


def newest_backup(folder: Path) -> Path | None:
    backups = list_backups(folder)
    return backups[0] if backups else None


def rotate_backup(database: Database, *, reason: str, keep: int = KEEP_DEFAULT) -> Path:
    """Take an automatic backup into the data folder and keep only the newest ``keep``."""
    directory = paths.backups_dir(database.folder)
    target = backup_to(database, directory / f"ptassist-{_now_stamp()}-{reason}.db")
    for old in list_backups(database.folder)[keep:]:
        old.unlink(missing_ok=True)
    log.info("backup taken (%s)", reason)
    return target


def daily_backup(database: Database, keep: int = KEEP_DEFAULT) -> Path | None:
    """A backup on the first start of each day (UTC), if the database holds anything."""
    if database.path is None or database.path.stat().st_size == 0:
        return None
    today = datetime.now(UTC).strftime("%Y%m%d")
    if any(p.name.startswith(f"ptassist-{today}") for p in list_backups(database.folder)):
        return None
    return rotate_backup(database, reason="daily", keep=keep)


def check_backup(candidate: Path) -> str:
    """Integrity and schema of a backup file; returns its schema revision."""
    if not candidate.is_file():
        raise StoreError(f"{candidate}: no such backup file")
    try:
        check_sqlite_file(candidate)
    except CorruptDatabaseError as exc:
        raise StoreError(f"cannot restore: {exc}") from None
    probe = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
    try:
        full = probe.execute("PRAGMA integrity_check").fetchone()
        try:
            revision = probe.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            revision = None
    finally:
        probe.close()
    if not full or full[0] != "ok":
        raise StoreError(f"cannot restore: {candidate} failed its integrity check")
    if revision is None or revision[0] not in known_revisions():
        raise StoreError(f"cannot restore: {candidate} is not a ptassist database this version understands")
    return str(revision[0])


def restore_from(database: Database, candidate: Path) -> Path:
    """Replace the database with a checked backup; the current database is kept as a backup first.

    Returns the path of the copy of the database as it was before the restore.
    """
    target = _require_sqlite(database)
    candidate = candidate.expanduser().resolve()
    check_backup(candidate)
    safety = rotate_backup(database, reason="pre-restore", keep=10_000)
    database.engine.dispose()
    try:
        src = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            dst.execute("PRAGMA busy_timeout = 5000")
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise StoreError(f"restore failed, the database is unchanged or in {safety}: {exc}") from None
    log.info("database restored from a backup")
    return safety
