"""Key endorsements: who vouches for each clinician's public key (issue 12, the key-record trust gap).

A key record (``signing_key``) is a chain link holding a public key; its HMAC tag is made with the
database key, which every account holds. An endorsement is an Ed25519 signature by the clinic's
root key, an administrator's endorsed key or the recovery endorsement key over the key's account
name, public key and roles (:mod:`ptassist.security.endorsement`); ``verify`` follows them back to
the root anchored outside the file. Rows are never changed or removed (triggers), only added: a
key made before this revision is endorsed once, when an administrator next opens the records.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptassist.store.dialects import Lock, for_name

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LOCKS = (
    Lock("key_endorsement_no_update", "UPDATE", "key_endorsement", None, "endorsements are permanent records"),
    Lock("key_endorsement_no_delete", "DELETE", "key_endorsement", None, "endorsements are permanent records"),
)


def upgrade() -> None:
    op.create_table(
        "key_endorsement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_id", sa.Integer(), sa.ForeignKey("signing_key.id", name="fk_key_endorsement_key"),
                  nullable=False),
        sa.Column("endorser", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("recovery_public_key", sa.Text(), nullable=False, server_default=""),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
    )
    op.create_index("ix_key_endorsement_key", "key_endorsement", ["key_id"])
    for_name(op.get_bind().dialect.name).create_locks(op.execute, LOCKS)


def downgrade() -> None:
    for_name(op.get_bind().dialect.name).drop_locks(op.execute, LOCKS)
    op.drop_index("ix_key_endorsement_key", table_name="key_endorsement")
    op.drop_table("key_endorsement")
