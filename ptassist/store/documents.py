"""Printed sheets kept with signed visits, and the clinic's settings for sheets."""

from __future__ import annotations

import hashlib

from sqlmodel import col, select

from ptassist.core.records import DOCUMENT_KINDS, ClinicSettings, Document
from ptassist.core.validation import ValidationError, check_choice, check_paper, clean_text
from ptassist.store import audit
from ptassist.store.clock import now_iso
from ptassist.store.database import Database
from ptassist.store.models import ClinicSettingsRow, DocumentRow, VisitRow

MAX_LOGO_BYTES = 2_000_000


def check_time_zone(name: str) -> str:
    """An IANA zone name, or empty (this computer's zone); anything else is a ValidationError."""
    from ptassist.core.when import check_zone

    name = (name or "").strip()
    if not name:
        return ""
    try:
        return check_zone(name)
    except ValueError as exc:
        raise ValidationError("time_zone", str(exc)) from None


class DocumentRepository:
    """Stored PDFs (bytes and SHA-256)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def store(self, visit_id: int, kind: str, content: bytes, actor: str) -> Document:
        check_choice(kind, "kind", DOCUMENT_KINDS)
        digest = hashlib.sha256(content).hexdigest()
        with self.database.transaction() as session:
            visit = session.get(VisitRow, visit_id)
            if visit is None or visit.status != "signed":
                raise ValidationError("visit_id", "only sheets printed from a signed visit are stored")
            row = DocumentRow(visit_id=visit_id, kind=kind, content=content, sha256=digest, created_at=now_iso())
            session.add(row)
            session.flush()
            # The print event's digest puts the sheet's SHA-256 into the audit chain.
            audit.record(session, actor, "print", "document", row.id, digest=digest)
            return _document(row)

    def for_visit(self, visit_id: int) -> list[Document]:
        with self.database.session() as session:
            query = select(DocumentRow).where(DocumentRow.visit_id == visit_id).order_by(col(DocumentRow.id))
            return [_document(r) for r in session.exec(query)]

    def get(self, document_id: int) -> Document | None:
        with self.database.session() as session:
            row = session.get(DocumentRow, document_id)
            return _document(row) if row else None

    def content(self, document_id: int) -> bytes:
        with self.database.session() as session:
            row = session.get(DocumentRow, document_id)
            if row is None:
                raise ValidationError("document_id", f"no document with id {document_id}")
            return row.content


def _document(row: DocumentRow) -> Document:
    return Document(row.id or 0, row.visit_id, row.kind, row.sha256, len(row.content), row.created_at)


class SettingsRepository:
    """The clinic's details printed on sheets (one row)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self) -> ClinicSettings:
        with self.database.session() as session:
            row = session.get(ClinicSettingsRow, 1)
            if row is None:
                return ClinicSettings()
            return ClinicSettings(row.name, row.address, row.phone, row.logo, row.paper_size,
                                  row.emergency_number, row.time_zone)

    def save(self, settings: ClinicSettings, actor: str) -> ClinicSettings:
        if settings.logo is not None and len(settings.logo) > MAX_LOGO_BYTES:
            raise ValidationError("logo", "the logo image is larger than 2 MB")
        with self.database.transaction() as session:
            row = session.get(ClinicSettingsRow, 1) or ClinicSettingsRow(id=1)
            row.name = clean_text(settings.name, "name")
            row.address = clean_text(settings.address, "address", limit=1000, multiline=True)
            row.phone = clean_text(settings.phone, "phone")
            row.logo = settings.logo
            row.paper_size = check_paper(settings.paper_size)
            row.emergency_number = clean_text(settings.emergency_number, "emergency_number", limit=20)
            row.time_zone = check_time_zone(settings.time_zone)
            session.add(row)
            audit.record(session, actor, "edit", "clinic_settings", 1)
        return self.get()
