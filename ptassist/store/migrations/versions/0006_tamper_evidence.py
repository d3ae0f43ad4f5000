"""Tamper evidence: the audit trail chained, demographics versioned, the database's own identity.

- ``audit_event`` gains ``digest`` (the SHA-256 of what an event is about: a printed sheet, a
  demographics revision), ``prev_hash`` and ``hash``: each event links to the one before it.
- ``evidence_head`` (one row): the database's random identity (the key of the workstation's anchor
  file, :mod:`ptassist.store.anchor`) and the newest audit link.
- ``patient_revision``: every version of a patient's demographics the app recorded.

Existing records are brought in honestly: the events already there are chained as they are now
(print events of a stored sheet get the sheet's current SHA-256), every signed visit without a
signing event gets a ``baseline`` one, and every patient a ``baseline`` revision of their current
fields, audited. They vouch for the records from this
migration on, not before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from ptassist.core.ledger import GENESIS
from ptassist.store.audit_chain import baseline_signings, chain_existing_events, dbapi_runner
from ptassist.store.demographics import baseline_revisions
from ptassist.store.dialects import Lock, for_name
from ptassist.store.sql_run import connection_runner

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LOCKS = (
    Lock("patient_revision_no_update", "UPDATE", "patient_revision", None, "revisions are permanent"),
    Lock("patient_revision_no_delete", "DELETE", "patient_revision", None, "revisions are permanent"),
    Lock("evidence_head_no_delete", "DELETE", "evidence_head", None, "the evidence head is permanent"),
)
# Migration 0001's lock, lifted while the existing events get their links (once), then put back.
AUDIT_NO_UPDATE = Lock("audit_no_update", "UPDATE", "audit_event", None, "audit events are permanent")


def upgrade() -> None:
    for name in ("digest", "prev_hash", "hash"):
        op.add_column("audit_event", sa.Column(name, sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "evidence_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("database_id", sa.Text(), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("audit_hash", sa.Text(), nullable=False),
    )
    op.create_table(
        "patient_revision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id", name="fk_patient_revision_patient"),
                  nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("audit_event_id", sa.Integer(), nullable=False),
        sa.UniqueConstraint("patient_id", "revision", name="uq_patient_revision"),
    )
    bind = op.get_bind()
    op.execute(sa.text("INSERT INTO evidence_head (id, database_id, audit_seq, audit_hash) VALUES (1, :d, 0, :g)")
               .bindparams(d=secrets.token_hex(16), g=GENESIS))
    sqlite = bind.dialect.name == "sqlite"
    dialect = for_name(bind.dialect.name)
    dialect.drop_locks(op.execute, [AUDIT_NO_UPDATE])  # the existing events get their links once
    # SQLite: the driver's own connection in the same transaction (a clinic's records hold many
    # events; SQLAlchemy's statement handling per row would make the upgrade minutes long).
    run = dbapi_runner(bind.connection.dbapi_connection) if sqlite else connection_runner(bind)
    chain_existing_events(run)
    stamp = datetime.now(UTC).isoformat(timespec="microseconds")
    baseline_signings(run, at=stamp)
    baseline_revisions(run, at=stamp)
    dialect.create_locks(op.execute, [AUDIT_NO_UPDATE, *LOCKS])


def downgrade() -> None:
    for_name(op.get_bind().dialect.name).drop_locks(op.execute, LOCKS)
    op.drop_table("patient_revision")
    op.drop_table("evidence_head")
    with op.batch_alter_table("audit_event") as batch:
        for name in ("digest", "prev_hash", "hash"):
            batch.drop_column(name)
