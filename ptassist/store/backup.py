"""Backups with SQLite's online backup API (consistent while the app runs), rotation and restore."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ptassist import paths
from ptassist.core.validation import ValidationError
from ptassist.store.database import Database, head_revision, known_revisions, upgrade
from ptassist.store.errors import CorruptDatabaseError, StoreError
from ptassist.store.sqlite_file import check_sqlite_file, connect_read_only

log = logging.getLogger(__name__)
KEEP_DEFAULT = 14
KEEP_RANGE = (1, 1000)
BACKUP_GLOB = "ptassist-*.db"
POLICY_FILE = "backup-policy.json"


@dataclass(frozen=True)
class BackupPolicy:
    """Where automatic backups go and how many are kept (set in Settings, kept in the data folder)."""

    folder: Path
    keep: int = KEEP_DEFAULT


def backup_policy(data_folder: Path) -> BackupPolicy:
    """The data folder's backup policy; the defaults (``backups/`` beside the records, keep 14) if unset."""
    default = BackupPolicy(paths.backups_dir(data_folder))
    try:
        saved = json.loads((data_folder / POLICY_FILE).read_text(encoding="utf-8"))
        folder = Path(saved["folder"]) if saved.get("folder") else default.folder
        keep = int(saved.get("keep", KEEP_DEFAULT))
    except FileNotFoundError:
        return default
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        log.warning("unreadable %s: using the default backup policy", POLICY_FILE)
        return default
    return BackupPolicy(folder, min(max(keep, KEEP_RANGE[0]), KEEP_RANGE[1]))


def save_backup_policy(data_folder: Path, folder: Path | None, keep: int) -> BackupPolicy:
    """Check and keep a new policy; raises ValidationError naming the field. ``folder`` None: the default."""
    if not KEEP_RANGE[0] <= keep <= KEEP_RANGE[1]:
        raise ValidationError("keep", f"keep between {KEEP_RANGE[0]} and {KEEP_RANGE[1]} backups")
    target = folder.expanduser().resolve() if folder else paths.backups_dir(data_folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / ".ptassist-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ValidationError("backup folder", f"cannot write to {target}: {exc.strerror or exc}") from None
    policy = BackupPolicy(target, keep)
    record = {"folder": str(target) if folder else "", "keep": keep}
    data_folder.mkdir(parents=True, exist_ok=True)
    partial = data_folder / (POLICY_FILE + ".partial")
    partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, data_folder / POLICY_FILE)
    log.info("backup policy changed (keep %d)", keep)
    return policy


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
    """Automatic backups of the records in ``folder`` (the data folder), newest first."""
    directory = backup_policy(folder).folder
    if not directory.is_dir():
        return []
    return sorted(directory.glob(BACKUP_GLOB), reverse=True)


def newest_backup(folder: Path) -> Path | None:
    backups = list_backups(folder)
    return backups[0] if backups else None


def rotate_backup(database: Database, *, reason: str, keep: int | None = None) -> Path:
    """Take an automatic backup into the backup folder and keep only the newest ``keep`` (the policy's)."""
    policy = backup_policy(database.folder)
    target = backup_to(database, policy.folder / f"ptassist-{_now_stamp()}-{reason}.db")
    for old in list_backups(database.folder)[keep or policy.keep:]:
        old.unlink(missing_ok=True)
    log.info("backup taken (%s)", reason)
    return target


def daily_backup(database: Database, keep: int | None = None) -> Path | None:
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
    probe = connect_read_only(candidate)
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
    revision = check_backup(candidate)
    safety = rotate_backup(database, reason="pre-restore", keep=10_000)
    database.engine.dispose()
    try:
        src = connect_read_only(candidate)
        dst = sqlite3.connect(target)
        try:
            dst.execute("PRAGMA busy_timeout = 5000")
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise StoreError(f"restore failed, the database is unchanged or in {safety}: {exc}") from None
    if revision != head_revision():
        upgrade(database)  # a backup from an earlier version: bring it to this version's schema
    log.info("database restored from a backup")
    return safety
