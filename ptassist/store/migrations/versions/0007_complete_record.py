"""A complete record: the patient's versioned background, its snapshot on each signed visit,
each visit's care record (goals, plan of care, interventions delivered, consent), and a full-text
index over the visits' notes (each dialect's own: SQLite FTS5, PostgreSQL a GIN index; see
ptassist.store.dialects).

Additive only: a visit without a snapshot hashes and verifies exactly as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptassist.store.dialects import Lock, for_name

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


# A background version is never changed or removed: a change is a new version.
BACKGROUND_LOCKED = "a background version is locked: save a new one"
LOCKS = (
    Lock("patient_background_no_update", "UPDATE", "patient_background", None, BACKGROUND_LOCKED),
    Lock("patient_background_no_delete", "DELETE", "patient_background", None, BACKGROUND_LOCKED),
)


def upgrade() -> None:
    _background_and_care()
    for_name(op.get_bind().dialect.name).create_note_search(op.execute)


def downgrade() -> None:
    for_name(op.get_bind().dialect.name).drop_note_search(op.execute)
    _drop_background_and_care()


def _background_and_care() -> None:
    op.create_table(
        "patient_background",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
    )
    op.create_index("ix_patient_background_version", "patient_background", ["patient_id", "version"], unique=True)
    with op.batch_alter_table("visit") as batch:
        batch.add_column(sa.Column("background_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("care_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("demographics_json", sa.Text(), nullable=True))
    for_name(op.get_bind().dialect.name).create_locks(op.execute, LOCKS)


def _drop_background_and_care() -> None:
    for_name(op.get_bind().dialect.name).drop_locks(op.execute, LOCKS)
    with op.batch_alter_table("visit") as batch:
        batch.drop_column("demographics_json")
        batch.drop_column("care_json")
        batch.drop_column("background_json")
    op.drop_index("ix_patient_background_version", "patient_background")
    op.drop_table("patient_background")
