"""Name order: an index on the folded name that serves the patient list's alphabetical first page
without a sort (accents and case ignored, so Bäcker sorts before Brown).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_patient_name_order", "patient", ["search_name", "id"])


def downgrade() -> None:
    op.drop_index("ix_patient_name_order", table_name="patient")
