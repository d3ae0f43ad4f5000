"""Accounts and signatures: the ``account`` table, the signers' public keys as chain records
(``signing_key``), and each signed visit's and addendum's Ed25519 signature.

The secrets (password hashes, wrapped keys, lockout counters) stay in ``ptassist.keys`` beside the
database (docs/security.md). Signed records made before this revision keep ``content_version`` 1
and verify as before; records signed from now on are version 2 and carry a signature.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptassist.store.dialects import Lock, for_name

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SIGNATURE_COLUMNS = ("visit", "addendum")
LOCKS = (
    Lock("signing_key_no_update", "UPDATE", "signing_key", None, "signing keys are permanent chain records"),
    Lock("signing_key_no_delete", "DELETE", "signing_key", None, "signing keys are permanent chain records"),
)


def _text(name: str, nullable: bool = False, default: str | None = None) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable, server_default=default)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("name"),
        _text("name_key"),
        _text("roles"),
        _text("credentials", default=""),
        _text("registration", default=""),
        _text("contact", default=""),
        sa.Column("active", sa.Integer(), nullable=False, server_default="1"),
        _text("created_at"),
        _text("fingerprint", default=""),
        sa.UniqueConstraint("name_key", name="uq_account_name_key"),
    )
    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id", name="fk_signing_key_account"),
                  nullable=False),
        _text("account_name"),
        _text("public_key"),
        _text("fingerprint"),
        _text("created_at"),
        _text("tag"),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        _text("content_hash"),
        _text("prev_hash"),
        sa.UniqueConstraint("chain_seq", name="uq_signing_key_chain_seq"),
    )
    for table in SIGNATURE_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("content_version", sa.Integer(), nullable=False, server_default="1"))
            batch.add_column(sa.Column("signer_key_id", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("signature", sa.Text(), nullable=True))
    for_name(op.get_bind().dialect.name).create_locks(op.execute, LOCKS)


def downgrade() -> None:
    for_name(op.get_bind().dialect.name).drop_locks(op.execute, LOCKS)
    for table in SIGNATURE_COLUMNS:
        with op.batch_alter_table(table) as batch:
            for name in ("signature", "signer_key_id", "content_version"):
                batch.drop_column(name)
    op.drop_table("signing_key")
    op.drop_table("account")
