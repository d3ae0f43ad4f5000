"""Storage errors with messages fit for the clinician. Light on purpose: no database library is
imported, so the desktop app can name these before the ORM has loaded."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """A storage failure with a message fit for the clinician; nothing was lost or changed."""


class CorruptDatabaseError(StoreError):
    """The database file is damaged or not a database. The file is left untouched."""


class ConflictError(StoreError):
    """A draft was changed elsewhere since it was loaded; nothing was overwritten."""


class LockedError(StoreError):
    """A record that may not change (signed, permanent) was about to be changed."""


def describe_operational_error(exc: BaseException, path: Path | None) -> str:
    """Turn SQLite's terse errors into a sentence that says what to do."""
    text = str(getattr(exc, "orig", exc)).lower()
    where = f" ({path})" if path else ""
    if "locked" in text or "busy" in text:
        return f"the database{where} is busy in another window or program; try again in a moment"
    if "readonly" in text or "read-only" in text:
        return f"the database{where} cannot be written: the folder or file is read-only"
    if "disk is full" in text or "database or disk is full" in text:
        return f"the disk holding the database{where} is full: free some space and save again"
    if "disk i/o" in text:
        return f"the disk holding the database{where} reported an input/output error"
    if "unable to open" in text:
        return f"the database{where} cannot be opened: check the folder exists and is writable"
    return f"database error{where}: {getattr(exc, 'orig', exc)}"
