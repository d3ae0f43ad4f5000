"""One account's roles and details read with the standard library (no ORM), for a login that
happens before SQLAlchemy loads (the fast print path, the start-up screen)."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

from ptassist.store.sqlite_file import connect_read_only

_QUERY = "SELECT name, roles, credentials, registration, contact, active FROM account WHERE name_key = ?"


def name_key(name: str) -> str:
    """The case-blind form of an account name (unique in the account table)."""
    return unicodedata.normalize("NFC", name).casefold().strip()


def read_account(path: Path, name_key: str) -> tuple[str, str, str, str, str, bool] | None:
    """(name, roles, credentials, registration, contact, active) or None when the file, the table
    (records made before accounts) or the row is not there."""
    if not path.exists():
        return None
    try:
        connection = connect_read_only(path)
        try:
            row = connection.execute(_QUERY, (name_key,)).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    if row is None:
        return None
    name, roles, credentials, registration, contact, active = row
    return str(name), str(roles), str(credentials), str(registration), str(contact), bool(active)
