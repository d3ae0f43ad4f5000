"""A complete record: the patient's versioned background, its snapshot on each signed visit, and
each visit's care record (goals, plan of care, interventions delivered, consent).

Additive only: a visit without a snapshot hashes and verifies exactly as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


# A background version is never changed or removed: a change is a new version.
LOCKS = {
    "patient_background_no_update": "UPDATE",
    "patient_background_no_delete": "DELETE",
}


def upgrade() -> None:
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
    if op.get_bind().dialect.name == "sqlite":
        for name, event in LOCKS.items():
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON patient_background "
                       "BEGIN SELECT RAISE(ABORT, 'a background version is locked: save a new one'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in LOCKS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("visit") as batch:
        batch.drop_column("care_json")
        batch.drop_column("background_json")
    op.drop_index("ix_patient_background_version", "patient_background")
    op.drop_table("patient_background")
