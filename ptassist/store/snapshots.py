"""Backup files of an SQLite database: the policy, the copy, rotation and listing.

Works on paths only, below :mod:`ptassist.store.database` (which takes a backup before a migration
and on the first start of a day) and :mod:`ptassist.store.backup` (restore), so neither of those
needs the other. An import-linter contract keeps it so.
"""

from __future__ import annotations

import errno
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ptassist import paths
from ptassist.core.validation import ValidationError
from ptassist.security.files import create_private, make_private_folder, partial_path, write_private
from ptassist.security.keyfile import KEYFILE_NAME
from ptassist.store import anchor
from ptassist.store.audit_chain import dbapi_runner
from ptassist.store.errors import DiskFullError, StoreError, disk_full_message, store_error_for
from ptassist.store.sqlite_file import connect, driver_errors

log = logging.getLogger(__name__)
KEEP_DEFAULT = 14
KEEP_RANGE = (1, 1000)
BACKUP_GLOB = "ptassist-*.db"
POLICY_FILE = "backup-policy.json"
KEYS_SUFFIX = ".keys"  # beside each backup: the clinic's key file as it was when the backup was taken


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
        make_private_folder(target)
        probe = target / ".ptassist-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ValidationError("backup folder", f"cannot write to {target}: {exc.strerror or exc}") from None
    policy = BackupPolicy(target, keep)
    record = {"folder": str(target) if folder else "", "keep": keep}
    make_private_folder(data_folder)
    write_private(data_folder / POLICY_FILE, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    log.info("backup policy changed (keep %d)", keep)
    return policy


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")


def copy_database(source: Path, target: Path, key: bytes | None = None) -> Path:
    """Copy the live database at ``source`` to ``target`` with the online backup API, then check the copy.

    An encrypted database (``key``) is copied encrypted with the same key: no page is ever
    written in plain text. The partial file is 0600 from its creation. The clinic's key file, if
    there is one beside ``source``, is copied beside the backup (``<backup>.keys``): it opens
    nothing without a password or the recovery key, and a restore may need the accounts of then.
    """
    target = target.expanduser()
    if target.is_dir():
        target = target / f"ptassist-{now_stamp()}.db"
    if target.resolve() == source.resolve():
        raise StoreError("the backup file must not be the database itself")
    partial = partial_path(target)
    try:
        if not target.parent.is_dir():
            make_private_folder(target.parent)
        create_private(partial).close()  # SQLite keeps an existing file's mode
        src = connect(source, key=key)
        dst = connect(partial, key=key)
        try:
            src.execute("PRAGMA busy_timeout = 5000")
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()
            head = anchor.read_head(dbapi_runner(dst))
        finally:
            dst.close()
            src.close()
        if not ok or ok[0] != "ok":
            partial.unlink(missing_ok=True)
            raise StoreError(f"the backup at {target} failed its integrity check")
        partial.replace(target)
        copy_key_file(source.parent, target)
        if head is not None:
            anchor.save_beside_backup(target, head)  # the backup's chain heads outlive this workstation
    except driver_errors() as exc:
        partial.unlink(missing_ok=True)
        failure = store_error_for(exc, target, needed=_size(source))
        if isinstance(failure, DiskFullError):
            raise DiskFullError(disk_full_message(target.parent, _size(source))) from None
        raise StoreError(f"cannot write the backup {target}: {failure}") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise DiskFullError(disk_full_message(target.parent, _size(source))) from None
        raise StoreError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
    return target


def _size(path: Path) -> int:
    try:
        return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    except OSError:
        return 0


def list_backups(folder: Path) -> list[Path]:
    """Automatic backups of the records in ``folder`` (the data folder), newest first."""
    directory = backup_policy(folder).folder
    if not directory.is_dir():
        return []
    return sorted(directory.glob(BACKUP_GLOB), reverse=True)


def newest_backup(folder: Path) -> Path | None:
    backups = list_backups(folder)
    return backups[0] if backups else None


def copy_key_file(data_folder: Path, backup: Path) -> Path | None:
    """Copy the data folder's ``ptassist.keys`` beside ``backup`` (None when there is none)."""
    keys = data_folder / KEYFILE_NAME
    if not keys.is_file():
        return None
    copy = keys_beside(backup)
    write_private(copy, keys.read_bytes())  # a few kilobytes
    return copy


def keys_beside(backup: Path) -> Path:
    """Where the copy of the key file taken with ``backup`` is kept."""
    return backup.with_name(backup.name + KEYS_SUFFIX)


def rotate(source: Path, data_folder: Path, *, reason: str, keep: int | None = None,
           key: bytes | None = None) -> Path:
    """Take an automatic backup into the backup folder and keep only the newest ``keep`` (the policy's)."""
    policy = backup_policy(data_folder)
    target = copy_database(source, policy.folder / f"ptassist-{now_stamp()}-{reason}.db", key)
    for old in list_backups(data_folder)[keep or policy.keep:]:
        old.unlink(missing_ok=True)
        anchor.backup_anchor_file(old).unlink(missing_ok=True)
        keys_beside(old).unlink(missing_ok=True)
    log.info("backup taken (%s)", reason)
    return target


def daily(source: Path, data_folder: Path, keep: int | None = None, key: bytes | None = None) -> Path | None:
    """A backup on the first start of each day (UTC), if the database holds anything."""
    if source.stat().st_size == 0:
        return None
    today = datetime.now(UTC).strftime("%Y%m%d")
    if any(p.name.startswith(f"ptassist-{today}") for p in list_backups(data_folder)):
        return None
    return rotate(source, data_folder, reason="daily", keep=keep, key=key)
