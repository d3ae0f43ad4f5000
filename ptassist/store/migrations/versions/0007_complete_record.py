"""A complete record: the patient's versioned background, its snapshot on each signed visit,
each visit's care record (goals, plan of care, interventions delivered, consent), and (SQLite)
a full-text index over the visits' notes.

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


# Note search (SQLite): the narrative of every visit in an FTS5 index kept by triggers. The patient
# column holds one token per visit ('p42'), so a search within one patient's notes intersects two
# posting lists instead of filtering every match. Prefix indexes for 2 to 6 letters keep a prefix
# search lazy (without one FTS5 merges every matching term's list first: 30-50 ms at 100,000 patients).
NOTE_TEXT = ("coalesce(json_extract({v}.narrative_json, '$.subjective'), '') || ' ' || "
             "coalesce(json_extract({v}.narrative_json, '$.objective'), '') || ' ' || "
             "coalesce(json_extract({v}.narrative_json, '$.assessment'), '') || ' ' || "
             "coalesce(json_extract({v}.narrative_json, '$.plan'), '')")
NOTE_SEARCH_SQL = (
    "CREATE VIRTUAL TABLE visit_note_fts USING fts5(patient, notes, tokenize='unicode61 remove_diacritics 2', "
    "prefix='2 3 4 5 6')",
    "INSERT INTO visit_note_fts(rowid, patient, notes) SELECT id, 'p' || patient_id, "
    + NOTE_TEXT.format(v="visit") + " FROM visit",
    "CREATE TRIGGER visit_note_fts_insert AFTER INSERT ON visit BEGIN "
    "INSERT INTO visit_note_fts(rowid, patient, notes) VALUES (new.id, 'p' || new.patient_id, "
    + NOTE_TEXT.format(v="new") + "); END",
    "CREATE TRIGGER visit_note_fts_update AFTER UPDATE OF narrative_json ON visit BEGIN "
    "DELETE FROM visit_note_fts WHERE rowid = old.id; "
    "INSERT INTO visit_note_fts(rowid, patient, notes) VALUES (new.id, 'p' || new.patient_id, "
    + NOTE_TEXT.format(v="new") + "); END",
    "CREATE TRIGGER visit_note_fts_delete AFTER DELETE ON visit BEGIN "
    "DELETE FROM visit_note_fts WHERE rowid = old.id; END",
)

# A background version is never changed or removed: a change is a new version.
LOCKS = {
    "patient_background_no_update": "UPDATE",
    "patient_background_no_delete": "DELETE",
}


def upgrade() -> None:
    _background_and_care()
    if op.get_bind().dialect.name == "sqlite":
        for statement in NOTE_SEARCH_SQL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("visit_note_fts_insert", "visit_note_fts_update", "visit_note_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS visit_note_fts")
    _drop_background_and_care()


def _background_and_care() -> None:
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
        batch.add_column(sa.Column("demographics_json", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for name, event in LOCKS.items():
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON patient_background "
                       "BEGIN SELECT RAISE(ABORT, 'a background version is locked: save a new one'); END")


def _drop_background_and_care() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in LOCKS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("visit") as batch:
        batch.drop_column("demographics_json")
        batch.drop_column("care_json")
        batch.drop_column("background_json")
    op.drop_index("ix_patient_background_version", "patient_background")
    op.drop_table("patient_background")
