"""Name search: a folded search column on patients and its index (SQLite: FTS5 kept by triggers;
PostgreSQL: trigram), see ptassist.store.dialects.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptassist.core.validation import search_key
from ptassist.store.dialects import for_name

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patient") as batch:
        batch.add_column(sa.Column("search_name", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, family_name, given_name FROM patient")).fetchall()
    for pid, family, given in rows:
        bind.execute(
            sa.text("UPDATE patient SET search_name = :key WHERE id = :id"),
            {"key": search_key(family, given), "id": pid},
        )
    for_name(bind.dialect.name).create_name_search(op.execute)


def downgrade() -> None:
    for_name(op.get_bind().dialect.name).drop_name_search(op.execute)
    with op.batch_alter_table("patient") as batch:
        batch.drop_column("search_name")
