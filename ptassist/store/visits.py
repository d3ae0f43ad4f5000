"""Visits: drafts saved cheaply with optimistic concurrency, signing into the hash chain, addenda."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from ptassist.core.care import parse_care
from ptassist.core.ledger import canonical_json, chain_hash
from ptassist.core.records import Addendum, Clinician, Visit, VisitSummary
from ptassist.core.signed_content import CURRENT_CONTENT_VERSION, signed_message, versioned_content
from ptassist.core.validation import MAX_NAME, MAX_TEXT, ValidationError, check_kind, clean_text
from ptassist.security.encoding import b64
from ptassist.store import audit
from ptassist.store.change_feed import announce
from ptassist.store.clock import now_iso
from ptassist.store.database import Database
from ptassist.store.demographics import demographics_snapshot
from ptassist.store.errors import ConflictError, LockedError
from ptassist.store.leases import LeaseGuard, refuse_if_leased
from ptassist.store.models import AddendumRow, ChainHeadRow, ClinicianRow, PatientRow, VisitRow
from ptassist.store.visit_rows import (
    ADDENDUM_COLUMNS,
    HISTORY_SQL,
    SCORE_COLUMNS,
    VISIT_COLUMNS,
    addendum_from_columns,
    summary_from_row,
    visit_from_columns,
)

UNSET: Any = object()


@dataclass(frozen=True)
class Derived:
    """What the service computes from a visit's content and the store keeps for fast history."""

    urgency: str | None
    working_diagnosis: tuple[str, ...]
    scores: dict[str, float | None]


@dataclass(frozen=True, repr=False)
class Signer:
    """Who signs a chain record: the signer's key record and a function signing a message with it."""

    key_id: int
    sign: Callable[[bytes], bytes]


def _apply_signature(row: VisitRow | AddendumRow, kind: str, signer: Signer | None) -> None:
    if signer is None:
        return
    assert row.content_hash is not None and row.prev_hash is not None
    signature = signer.sign(signed_message(kind, row.content_hash, row.prev_hash))
    row.signature = b64(signature)


def compress(value: dict[str, Any]) -> bytes:
    return zlib.compress(canonical_json(value).encode("utf-8"), 6)


CONTENT_FIELDS = (
    "id", "patient_id", "clinician_id", "visit_time", "kind", "intake", "assessment", "ruleset_version",
    "narrative", "measures", "prescription", "signed_at", "signed_by",
)


def visit_content(row: VisitRow) -> dict[str, Any]:
    """The canonical content of a signed visit that its hash covers (stored texts, exactly)."""
    return content_with_assessment(row, stored_assessment(row.assessment_z))


def stored_assessment(assessment_z: bytes | None) -> str | None:
    """The frozen assessment's stored text (decompressed)."""
    return zlib.decompress(assessment_z).decode("utf-8") if assessment_z is not None else None


def content_with_assessment(row: Any, assessment: str | None) -> dict[str, Any]:
    """:func:`visit_content` of ``row`` (a :class:`VisitRow` or any row with the visit's column names,
    such as a SQL result row) whose assessment text is already decompressed."""
    values = (
        row.id, row.patient_id, row.clinician_id, row.visit_time, row.kind, row.intake_json, assessment,
        row.ruleset_version, row.narrative_json, row.measures_json, row.prescription_json, row.signed_at,
        row.signed_by,
    )
    base = dict(zip(CONTENT_FIELDS, values, strict=True))
    if row.background_json is not None:  # only visits signed with a background snapshot: older hashes hold
        base["background"] = row.background_json
    if row.care_json is not None:  # likewise only visits with a care record
        base["care"] = row.care_json
    if row.demographics_json is not None:  # the patient as signed: a later edit or raw change shows
        base["demographics"] = row.demographics_json
    return versioned_content(row.content_version, base, {"signer_key_id": row.signer_key_id})


def addendum_content(row: AddendumRow) -> dict[str, Any]:
    """The canonical content of an addendum that its hash covers."""
    base = {
        "id": row.id,
        "visit_id": row.visit_id,
        "text": row.text,
        "clinician_name": row.clinician_name,
        "created_at": row.created_at,
    }
    return versioned_content(row.content_version, base, {"signer_key_id": row.signer_key_id})


def to_visit(row: VisitRow, clinician_name: str | None = None) -> Visit:
    return visit_from_columns({name: getattr(row, name) for name in VISIT_COLUMNS}, clinician_name)


def to_addendum(row: AddendumRow) -> Addendum:
    return addendum_from_columns({name: getattr(row, name) for name in ADDENDUM_COLUMNS})


def _apply_derived(row: VisitRow, derived: Derived) -> None:
    row.urgency = derived.urgency
    row.working_diagnosis = ",".join(derived.working_diagnosis)
    for name in SCORE_COLUMNS:
        setattr(row, name, derived.scores.get(name))


def _clean_narrative(narrative: dict[str, Any]) -> dict[str, str]:
    cleaned = {}
    for key, value in narrative.items():
        if key not in ("subjective", "objective", "assessment", "plan"):
            raise ValidationError(f"narrative.{key}", "unknown section")
        cleaned[key] = clean_text(value, f"narrative.{key}", limit=MAX_TEXT, multiline=True)
    return cleaned


class VisitRepository:
    """Visits, addenda and the hash chain."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # ------------------------------------------------------------------ drafts
    def create_draft(
        self,
        patient_id: int,
        kind: str,
        *,
        visit_time: str,
        intake: dict[str, Any] | None,
        derived: Derived,
        actor: str,
        time_zone: str = "",
    ) -> Visit:
        kind = check_kind(kind)
        stamp = now_iso()
        with self.database.transaction() as session:
            if session.get(PatientRow, patient_id) is None:
                raise ValidationError("patient_id", f"no patient with id {patient_id}")
            row = VisitRow(
                patient_id=patient_id,
                visit_time=visit_time,
                kind=kind,
                intake_json=canonical_json(intake) if intake is not None else None,
                updated_at=stamp,
                updated_by=actor,
                time_zone=time_zone,
            )
            _apply_derived(row, derived)
            session.add(row)
            session.flush()
            audit.record(session, actor, "create", "visit", row.id)
            return to_visit(row)

    def save_draft(
        self,
        visit_id: int,
        base_version: int,
        *,
        actor: str,
        derived: Derived,
        intake: dict[str, Any] | None = UNSET,
        narrative: dict[str, Any] = UNSET,
        measures: dict[str, Any] = UNSET,
        prescription: list[dict[str, Any]] = UNSET,
        kind: str = UNSET,
        visit_time: str = UNSET,
        care: dict[str, Any] = UNSET,
        lease: LeaseGuard | None = None,
    ) -> Visit:
        """Save a draft based on ``base_version``; a stale base raises :class:`ConflictError`.

        One short UPDATE guarded by ``version`` and ``status``: cheap enough to call many times a
        minute, and never overwrites a change made elsewhere. With ``lease`` the same statement
        refuses a draft another workstation holds a live lease on (:class:`LeasedError`).
        """
        values: dict[str, Any] = {}
        if intake is not UNSET:
            values["intake_json"] = canonical_json(intake) if intake is not None else None
        if narrative is not UNSET:
            values["narrative_json"] = canonical_json(_clean_narrative(narrative))
        if measures is not UNSET:
            values["measures_json"] = canonical_json(measures)
        if prescription is not UNSET:
            values["prescription_json"] = canonical_json(prescription)
        if kind is not UNSET:
            values["kind"] = check_kind(kind)
        if visit_time is not UNSET:
            values["visit_time"] = clean_text(visit_time, "visit_time", required=True)
        if care is not UNSET:
            cleaned = parse_care(care)
            values["care_json"] = None if cleaned.empty else canonical_json(cleaned.to_json())
        values.update(
            urgency=derived.urgency,
            working_diagnosis=",".join(derived.working_diagnosis),
            **{name: derived.scores.get(name) for name in SCORE_COLUMNS},
            updated_at=now_iso(),
            updated_by=actor,
        )
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        leased = f" AND {LeaseGuard.CLAUSE}" if lease is not None else ""
        with self.database.transaction() as session:
            result = session.connection().execute(
                text(
                    f"UPDATE visit SET {assignments}, version = version + 1 "
                    f"WHERE id = :visit_id AND version = :base AND status = 'draft'{leased}"
                ),
                {**values, "visit_id": visit_id, "base": base_version, **(lease.parameters() if lease else {})},
            )
            if result.rowcount != 1:
                if lease is not None:
                    refuse_if_leased(session, visit_id, lease)
                raise self._conflict(session, visit_id, base_version)
            announce(session.connection(), "draft_saved", visit_id)
            row = session.get(VisitRow, visit_id)
            assert row is not None
            session.refresh(row)
            return to_visit(row)

    @staticmethod
    def _conflict(session: Session, visit_id: int, base_version: int) -> Exception:
        row = session.get(VisitRow, visit_id)
        if row is None:
            return ValidationError("visit_id", f"no visit with id {visit_id}")
        if row.status == "signed":
            return LockedError(f"visit {visit_id} was signed by {row.signed_by} at {row.signed_at}: it is locked")
        return ConflictError(
            f"visit {visit_id} was changed by {row.updated_by or 'another window'} at {row.updated_at} "
            f"(now version {row.version}, you had version {base_version}); reload it before saving"
        )

    def delete_draft(self, visit_id: int, actor: str) -> None:
        with self.database.transaction() as session:
            row = session.get(VisitRow, visit_id)
            if row is None:
                return
            if row.status == "signed":
                raise LockedError(f"visit {visit_id} is signed and cannot be deleted")
            session.delete(row)
            audit.record(session, actor, "edit", "visit", visit_id)

    # ------------------------------------------------------------------ reading
    def get(self, visit_id: int) -> Visit | None:
        with self.database.session() as session:
            row = session.get(VisitRow, visit_id)
            if row is None:
                return None
            name = None
            if row.clinician_id is not None:
                clinician = session.get(ClinicianRow, row.clinician_id)
                name = clinician.name if clinician else None
            return to_visit(row, name)

    def history(self, patient_id: int) -> list[VisitSummary]:
        """A patient's visits, newest first, without the large blobs."""
        with self.database.session() as session:
            rows = session.connection().execute(text(HISTORY_SQL), {"p": patient_id}).all()
        return [summary_from_row(r) for r in rows]

    def latest_signed(self, patient_id: int, before_visit: int | None = None) -> Visit | None:
        """The newest signed visit of a patient (for copying findings forward)."""
        with self.database.session() as session:
            query = (
                select(VisitRow)
                .where(VisitRow.patient_id == patient_id, VisitRow.status == "signed")
                .order_by(col(VisitRow.visit_time).desc(), col(VisitRow.id).desc())
            )
            if before_visit is not None:
                query = query.where(VisitRow.id != before_visit)
            row = session.exec(query.limit(1)).first()
            return to_visit(row) if row else None

    def addenda(self, visit_id: int) -> list[Addendum]:
        with self.database.session() as session:
            rows = session.exec(
                select(AddendumRow).where(AddendumRow.visit_id == visit_id).order_by(col(AddendumRow.id))
            )
            return [to_addendum(r) for r in rows]

    def count(self) -> int:
        with self.database.session() as session:
            return int(session.exec(select(func.count()).select_from(VisitRow)).one())

    def clinician(self, name: str) -> Clinician | None:
        with self.database.session() as session:
            row = session.exec(select(ClinicianRow).where(ClinicianRow.name == name)).first()
            return Clinician(row.id or 0, row.name, row.credentials, row.licence_number, row.contact) if row else None

    # ------------------------------------------------------------------ signing and addenda
    @staticmethod
    def _clinician(session: Session, name: str, credentials: str = "", licence: str = "",
                   contact: str = "") -> ClinicianRow:
        """The clinician's row; details given now replace the stored ones (a new qualification or
        registration is on the next letter they sign, not the old one)."""
        row = session.exec(select(ClinicianRow).where(ClinicianRow.name == name)).first()
        if row is None:
            row = ClinicianRow(name=name)
        for attr, value in (("credentials", credentials), ("licence_number", licence), ("contact", contact)):
            if value:
                setattr(row, attr, clean_text(value, attr))
        session.add(row)
        session.flush()
        return row

    def _advance_chain(self, session: Session) -> tuple[ChainHeadRow, int, str]:
        lock = self.database.dialect.lock_chain_head_sql()
        if lock is not None:  # the appends take turns (see the dialect)
            session.connection().execute(text(lock))
        head = session.get(ChainHeadRow, 1, populate_existing=True)
        assert head is not None, "chain head missing"
        return head, head.seq + 1, head.hash

    def sign(
        self,
        visit_id: int,
        *,
        clinician: str,
        credentials: str = "",
        licence: str = "",
        contact: str = "",
        assessment: dict[str, Any],
        ruleset_version: str,
        derived: Derived,
        base_version: int | None = None,
        actor: str,
        signer: Signer | None = None,
        background: dict[str, Any] | None = None,
        lease: LeaseGuard | None = None,
    ) -> Visit:
        """Lock a draft: freeze the assessment and the patient's background as they are now, and link
        the visit into the hash chain.

        With a ``signer`` the visit is signed content version 2 and carries its Ed25519 signature
        over the content hash and chain link; without one (tests of the store, old tools) it is
        version 1 as before. With ``lease`` a draft another workstation holds a live lease on is
        refused (:class:`LeasedError`); signing ends the draft's lease, whoever held it.
        """
        name = clean_text(clinician, "clinician", required=True, limit=MAX_NAME)
        credentials = clean_text(credentials, "credentials")
        with self.database.transaction() as session:
            row = session.get(VisitRow, visit_id)
            if row is None:
                raise ValidationError("visit_id", f"no visit with id {visit_id}")
            if row.status == "signed":
                raise LockedError(f"visit {visit_id} was already signed by {row.signed_by} at {row.signed_at}")
            if lease is not None:
                refuse_if_leased(session, visit_id, lease)
            if base_version is not None and row.version != base_version:
                raise self._conflict(session, visit_id, base_version)
            session.connection().execute(text("DELETE FROM draft_lease WHERE visit_id = :visit_id"),
                                         {"visit_id": visit_id})
            # The chain first: signers take turns from here on, so a new clinician's row is made once.
            head, seq, prev = self._advance_chain(session)
            clinician_row = self._clinician(session, name, credentials, licence, contact)
            row.clinician_id = clinician_row.id
            row.signer_credentials = clinician_row.credentials
            row.signer_licence = clinician_row.licence_number
            row.signer_contact = clinician_row.contact
            row.assessment_z = compress(assessment)
            row.ruleset_version = ruleset_version
            row.background_json = canonical_json(background) if background is not None else None
            patient = session.get(PatientRow, row.patient_id)
            row.demographics_json = canonical_json(demographics_snapshot(patient)) if patient is not None else None
            _apply_derived(row, derived)
            row.signed_at = now_iso()
            row.signed_by = name
            row.status = "signed"
            row.chain_seq = seq
            row.prev_hash = prev
            if signer is not None:
                row.content_version, row.signer_key_id = CURRENT_CONTENT_VERSION, signer.key_id
            row.content_hash = chain_hash(prev, "visit", visit_content(row))
            _apply_signature(row, "visit", signer)
            row.updated_at = row.signed_at
            row.updated_by = actor
            row.version += 1
            head.seq, head.hash = seq, row.content_hash
            session.add(row)
            session.add(head)
            audit.record(session, actor, "sign", "visit", visit_id)
            session.flush()
            return to_visit(row, name)

    def add_addendum(self, visit_id: int, *, text_: str, clinician: str, actor: str,
                     signer: Signer | None = None) -> Addendum:
        """A correction or late entry on a signed visit, linked into the chain."""
        body = clean_text(text_, "text", required=True, limit=MAX_TEXT, multiline=True)
        name = clean_text(clinician, "clinician", required=True, limit=MAX_NAME)
        with self.database.transaction() as session:
            visit = session.get(VisitRow, visit_id)
            if visit is None:
                raise ValidationError("visit_id", f"no visit with id {visit_id}")
            if visit.status != "signed":
                raise ValidationError("visit_id", f"visit {visit_id} is a draft: edit it instead of adding an addendum")
            head, seq, prev = self._advance_chain(session)
            self._clinician(session, name)
            next_id = session.exec(select(func.coalesce(func.max(AddendumRow.id), 0) + 1)).one()
            row = AddendumRow(id=next_id, visit_id=visit_id, text=body, clinician_name=name, created_at=now_iso(),
                              chain_seq=seq, content_hash="", prev_hash=prev)
            if signer is not None:
                row.content_version, row.signer_key_id = CURRENT_CONTENT_VERSION, signer.key_id
            row.content_hash = chain_hash(prev, "addendum", addendum_content(row))
            _apply_signature(row, "addendum", signer)
            head.seq, head.hash = seq, row.content_hash
            session.add(row)
            session.add(head)
            audit.record(session, actor, "addendum", "visit", visit_id)
            session.flush()
            return to_addendum(row)
