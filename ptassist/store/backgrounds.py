"""Patients' backgrounds: every change is a new version (never an update), audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from ptassist.core.ledger import canonical_json
from ptassist.core.validation import ValidationError
from ptassist.store import audit
from ptassist.store.clock import now_iso
from ptassist.store.database import Database
from ptassist.store.errors import ConflictError
from ptassist.store.models import PatientBackgroundRow, PatientRow


@dataclass(frozen=True)
class BackgroundVersion:
    """One stored version of a patient's background (``content`` as :meth:`Background.to_json`)."""

    patient_id: int
    version: int  # 0: nothing recorded yet
    content: dict[str, Any] | None
    created_at: str = ""
    created_by: str = ""


def _to_version(row: PatientBackgroundRow) -> BackgroundVersion:
    return BackgroundVersion(row.patient_id, row.version, json.loads(row.content_json), row.created_at,
                             row.created_by)


class BackgroundRepository:
    """Reads and appends versions of patients' backgrounds."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def current(self, patient_id: int) -> BackgroundVersion:
        with self.database.session() as session:
            row = session.exec(
                select(PatientBackgroundRow).where(PatientBackgroundRow.patient_id == patient_id)
                .order_by(col(PatientBackgroundRow.version).desc()).limit(1)
            ).first()
        return _to_version(row) if row else BackgroundVersion(patient_id, 0, None)

    def versions(self, patient_id: int) -> list[BackgroundVersion]:
        with self.database.session() as session:
            rows = session.exec(
                select(PatientBackgroundRow).where(PatientBackgroundRow.patient_id == patient_id)
                .order_by(col(PatientBackgroundRow.version))
            ).all()
        return [_to_version(r) for r in rows]

    def save(self, patient_id: int, content: dict[str, Any], *, base_version: int, actor: str) -> BackgroundVersion:
        """Append a version based on ``base_version``; a stale base raises :class:`ConflictError`."""
        with self.database.transaction() as session:
            if session.get(PatientRow, patient_id) is None:
                raise ValidationError("patient_id", f"no patient with id {patient_id}")
            latest = session.exec(
                select(func.coalesce(func.max(PatientBackgroundRow.version), 0))
                .where(PatientBackgroundRow.patient_id == patient_id)
            ).one()
            if latest != base_version:
                raise ConflictError(f"the background of patient {patient_id} was changed elsewhere (now version "
                                    f"{latest}, you had version {base_version}); reload it before saving")
            row = PatientBackgroundRow(patient_id=patient_id, version=latest + 1, content_json=canonical_json(content),
                                       created_at=now_iso(), created_by=actor or "unknown")
            session.add(row)
            session.flush()
            audit.record(session, actor, "create" if latest == 0 else "edit", "patient_background", row.id)
            return _to_version(row)
