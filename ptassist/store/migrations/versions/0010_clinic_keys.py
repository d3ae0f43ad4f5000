"""The clinic's key file on the server: every workstation of a clinic that shares a PostgreSQL
server reads and writes the same accounts' secrets, so none of them needs ``ptassist.keys``
copied to it by hand (issue 14).

One row (``id = 1``) holding the ``ptassist-keys/1`` JSON that an SQLite clinic keeps in the data
folder: per account the password verifier, key-derivation record, the database key and signing key
wrapped under the password, and the failed-attempt count; the recovery wrap. It reveals nothing
without a password or the recovery key (docs/security.md, "Key hierarchy"). The row is only ever
replaced, never removed (a trigger; TRUNCATE too).

PostgreSQL only: an SQLite file, encrypted, cannot hold what opens it, so its key file stays beside it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptassist.store.dialects import Lock, for_name

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LOCKS = (Lock("clinic_keys_no_delete", "DELETE", "clinic_keys", None, "the clinic's keys are never removed"),)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "clinic_keys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_clinic_keys_one_row"),
    )
    for_name("postgresql").create_locks(op.execute, LOCKS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for_name("postgresql").drop_locks(op.execute, LOCKS)
    op.drop_table("clinic_keys")
