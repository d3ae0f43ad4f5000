"""Name search: a folded search column on patients and, on SQLite, an FTS5 index kept by triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptassist.core.validation import search_key

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
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE patient_fts USING fts5("
            "search_name, content='patient', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute("INSERT INTO patient_fts(patient_fts) VALUES ('rebuild')")
        op.execute(
            "CREATE TRIGGER patient_fts_insert AFTER INSERT ON patient BEGIN "
            "INSERT INTO patient_fts(rowid, search_name) VALUES (new.id, new.search_name); END"
        )
        op.execute(
            "CREATE TRIGGER patient_fts_delete AFTER DELETE ON patient BEGIN "
            "INSERT INTO patient_fts(patient_fts, rowid, search_name) VALUES ('delete', old.id, old.search_name); END"
        )
        op.execute(
            "CREATE TRIGGER patient_fts_update AFTER UPDATE OF search_name ON patient BEGIN "
            "INSERT INTO patient_fts(patient_fts, rowid, search_name) VALUES ('delete', old.id, old.search_name); "
            "INSERT INTO patient_fts(rowid, search_name) VALUES (new.id, new.search_name); END"
        )
    else:
        op.create_index("ix_patient_search_name", "patient", ["search_name"])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("patient_fts_insert", "patient_fts_delete", "patient_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS patient_fts")
    else:
        op.drop_index("ix_patient_search_name", "patient")
    with op.batch_alter_table("patient") as batch:
        batch.drop_column("search_name")
