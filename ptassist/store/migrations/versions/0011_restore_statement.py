"""Restore statements: the restoring administrator's signed word that a server's records were
replaced by a backup on purpose, so the other workstations tell it from a rollback
(:mod:`ptassist.store.restore_statements`).

Rows are never changed or removed (triggers refuse UPDATE and DELETE on both back ends, and
TRUNCATE on PostgreSQL), only added; a restore keeps them across the swap. No foreign key to
``signing_key``: a restore replaces those rows, the statements stay.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptassist.store.dialects import Lock, for_name

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PERMANENT = "restore statements are permanent records"
LOCKS = (
    Lock("restore_statement_no_update", "UPDATE", "restore_statement", None, PERMANENT),
    Lock("restore_statement_no_delete", "DELETE", "restore_statement", None, PERMANENT),
)


def upgrade() -> None:
    op.create_table(
        "restore_statement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("made_at", sa.Text(), nullable=False),
        sa.Column("database_id", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        *(sa.Column(f"{when}_{part}", kind, nullable=False)
          for when in ("before", "after")
          for part, kind in (("seq", sa.Integer()), ("hash", sa.Text()), ("audit_seq", sa.Integer()),
                             ("audit_hash", sa.Text()))),
        sa.Column("backup_name", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
    )
    for_name(op.get_bind().dialect.name).create_locks(op.execute, LOCKS)


def downgrade() -> None:
    for_name(op.get_bind().dialect.name).drop_locks(op.execute, LOCKS)
    op.drop_table("restore_statement")
