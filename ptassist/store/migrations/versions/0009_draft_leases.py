"""Draft leases: which workstation is editing a draft, renewed by a heartbeat, so several
workstations on one database see who has a draft open and open it read-only.

A lease is working state, not part of the record: it is outside the signed content and the hash
chain, and export leaves it out. Plain SQL on both back ends (no triggers).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_lease",
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("workstation", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.Text(), nullable=False),
        sa.Column("heartbeat_at", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("draft_lease")
