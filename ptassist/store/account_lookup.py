"""One account's roles and details read with the standard library (no ORM), for a login that
happens before SQLAlchemy loads (the fast print path, the start-up screen)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Literal

from ptassist.store.sqlite_file import connect_read_only, driver_errors, is_plain_sqlite

_QUERY = "SELECT name, roles, credentials, registration, contact, active FROM account WHERE name_key = ?"


def name_key(name: str) -> str:
    """The case-blind form of an account name (unique in the account table)."""
    return unicodedata.normalize("NFC", name).casefold().strip()


def has_accounts(path: Path, key: bytes | None = None) -> bool:
    """Do the records in ``path`` hold any account (records made before accounts hold none)?"""
    return read_account(path, "", key) is False


def read_account(path: Path, name_key: str,
                 key: bytes | None = None) -> tuple[str, str, str, str, str, bool] | Literal[False] | None:
    """(name, roles, credentials, registration, contact, active); None when the records hold no
    accounts (no file, or records made before accounts); False when they do, but not this one.
    ``key`` opens encrypted records."""
    if not path.exists():
        return None
    try:
        connection = connect_read_only(path, key=None if is_plain_sqlite(path) else key)
        try:
            row = connection.execute(_QUERY, (name_key,)).fetchone()
            if row is None:
                return False if connection.execute("SELECT 1 FROM account LIMIT 1").fetchone() else None
        finally:
            connection.close()
    except driver_errors():
        return None
    name, roles, credentials, registration, contact, active = row
    return str(name), str(roles), str(credentials), str(registration), str(contact), bool(active)
