"""One account's roles and details read with the standard library (no ORM), for a login that
happens before SQLAlchemy loads (the fast print path, the start-up screen)."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path
from typing import Literal

from ptassist.store.sqlite_file import connect_read_only

_QUERY = "SELECT name, roles, credentials, registration, contact, active FROM account WHERE name_key = ?"


def name_key(name: str) -> str:
    """The case-blind form of an account name (unique in the account table)."""
    return unicodedata.normalize("NFC", name).casefold().strip()


def has_accounts(path: Path) -> bool:
    """Do the records in ``path`` hold any account (records made before accounts hold none)?"""
    return read_account(path, "") is False


def read_account(path: Path, name_key: str) -> tuple[str, str, str, str, str, bool] | Literal[False] | None:
    """(name, roles, credentials, registration, contact, active); None when the records hold no
    accounts (no file, or records made before accounts); False when they do, but not this one."""
    if not path.exists():
        return None
    try:
        connection = connect_read_only(path)
        try:
            row = connection.execute(_QUERY, (name_key,)).fetchone()
            if row is None:
                return False if connection.execute("SELECT 1 FROM account LIMIT 1").fetchone() else None
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    name, roles, credentials, registration, contact, active = row
    return str(name), str(roles), str(credentials), str(registration), str(contact), bool(active)
