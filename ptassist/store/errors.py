"""Storage errors with messages fit for the clinician. Light on purpose: no database library is
imported, so the desktop app can name these before the ORM has loaded.

Every message is true and safe to follow: "damaged" is said only when SQLite's integrity check or
the file header says so; a locked, full or read-only disk is named as such, with what to do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MIN_FREE = 1 << 20  # what a save needs at least: room for the journal of one transaction


class StoreError(Exception):
    """A storage failure with a message fit for the clinician; nothing was lost or changed."""


class CorruptDatabaseError(StoreError):
    """The database file is damaged or not a database. The file is left untouched."""


class WrongKeyError(CorruptDatabaseError):
    """The key does not open an encrypted database file (with a raw key, a wrong key and a damaged
    first page look the same, so the message names both). The file is left untouched."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"the key does not open {path}: it was encrypted with another clinic's key (a file "
                         "copied from elsewhere, or another key file), or the file is damaged")


class ConflictError(StoreError):
    """A draft was changed elsewhere since it was loaded; nothing was overwritten."""


class LockedError(StoreError):
    """A record that may not change (signed, permanent) was about to be changed."""


class InUseError(StoreError):
    """Another program (or another ptassist) holds the database file locked."""


class DiskFullError(StoreError):
    """The disk holding the records (or a backup) has no room; nothing was half-written."""


class ReadOnlyError(StoreError):
    """The records are open read-only (a read-only folder, file or disk): nothing can be changed."""


def human_size(size: int) -> str:
    for unit, step in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= step:
            return f"{size / step:.1f} {unit}"
    return f"{size} bytes"


def free_space(where: Path) -> int | None:
    """Bytes free on the disk holding ``where`` (its nearest existing folder), None if unknown."""
    for candidate in (where, *where.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free
            except OSError:
                return None
    return None


def disk_full_reason(where: Path, needed: int | None = None) -> str:
    """'the disk holding X is full (8 KB free; at least 1.0 MB is needed)': how much room there is and is needed."""
    free = free_space(where)
    have = f"{human_size(free)} free" if free is not None else "no space left"
    return f"the disk holding {where} is full ({have}; at least {human_size(max(needed or 0, MIN_FREE))} is needed)"


def disk_full_message(where: Path, needed: int | None = None) -> str:
    """The full sentence for a write that did not fit, e.g. a save or a backup."""
    return f"{disk_full_reason(where, needed)}: free some space and try again; nothing was changed"


def in_use_message(path: Path | None) -> str:
    from ptassist.store.in_use import describe_holders  # (logging, sockets: only when the message is needed)

    where = f" {path}" if path else ""
    holders = describe_holders(path.parent) if path else ""
    return f"the database{where} is in use by another program{holders}; close it or try again"


def store_error_for(exc: BaseException, path: Path | None, *, needed: int | None = None) -> StoreError:
    """The right StoreError for an SQLite error (``exc`` may be wrapped by SQLAlchemy)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    where = f" ({path})" if path else ""
    if "locked" in text or "busy" in text:
        return InUseError(in_use_message(path))
    if "readonly" in text or "read-only" in text:
        return ReadOnlyError(f"the database{where} cannot be written: the folder, the file or the disk is read-only")
    low_space = path is not None and (free_space(path) or 0) < MIN_FREE
    if "full" in text or (low_space and ("disk i/o" in text or "unable to open" in text)):
        return DiskFullError(disk_full_message((path or Path.cwd()).parent, needed))
    if "disk i/o" in text:
        return StoreError(f"the disk holding the database{where} reported an input/output error; nothing was changed")
    if "unable to open" in text:
        return StoreError(f"the database{where} cannot be opened: check the folder exists and can be read")
    # SQLite's own text names the problem, never a row's values.
    return StoreError(f"database error{where}: {orig}")


def describe_operational_error(exc: BaseException, path: Path | None) -> str:
    """Turn SQLite's terse errors into a sentence that says what to do."""
    return str(store_error_for(exc, path))
