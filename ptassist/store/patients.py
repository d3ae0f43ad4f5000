"""Patients: create, edit, read and search (FTS5 on SQLite, a plain LIKE elsewhere)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from ptassist.core.records import Patient
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
from ptassist.store.models import PatientRow

EDITABLE = (
    "family_name", "given_name", "date_of_birth", "sex", "phone", "email", "address",
    "referring_physician", "referring_practice", "referring_contact", "notes", "chart_number",
)
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def to_record(row: PatientRow) -> Patient:
    return Patient(
        id=row.id or 0,
        chart_number=row.chart_number,
        family_name=row.family_name,
        given_name=row.given_name,
        date_of_birth=date.fromisoformat(row.date_of_birth),
        sex=row.sex,
        phone=row.phone,
        email=row.email,
        address=row.address,
        referring_physician=row.referring_physician,
        referring_practice=row.referring_practice,
        referring_contact=row.referring_contact,
        notes=row.notes,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


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
            cleaned[name] = clean_text(value, name, limit=MAX_TEXT)
        else:
            cleaned[name] = clean_text(value, name)
    return cleaned


def fts_query(words: list[str]) -> str:
    """Each word as a quoted prefix term, all required: '"zoe"* AND "mul"*'."""
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)


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
            if not cleaned.get("chart_number"):
                next_id = session.exec(select(func.coalesce(func.max(PatientRow.id), 0) + 1)).one()
                cleaned["chart_number"] = f"P{next_id:06d}"
            self._check_chart_unique(session, cleaned["chart_number"], None)
            row = PatientRow(
                **cleaned,
                search_name=search_key(cleaned["family_name"], cleaned["given_name"]),
                created_at=stamp,
                updated_at=stamp,
            )
            session.add(row)
            session.flush()
            audit.record(session, actor, "create", "patient", row.id)
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
            audit.record(session, actor, "edit", "patient", patient_id)
            session.flush()
            return to_record(row)

    @staticmethod
    def _check_chart_unique(session: Session, chart: str, own_id: int | None) -> None:
        clash = session.exec(select(PatientRow.id).where(PatientRow.chart_number == chart)).first()
        if clash is not None and clash != own_id:
            raise ValidationError("chart_number", f"{chart} is already used by another patient")

    def get(self, patient_id: int) -> Patient | None:
        with self.database.session() as session:
            row = session.get(PatientRow, patient_id)
            return to_record(row) if row else None

    def count(self) -> int:
        with self.database.session() as session:
            return int(session.exec(select(func.count()).select_from(PatientRow)).one())

    def page(self, limit: int = 100, offset: int = 0) -> list[Patient]:
        with self.database.session() as session:
            query = (
                select(PatientRow)
                .order_by(col(PatientRow.family_name), col(PatientRow.given_name), col(PatientRow.id))
                .limit(limit)
                .offset(offset)
            )
            return [to_record(r) for r in session.exec(query)]

    def search(self, query: str, limit: int = 50) -> list[Patient]:
        """By any part of the name (word prefix, case and accent blind), chart number or birth date."""
        query = query.strip()
        if not query:
            return []
        ids: list[int] = []
        with self.database.session() as session:
            day = _as_date(query)
            if day is not None:
                ids += session.exec(
                    select(PatientRow.id).where(PatientRow.date_of_birth == day).limit(limit)
                ).all()  # type: ignore[arg-type]
            if re.fullmatch(r"[\w\-/.]+", query) and any(ch.isdigit() for ch in query):
                ids += session.exec(
                    select(PatientRow.id).where(col(PatientRow.chart_number).ilike(query + "%")).limit(limit)
                ).all()  # type: ignore[arg-type]
            words = search_key(query).split()
            if words and day is None:
                ids += self._name_ids(session, words, limit)
            unique = list(dict.fromkeys(i for i in ids if i is not None))[:limit]
            if not unique:
                return []
            rows = session.exec(select(PatientRow).where(col(PatientRow.id).in_(unique))).all()
        by_id = {r.id: r for r in rows}
        return [to_record(by_id[i]) for i in unique if i in by_id]

    def _name_ids(self, session: Session, words: list[str], limit: int) -> list[int]:
        if self.database.is_sqlite:
            result = session.connection().execute(
                text(
                    "SELECT p.id FROM patient_fts JOIN patient p ON p.id = patient_fts.rowid "
                    "WHERE patient_fts MATCH :q ORDER BY p.family_name, p.given_name LIMIT :n"
                ),
                {"q": fts_query(words), "n": limit},
            )
            return [int(r[0]) for r in result]
        query = select(PatientRow.id)
        for word in words:
            query = query.where(col(PatientRow.search_name).contains(word))
        return [int(i) for i in session.exec(query.limit(limit)).all() if i is not None]


def _as_date(query: str) -> str | None:
    """'1980-03-07' or '07/03/1980' (day first) as ISO text, else None."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", query):
            return date.fromisoformat(query).isoformat()
        match = _DMY.match(query)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()
    except ValueError:
        return None
    return None
