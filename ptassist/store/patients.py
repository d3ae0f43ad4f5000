"""Patients: create, edit, read and search (reading shares its SQL with the start-up directory)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from ptassist.core.records import Patient
from ptassist.core.text_rules import text_problem
from ptassist.core.validation import (
    MAX_NAME,
    MAX_TEXT,
    SEXES,
    ValidationError,
    check_chart_number,
    check_choice,
    check_email,
    clean_text,
    parse_date,
    search_key,
)
from ptassist.store import audit
from ptassist.store.clock import now_iso
from ptassist.store.database import Database
from ptassist.store.demographics import record_revision
from ptassist.store.models import PatientRow
from ptassist.store.patient_queries import PATIENT_COLUMNS, PatientReader, to_patient
from ptassist.store.sql_run import connection_runner

EDITABLE = (
    "family_name", "given_name", "date_of_birth", "sex", "phone", "email", "address",
    "referring_physician", "referring_practice", "referring_contact", "notes", "chart_number",
    "health_service_number",
)


def to_record(row: PatientRow) -> Patient:
    return to_patient(tuple(getattr(row, name) for name in PATIENT_COLUMNS))


def clean_patient_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate the fields of a patient; raises ValidationError naming the field."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(sorted(unknown)[0], "unknown patient field")
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("family_name", "given_name"):
            cleaned[name] = clean_text(value, name, required=True, limit=MAX_NAME)
        elif name == "date_of_birth":
            cleaned[name] = parse_date(value, name).isoformat()
        elif name == "sex":
            cleaned[name] = check_choice(value, name, SEXES, optional=True)
        elif name == "email":
            cleaned[name] = check_email(value)
        elif name == "chart_number":
            cleaned[name] = check_chart_number(value)
        elif name in ("notes", "address"):
            cleaned[name] = clean_text(value, name, limit=MAX_TEXT, multiline=True)
        else:
            cleaned[name] = clean_text(value, name)
    return cleaned


class PatientRepository:
    """Patients in the database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, actor: str = "", **fields: Any) -> Patient:
        for required in ("family_name", "given_name", "date_of_birth"):
            if not fields.get(required):
                raise ValidationError(required, "is required")
        if not str(fields.get("chart_number") or "").strip():
            fields.pop("chart_number", None)  # blank: generate one
        cleaned = clean_patient_fields({k: v for k, v in fields.items() if v is not None})
        stamp = now_iso()
        with self.database.transaction() as session:
            connection = session.connection()
            new_id = self.database.dialect.reserve_patient_id(lambda sql: connection.execute(text(sql)).scalar_one())
            if not cleaned.get("chart_number"):
                cleaned["chart_number"] = f"P{new_id:06d}"
            self._check_chart_unique(session, cleaned["chart_number"], None)
            row = PatientRow(
                id=new_id,
                **cleaned,
                search_name=search_key(cleaned["family_name"], cleaned["given_name"]),
                created_at=stamp,
                updated_at=stamp,
            )
            session.add(row)
            session.flush()
            self._revision(session, row, actor, "create")
            return to_record(row)

    def update(self, patient_id: int, actor: str = "", **fields: Any) -> Patient:
        cleaned = clean_patient_fields(fields)
        with self.database.transaction() as session:
            row = session.get(PatientRow, patient_id)
            if row is None:
                raise ValidationError("patient", f"no patient with id {patient_id}")
            if "chart_number" in cleaned:
                self._check_chart_unique(session, cleaned["chart_number"], patient_id)
            for name, value in cleaned.items():
                setattr(row, name, value)
            row.search_name = search_key(row.family_name, row.given_name)
            row.updated_at = now_iso()
            session.add(row)
            session.flush()
            self._revision(session, row, actor, "edit")
            return to_record(row)

    @staticmethod
    def _revision(session: Session, row: PatientRow, actor: str, action: str) -> None:
        """Keep the patient's fields as a new revision, audited (see :mod:`ptassist.store.demographics`)."""
        assert row.id is not None
        record_revision(connection_runner(session.connection()), row.id, actor=actor, action=action, at=now_iso())
        audit.anchor_after_commit(session)

    @staticmethod
    def _check_chart_unique(session: Session, chart: str, own_id: int | None) -> None:
        clash = session.exec(select(PatientRow.id).where(PatientRow.chart_number == chart)).first()
        if clash is not None and clash != own_id:
            raise ValidationError("chart_number", f"{chart} is already used by another patient")

    def _reader(self, session: Session) -> PatientReader:
        connection = session.connection()

        def run(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
            return connection.execute(text(sql), params).all()

        return PatientReader(run, full_text=self.database.dialect.full_text_search)

    def get(self, patient_id: int) -> Patient | None:
        with self.database.session() as session:
            return self._reader(session).get(patient_id)

    def count(self) -> int:
        with self.database.session() as session:
            return self._reader(session).count()

    def page(self, limit: int = 100, offset: int = 0) -> list[Patient]:
        with self.database.session() as session:
            return self._reader(session).page(limit, offset)

    def search(self, query: str, limit: int = 50) -> list[Patient]:
        """By any part of the name (word prefix, case and accent blind), chart number or birth date."""
        problem = text_problem(query)
        if problem:
            raise ValidationError("query", problem)
        with self.database.session() as session:
            return self._reader(session).search(query, limit)
