"""Migrations: every earlier schema version upgrades with its data intact; models match the schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store.database import current_revision, head_revision, known_revisions
from ptassist.store.verify import verify_chain
from tests.backends import RawConnection
from tests.helpers import TEST_PASSWORD, open_clinic
from tests.store.conftest import INTAKE

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_the_known_revisions_match_the_migration_scripts():
    from alembic.script import ScriptDirectory

    from ptassist.store.database import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert known_revisions() == {rev.revision for rev in script.walk_revisions()}
    assert head_revision() == script.get_current_head()


def test_there_is_a_fixture_for_every_earlier_schema_version():
    earlier = known_revisions() - {head_revision()}
    assert {f"schema_{rev}.db" for rev in earlier} == {p.name for p in FIXTURES.glob("schema_*.db")}


@pytest.mark.sqlite_only  # the fixtures are SQLite files of each schema
@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("schema_*.db")), ids=lambda p: p.stem)
def test_an_earlier_database_upgrades_with_its_data(tmp_path, fixture):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(fixture, folder / "ptassist.db")
    records = Records.open(folder)
    try:
        assert current_revision(records.database.engine) == head_revision()
        assert any("pre-migration" in p.name for p in backups.list_backups(folder)), "no backup before migrating"
        assert records.patients.count() == 3
        assert [p.given_name for p in records.patients.search("zoe")] == ["Zoë"]
        assert [p.given_name for p in records.patients.search("ольга")] == ["Ольга"]
        signed = records.visits.get(1)
        assert signed.status == "signed" and signed.narrative == {"subjective": "Runs 20 km a week."}
        assert records.visits.addenda(1)[0].text == "Late entry: phoned."
        assert verify_chain(records.database).ok
    finally:
        records.close()
    # The upgraded database keeps working: its first account is set up on it, and the chain goes on
    # from the old head with the clinician's key record and signed (version 2) records.
    records = open_clinic(folder)
    try:
        draft = records.visits.get(2)
        records.save_draft(draft, intake=INTAKE)
        records.sign(2, TEST_PASSWORD)
        report = records.verify()
        assert report.ok, report.problems
    finally:
        records.close()


def test_the_models_match_the_migrated_schema(records):
    with records.database.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    # Each dialect's name and note search indexes (FTS5 tables, trigram and GIN indexes, PostgreSQL's
    # stored note_vector column) are made by its dialect module, not the models.
    # clinic_keys (migration 0010) is PostgreSQL's only, read with plain SQL by store.server_keys.
    made_by_dialects = ("fts", "trgm", "note_search", "note_vector", "Table('clinic_keys'")
    relevant = [d for d in diffs if not any(made in repr(d) for made in made_by_dialects)]
    assert relevant == []


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    folder = tmp_path / "data"
    records = Records.open(folder)
    raw = RawConnection(records.database)
    records.close()
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    from ptassist.store.errors import StoreError

    with pytest.raises(StoreError, match="newer ptassist"):
        Records.open(folder)
