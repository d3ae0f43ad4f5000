"""What printing a sheet reads and writes, with the standard library's ``sqlite3`` alone (SQLCipher's
DB-API module, its fork, for encrypted records).

`ptassist print` is a short command: loading SQLAlchemy, pydantic and the table models costs more
than laying out the sheet. On a database already at this version's schema, printing reads the
visit, its patient, history, addenda and the clinic's settings here, and keeps a signed sheet (its
bytes, SHA-256 and an audit event) in one write transaction, exactly as the ORM store does; the
row-to-record conversions are shared with it (:mod:`ptassist.store.visit_rows`). Any other file
(new, older or damaged) goes through the full store, which migrates or explains.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ptassist.core.records import DOCUMENT_KINDS, Addendum, Clinician, ClinicSettings, Document, Visit, VisitSummary
from ptassist.core.validation import ValidationError
from ptassist.store import anchor
from ptassist.store.audit_chain import append_event, dbapi_runner
from ptassist.store.clock import now_iso
from ptassist.store.patient_queries import PatientReader
from ptassist.store.revisions import HEAD
from ptassist.store.sqlite_file import check_sqlite_file, connect, is_plain_sqlite
from ptassist.store.visit_rows import (
    ADDENDUM_COLUMNS,
    HISTORY_SQL,
    VISIT_COLUMNS,
    addendum_from_columns,
    summary_from_row,
    visit_from_columns,
)

BUSY_TIMEOUT_S = 10.0


class _Section:
    """A namespace of methods, so the sheet store reads like the records (``store.visits.get``)."""

    def __init__(self, store: SheetStore) -> None:
        self.owner = store


class _Visits(_Section):
    def get(self, visit_id: int) -> Visit | None:
        row = self.owner.one(f"SELECT {', '.join(VISIT_COLUMNS)} FROM visit WHERE id = :id", {"id": visit_id})
        if row is None:
            return None
        values = dict(zip(VISIT_COLUMNS, row, strict=True))
        name = None
        if values["clinician_id"] is not None:
            found = self.owner.one("SELECT name FROM clinician WHERE id = :id", {"id": values["clinician_id"]})
            name = found[0] if found else None
        return visit_from_columns(values, name)

    def history(self, patient_id: int) -> list[VisitSummary]:
        return [summary_from_row(r) for r in self.owner.all(HISTORY_SQL, {"p": patient_id})]

    def addenda(self, visit_id: int) -> list[Addendum]:
        rows = self.owner.all(f"SELECT {', '.join(ADDENDUM_COLUMNS)} FROM addendum WHERE visit_id = :v ORDER BY id",
                              {"v": visit_id})
        return [addendum_from_columns(dict(zip(ADDENDUM_COLUMNS, r, strict=True))) for r in rows]

    def clinician(self, name: str) -> Clinician | None:
        row = self.owner.one("SELECT id, name, credentials, licence_number, contact FROM clinician WHERE name = :n",
                             {"n": name})
        return Clinician(int(row[0]), row[1], row[2], row[3], row[4]) if row else None


class _Settings(_Section):
    def get(self) -> ClinicSettings:
        row = self.owner.one("SELECT name, address, phone, logo, paper_size, emergency_number, time_zone "
                             "FROM clinic_settings WHERE id = 1", {})
        return ClinicSettings(*row) if row else ClinicSettings()


class _Documents(_Section):
    def for_visit(self, visit_id: int) -> list[Document]:
        rows = self.owner.all("SELECT id, visit_id, kind, sha256, length(content), created_at FROM document "
                              "WHERE visit_id = :v ORDER BY id", {"v": visit_id})
        return [Document(int(r[0]), int(r[1]), r[2], r[3], int(r[4]), r[5]) for r in rows]

    def store(self, visit_id: int, kind: str, content: bytes, actor: str) -> Document:
        """Keep a sheet printed from a signed visit, with its audit event, in one transaction."""
        if kind not in DOCUMENT_KINDS:
            raise ValidationError("kind", f"must be one of {', '.join(DOCUMENT_KINDS)}")
        digest = hashlib.sha256(content).hexdigest()
        stamp = now_iso()
        with self.owner.write() as connection:
            status = connection.execute("SELECT status FROM visit WHERE id = ?", (visit_id,)).fetchone()
            if status is None or status[0] != "signed":
                raise ValidationError("visit_id", "only sheets printed from a signed visit are stored")
            cursor = connection.execute(
                "INSERT INTO document (visit_id, kind, content, sha256, created_at) VALUES (?, ?, ?, ?, ?)",
                (visit_id, kind, content, digest, stamp))
            document_id = int(cursor.lastrowid or 0)
            _audit(connection, actor, "print", "document", document_id, digest)
        return Document(document_id, visit_id, kind, digest, len(content), stamp)


class _Audit(_Section):
    def log(self, actor: str, action: str, record_type: str, record_id: int | None) -> None:
        with self.owner.write() as connection:
            _audit(connection, actor, action, record_type, record_id)


def _audit(connection: sqlite3.Connection, actor: str, action: str, record_type: str, record_id: int | None,
           digest: str = "") -> None:
    """An event linked into the audit chain, exactly as the ORM store links it."""
    append_event(dbapi_runner(connection), at=now_iso(), actor=actor, action=action, record_type=record_type,
                 record_id=record_id, digest=digest)


class _Database:
    def __init__(self, folder: Path) -> None:
        self.folder = folder


class SheetStore:
    """The records printing needs, over one ``sqlite3`` connection (see the module docstring)."""

    def __init__(self, connection: sqlite3.Connection, folder: Path) -> None:
        self.connection = connection
        self.database = _Database(folder)
        self.visits = _Visits(self)
        self.settings = _Settings(self)
        self.documents = _Documents(self)
        self.audit = _Audit(self)
        self.patients = PatientReader(self.all, full_text=True)

    @classmethod
    def open(cls, path: Path, key: bytes | None = None) -> SheetStore | None:
        """The store over an existing database at this version's schema, else None (``key`` opens
        an encrypted file; a plain file that should be encrypted goes through the full store)."""
        if not path.is_file():
            return None
        try:
            if key is not None and is_plain_sqlite(path):
                return None  # the full store encrypts it first
            check_sqlite_file(path, thorough=False, key=key)
            connection = connect(path, key=key, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = FULL")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except Exception:  # any doubt about the file: the full store opens it and explains
            return None
        if row is None or row[0] != HEAD:
            connection.close()
            return None
        return cls(connection, path.parent)

    def one(self, sql: str, params: dict[str, Any]) -> Any:
        return self.connection.execute(sql, params).fetchone()

    def all(self, sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return self.connection.execute(sql, params).fetchall()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock at once (as the store's transactions do)."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
            head = anchor.advance(dbapi_runner(self.connection))
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")
        if head is not None:
            anchor.save(head)  # the workstation's copy of the chain heads (ptassist.store.anchor)

    def close(self) -> None:
        self.connection.close()
