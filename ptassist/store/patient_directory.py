"""Read-only patient lookups over the SQLite file with the standard library alone (and SQLCipher's
DB-API module for encrypted records: a C extension, no ORM).

The desktop app lists and searches patients with it the moment its window opens, while the
records (SQLAlchemy, the ORM, migrations) load off the GUI thread. It shares its SQL with the
records store (:mod:`ptassist.store.patient_queries`), so both give the same answers.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ptassist.store.errors import StoreError
from ptassist.store.patient_queries import PatientReader
from ptassist.store.revisions import HEAD
from ptassist.store.sqlite_file import check_sqlite_file, connect_read_only, driver_errors, is_plain_sqlite

log = logging.getLogger(__name__)


def _unavailable(exc: Exception) -> PatientDirectory | None:
    log.info("patient directory unavailable: %s", type(exc).__name__)
    return None


class PatientDirectory(PatientReader):
    """Get, page and search patients (see :class:`PatientReader`); never writes."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        super().__init__(self._run, full_text=True)
        self.connection = connection

    @classmethod
    def open(cls, path: Path, key: bytes | None = None) -> PatientDirectory | None:
        """The directory of an existing database at this version's schema, else None (a new,
        damaged or older file, or one the key does not open: the caller opens the records first,
        which migrates or explains). ``key`` opens an encrypted file (read-only, keyed)."""
        if not path.is_file():
            return None
        try:
            check_sqlite_file(path, thorough=False, key=key)
            connection = connect_read_only(path, key=None if is_plain_sqlite(path) else key)
        except StoreError as exc:
            return _unavailable(exc)
        except driver_errors() as exc:  # evaluated once raised: SQLCipher's driver is loaded by then
            return _unavailable(exc)
        try:
            connection.execute("PRAGMA query_only = ON")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except driver_errors():
            row = None
        if row is None or row[0] != HEAD:
            connection.close()
            return None
        return cls(connection)

    def _run(self, sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return self.connection.execute(sql, params).fetchall()

    def close(self) -> None:
        self.connection.close()
