"""Details printed sheets need: the patient's health-service number, the clinic's emergency number
and time zone, each visit's time zone, and the signing clinician's details as they were at signing.

All columns are additive with empty defaults, so existing records read as before (a visit without
a zone prints in the clinic's zone, else UTC).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = {
    "patient": ("health_service_number",),
    "clinician": ("contact",),
    "clinic_settings": ("emergency_number", "time_zone"),
    "visit": ("time_zone", "signer_credentials", "signer_licence", "signer_contact"),
}


def upgrade() -> None:
    for table, names in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name in names:
                batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    for table, names in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name in names:
                batch.drop_column(name)
