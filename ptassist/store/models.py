"""The table models. Times are ISO-8601 UTC text, so they hash and export exactly as stored."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class PatientRow(SQLModel, table=True):
    """A patient."""

    __tablename__ = "patient"
    __table_args__ = (Index("ix_patient_name_order", "search_name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chart_number: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    family_name: str = Field(sa_column=Column(Text, nullable=False))
    given_name: str = Field(sa_column=Column(Text, nullable=False))
    date_of_birth: str = Field(sa_column=Column(Text, nullable=False, index=True))
    sex: str | None = Field(default=None, sa_column=Column(Text))
    phone: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    email: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    address: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    referring_physician: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    referring_practice: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    referring_contact: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    search_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: str = Field(sa_column=Column(Text, nullable=False))
    health_service_number: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ClinicianRow(SQLModel, table=True):
    """A clinician."""

    __tablename__ = "clinician"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    credentials: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    licence_number: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    contact: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class VisitRow(SQLModel, table=True):
    """A visit. JSON parts are canonical JSON text; the frozen assessment is zlib-compressed."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_patient_time", "patient_id", "visit_time"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(sa_column=Column(Integer, ForeignKey("patient.id"), nullable=False))
    clinician_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("clinician.id")))
    visit_time: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="draft", sa_column=Column(Text, nullable=False, server_default="draft"))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    intake_json: str | None = Field(default=None, sa_column=Column(Text))
    assessment_z: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    ruleset_version: str | None = Field(default=None, sa_column=Column(Text))
    narrative_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    measures_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    prescription_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    urgency: str | None = Field(default=None, sa_column=Column(Text))
    working_diagnosis: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    nprs: float | None = None
    lefs: float | None = None
    odi: float | None = None
    psfs: float | None = None
    updated_at: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    signed_at: str | None = Field(default=None, sa_column=Column(Text))
    signed_by: str | None = Field(default=None, sa_column=Column(Text))
    chain_seq: int | None = Field(default=None, sa_column=Column(Integer, unique=True))
    content_hash: str | None = Field(default=None, sa_column=Column(Text))
    prev_hash: str | None = Field(default=None, sa_column=Column(Text))
    # Printed-sheet details, outside the signed content so existing hashes verify unchanged.
    time_zone: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    signer_credentials: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    signer_licence: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    signer_contact: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Signatures (migration 0005): version 1 content verifies as before; version 2 is signed.
    content_version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    signer_key_id: int | None = Field(default=None, sa_column=Column(Integer))
    signature: str | None = Field(default=None, sa_column=Column(Text))
    # The patient's background as it was at signing (canonical JSON); None for drafts and older visits.
    background_json: str | None = Field(default=None, sa_column=Column(Text))
    # The patient's identifying details as they were at signing (canonical JSON); None for drafts and older visits.
    demographics_json: str | None = Field(default=None, sa_column=Column(Text))
    # Goals, plan of care, the session's interventions and consent (ptassist-care/1); None: none recorded.
    care_json: str | None = Field(default=None, sa_column=Column(Text))


class AddendumRow(SQLModel, table=True):
    """A correction or late entry on a signed visit."""

    __tablename__ = "addendum"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(sa_column=Column(Integer, ForeignKey("visit.id"), nullable=False, index=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    clinician_name: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(sa_column=Column(Text, nullable=False))
    chain_seq: int = Field(sa_column=Column(Integer, nullable=False, unique=True))
    content_hash: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(sa_column=Column(Text, nullable=False))
    # Signatures (migration 0005): version 1 content verifies as before; version 2 is signed.
    content_version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    signer_key_id: int | None = Field(default=None, sa_column=Column(Integer))
    signature: str | None = Field(default=None, sa_column=Column(Text))


class DocumentRow(SQLModel, table=True):
    """A printed sheet kept with a signed visit."""

    __tablename__ = "document"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(sa_column=Column(Integer, ForeignKey("visit.id"), nullable=False, index=True))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(sa_column=Column(Text, nullable=False))


class AuditEventRow(SQLModel, table=True):
    """An audit event; holds ids and actions only, never names or note text."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(sa_column=Column(Text, nullable=False))
    action: str = Field(sa_column=Column(Text, nullable=False))
    record_type: str = Field(sa_column=Column(Text, nullable=False))
    record_id: int | None = None
    # Migration 0006: the audit chain (see ptassist.store.audit_chain).
    digest: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    prev_hash: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    hash: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ClinicSettingsRow(SQLModel, table=True):
    """The clinic's details for printed sheets (a single row, id 1)."""

    __tablename__ = "clinic_settings"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    address: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    phone: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    logo: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    paper_size: str = Field(default="a4", sa_column=Column(Text, nullable=False, server_default="a4"))
    emergency_number: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    time_zone: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ChainHeadRow(SQLModel, table=True):
    """The newest link of the hash chain (a single row, id 1)."""

    __tablename__ = "chain_head"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    hash: str = Field(sa_column=Column(Text, nullable=False))


class EvidenceHeadRow(SQLModel, table=True):
    """The database's identity and the newest link of the audit chain (a single row, id 1)."""

    __tablename__ = "evidence_head"

    id: int | None = Field(default=None, primary_key=True)
    database_id: str = Field(sa_column=Column(Text, nullable=False))
    audit_seq: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    audit_hash: str = Field(sa_column=Column(Text, nullable=False))


class PatientRevisionRow(SQLModel, table=True):
    """One version of a patient's demographics, as the app recorded it (see ptassist.store.demographics)."""

    __tablename__ = "patient_revision"
    __table_args__ = (UniqueConstraint("patient_id", "revision", name="uq_patient_revision"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(sa_column=Column(Integer, ForeignKey("patient.id"), nullable=False))
    revision: int = Field(sa_column=Column(Integer, nullable=False))
    fields_json: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(sa_column=Column(Text, nullable=False))
    audit_event_id: int = Field(sa_column=Column(Integer, nullable=False))


class AccountRow(SQLModel, table=True):
    """A person who logs in: roles and the details printed on what they sign (no secrets here)."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    name_key: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    roles: str = Field(sa_column=Column(Text, nullable=False))
    credentials: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    registration: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    contact: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    active: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    created_at: str = Field(sa_column=Column(Text, nullable=False))
    fingerprint: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class SigningKeyRow(SQLModel, table=True):
    """A clinician's public signing key, itself a record in the hash chain (kind "key")."""

    __tablename__ = "signing_key"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id"), nullable=False))
    account_name: str = Field(sa_column=Column(Text, nullable=False))
    public_key: str = Field(sa_column=Column(Text, nullable=False))
    fingerprint: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(sa_column=Column(Text, nullable=False))
    tag: str = Field(sa_column=Column(Text, nullable=False))
    chain_seq: int = Field(sa_column=Column(Integer, nullable=False, unique=True))
    content_hash: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(sa_column=Column(Text, nullable=False))


class KeyEndorsementRow(SQLModel, table=True):
    """Who vouches for a signing key: a signature by the root, an administrator's key or the recovery key."""

    __tablename__ = "key_endorsement"
    __table_args__ = (Index("ix_key_endorsement_key", "key_id"),)

    id: int | None = Field(default=None, primary_key=True)
    key_id: int = Field(sa_column=Column(Integer, ForeignKey("signing_key.id"), nullable=False))
    endorser: str = Field(sa_column=Column(Text, nullable=False))
    roles: str = Field(sa_column=Column(Text, nullable=False))
    recovery_public_key: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    signature: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(sa_column=Column(Text, nullable=False))


class PatientBackgroundRow(SQLModel, table=True):
    """One version of a patient's background (conditions, medications, allergies); never updated."""

    __tablename__ = "patient_background"
    __table_args__ = (Index("ix_patient_background_version", "patient_id", "version", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(sa_column=Column(Integer, ForeignKey("patient.id"), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    content_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(sa_column=Column(Text, nullable=False))
    created_by: str = Field(sa_column=Column(Text, nullable=False))


class DraftLeaseRow(SQLModel, table=True):
    """Who is editing a draft right now (see ptassist.store.leases): working state of the
    workstations, outside the record: never signed, chained, exported or restored as content."""

    __tablename__ = "draft_lease"

    visit_id: int = Field(sa_column=Column(Integer, ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False))
    token: str = Field(sa_column=Column(Text, nullable=False))
    account: str = Field(sa_column=Column(Text, nullable=False))
    workstation: str = Field(sa_column=Column(Text, nullable=False))
    pid: int = Field(sa_column=Column(Integer, nullable=False))
    acquired_at: str = Field(sa_column=Column(Text, nullable=False))
    heartbeat_at: str = Field(sa_column=Column(Text, nullable=False))


class RestoreStatementRow(SQLModel, table=True):
    """A restoring administrator's signed word that a server's records were replaced by a backup on
    purpose (see ptassist.store.restore_statements); never updated or removed, kept across restores."""

    __tablename__ = "restore_statement"

    id: int | None = Field(default=None, primary_key=True)
    made_at: str = Field(sa_column=Column(Text, nullable=False))
    database_id: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(sa_column=Column(Text, nullable=False))
    key_id: int = Field(sa_column=Column(Integer, nullable=False))
    public_key: str = Field(sa_column=Column(Text, nullable=False))
    before_seq: int = Field(sa_column=Column(Integer, nullable=False))
    before_hash: str = Field(sa_column=Column(Text, nullable=False))
    before_audit_seq: int = Field(sa_column=Column(Integer, nullable=False))
    before_audit_hash: str = Field(sa_column=Column(Text, nullable=False))
    after_seq: int = Field(sa_column=Column(Integer, nullable=False))
    after_hash: str = Field(sa_column=Column(Text, nullable=False))
    after_audit_seq: int = Field(sa_column=Column(Integer, nullable=False))
    after_audit_hash: str = Field(sa_column=Column(Text, nullable=False))
    backup_name: str = Field(sa_column=Column(Text, nullable=False))
    signature: str = Field(sa_column=Column(Text, nullable=False))
