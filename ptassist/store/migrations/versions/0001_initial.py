"""The first schema: patients, clinicians, visits, addenda, documents, audit, settings, chain head.

Signed visits, addenda, documents and audit events are protected by triggers (each dialect's own, see
ptassist.store.dialects).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptassist.store.dialects import Lock, for_name

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64

SIGNED = "OLD.status = 'signed'"
LOCKS = (
    Lock("visit_signed_no_update", "UPDATE", "visit", SIGNED, "signed visit is locked: add an addendum"),
    Lock("visit_signed_no_delete", "DELETE", "visit", SIGNED, "signed visit is locked"),
    Lock("addendum_no_update", "UPDATE", "addendum", None, "addenda are permanent"),
    Lock("addendum_no_delete", "DELETE", "addendum", None, "addenda are permanent"),
    Lock("document_no_update", "UPDATE", "document", None, "stored documents are permanent"),
    Lock("document_no_delete", "DELETE", "document", None, "stored documents are permanent"),
    Lock("audit_no_update", "UPDATE", "audit_event", None, "audit events are permanent"),
    Lock("audit_no_delete", "DELETE", "audit_event", None, "audit events are permanent"),
)


def _text(name: str, nullable: bool = False, default: str | None = None) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable, server_default=default)


def upgrade() -> None:
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("chart_number"),
        _text("family_name"),
        _text("given_name"),
        _text("date_of_birth"),
        _text("sex", nullable=True),
        *(_text(name, default="") for name in (
            "phone", "email", "address", "referring_physician", "referring_practice", "referring_contact", "notes",
        )),
        _text("created_at"),
        _text("updated_at"),
        sa.UniqueConstraint("chart_number", name="uq_patient_chart_number"),
    )
    op.create_index("ix_patient_date_of_birth", "patient", ["date_of_birth"])
    op.create_table(
        "clinician",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("name"),
        _text("credentials", default=""),
        _text("licence_number", default=""),
        sa.UniqueConstraint("name", name="uq_clinician_name"),
    )
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id", name="fk_visit_patient"), nullable=False),
        sa.Column("clinician_id", sa.Integer(), sa.ForeignKey("clinician.id", name="fk_visit_clinician")),
        _text("visit_time"),
        _text("kind"),
        _text("status", default="draft"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        _text("intake_json", nullable=True),
        sa.Column("assessment_z", sa.LargeBinary()),
        _text("ruleset_version", nullable=True),
        _text("narrative_json", default="{}"),
        _text("measures_json", default="{}"),
        _text("prescription_json", default="[]"),
        _text("urgency", nullable=True),
        _text("working_diagnosis", default=""),
        sa.Column("nprs", sa.Float()),
        sa.Column("lefs", sa.Float()),
        sa.Column("odi", sa.Float()),
        sa.Column("psfs", sa.Float()),
        _text("updated_at"),
        _text("updated_by", default=""),
        _text("signed_at", nullable=True),
        _text("signed_by", nullable=True),
        sa.Column("chain_seq", sa.Integer()),
        _text("content_hash", nullable=True),
        _text("prev_hash", nullable=True),
        sa.UniqueConstraint("chain_seq", name="uq_visit_chain_seq"),
        sa.CheckConstraint("status IN ('draft', 'signed')", name="ck_visit_status"),
    )
    op.create_index("ix_visit_patient_time", "visit", ["patient_id", "visit_time"])
    op.create_table(
        "addendum",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("visit.id", name="fk_addendum_visit"), nullable=False),
        _text("text"),
        _text("clinician_name"),
        _text("created_at"),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        _text("content_hash"),
        _text("prev_hash"),
        sa.UniqueConstraint("chain_seq", name="uq_addendum_chain_seq"),
    )
    op.create_index("ix_addendum_visit_id", "addendum", ["visit_id"])
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("visit.id", name="fk_document_visit"), nullable=False),
        _text("kind"),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        _text("sha256"),
        _text("created_at"),
    )
    op.create_index("ix_document_visit_id", "document", ["visit_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("at"),
        _text("actor"),
        _text("action"),
        _text("record_type"),
        sa.Column("record_id", sa.Integer()),
    )
    op.create_table(
        "clinic_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("name", default=""),
        _text("address", default=""),
        _text("phone", default=""),
        sa.Column("logo", sa.LargeBinary()),
        _text("paper_size", default="a4"),
    )
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False, server_default="0"),
        _text("hash"),
    )
    op.execute(sa.text("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, :genesis)").bindparams(genesis=GENESIS))
    op.execute("INSERT INTO clinic_settings (id) VALUES (1)")
    for_name(op.get_bind().dialect.name).create_locks(op.execute, LOCKS)


def downgrade() -> None:
    for_name(op.get_bind().dialect.name).drop_locks(op.execute, LOCKS)
    tables = ("chain_head", "clinic_settings", "audit_event", "document", "addendum", "visit", "clinician", "patient")
    for table in tables:
        op.drop_table(table)
