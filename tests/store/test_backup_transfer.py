"""Backups, restore, rotation, and export/import round trips."""

from __future__ import annotations

import hashlib
import json

import pytest

from ptassist.core.validation import ValidationError
from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store.database import current_revision, head_revision
from ptassist.store.errors import StoreError
from ptassist.store.transfer import export_database, import_database
from ptassist.store.verify import verify_chain
from tests.backends import elsewhere
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE
from tests.store.test_migrations import FIXTURES


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_backup_and_restore_round_trip(records, patient, tmp_path):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    target = backups.backup_to(records.database, tmp_path / "copy.db")
    records.patients.add(family_name="Later", given_name="Added", date_of_birth="1990-01-01")
    assert records.patients.count() == 2
    with pytest.raises(backups.NewerRecordsError, match="1 patient newer than the backup"):
        backups.restore_from(records.database, target)
    assert records.patients.count() == 2  # refused: nothing replaced
    safety = backups.restore_from(records.database, target, replace_newer=True).safety
    assert records.patients.count() == 1
    assert verify_chain(records.database).ok
    # The database as it was before the restore is kept.
    kept = Records.open(tmp_path / "kept")
    kept.close()
    assert safety.exists() and "pre-restore" in safety.name


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_restore_refuses_a_file_that_is_not_a_good_backup(records, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a ptassist database"):
        backups.restore_from(records.database, junk)
    with pytest.raises(StoreError, match="no such backup"):
        backups.restore_from(records.database, tmp_path / "missing.db")


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_rotation_keeps_the_newest(records):
    for _ in range(5):
        backups.rotate_backup(records.database, reason="test", keep=3)
    assert len(backups.list_backups(records.database.folder)) == 3


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_a_backup_policy_sets_the_folder_and_how_many_are_kept(records, tmp_path):
    folder = records.database.folder
    assert backups.backup_policy(folder) == backups.BackupPolicy(folder / "backups", backups.KEEP_DEFAULT)
    elsewhere = tmp_path / "nas" / "ptassist backups"
    backups.save_backup_policy(folder, elsewhere, 2)
    for _ in range(4):
        backups.rotate_backup(records.database, reason="test")
    assert [p.parent for p in backups.list_backups(folder)] == [elsewhere.resolve()] * 2
    assert backups.newest_backup(folder).parent == elsewhere.resolve()
    backups.save_backup_policy(folder, None, 5)  # back to the default folder
    assert backups.backup_policy(folder) == backups.BackupPolicy(folder / "backups", 5)


@pytest.mark.sqlite_only  # backup files of the SQLite file
@pytest.mark.parametrize(("keep", "words"), [(0, "keep between"), (1001, "keep between")])
def test_a_bad_backup_policy_is_refused_naming_the_field(records, keep, words):
    with pytest.raises(ValidationError, match=words):
        backups.save_backup_policy(records.database.folder, None, keep)
    assert backups.backup_policy(records.database.folder).keep == backups.KEEP_DEFAULT


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_a_backup_folder_that_cannot_be_written_is_refused(records, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ValidationError, match="backup folder"):
        backups.save_backup_policy(records.database.folder, blocker / "inside", 3)


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_an_unreadable_policy_file_falls_back_to_the_defaults(records):
    folder = records.database.folder
    (folder / backups.POLICY_FILE).write_text("{not json", encoding="utf-8")
    assert backups.backup_policy(folder) == backups.BackupPolicy(folder / "backups", backups.KEEP_DEFAULT)


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_restoring_a_backup_from_an_earlier_version_brings_it_up_to_date(records, patient):
    earlier = FIXTURES / "schema_0002.db"
    backups.restore_from(records.database, earlier, replace_newer=True)  # the fixture patient is newer
    assert current_revision(records.database.engine) == head_revision()
    assert [p.given_name for p in records.patients.search("zoe")] == ["Zoë"]
    assert verify_chain(records.database).ok


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_daily_backup_is_taken_once_a_day(tmp_path):
    folder = tmp_path / "daily"
    Records.open(folder).close()  # a new database: nothing to back up yet
    assert backups.list_backups(folder) == []
    Records.open(folder).close()
    Records.open(folder).close()
    assert [p.name.endswith("-daily.db") for p in backups.list_backups(folder)] == [True]


def test_export_import_export_is_identical(records, tmp_path):
    records.build_demo(25, 3, TEST_PASSWORD)
    patient = records.patients.add(family_name="Ζήσης", given_name="Zoë 🏃", date_of_birth="1985-06-15")
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    records.documents.store(visit.id, "hep", b"%PDF-1.4 programme \x00\xff", "Alex Carter")
    first = tmp_path / "first.json"
    export_database(records.database, first, "tester")
    document = json.loads(first.read_text(encoding="utf-8"))
    assert document["format"] == "ptassist-export/1"
    stored = document["documents"][0]
    assert hashlib.sha256(__import__("base64").b64decode(stored["content_base64"])).hexdigest() == stored["sha256"]
    assert document["visits"][-1]["intake"] == INTAKE and document["visits"][-1]["assessment"]["format"]

    with elsewhere():
        target = Records.open(tmp_path / "other")
    try:
        import_database(target.database, first)
        assert verify_chain(target.database).ok
        assert target.patients.search("ζησ")[0].given_name == "Zoë 🏃"
        second = tmp_path / "second.json"
        export_database(target.database, second, "tester")
        assert second.read_bytes() == first.read_bytes()
        with pytest.raises(StoreError, match="empty database"):
            import_database(target.database, first)
    finally:
        target.close()


def test_import_rejects_what_is_not_an_export(records, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(StoreError, match="not a ptassist export"):
        import_database(records.database, bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(StoreError, match="not valid JSON"):
        import_database(records.database, bad)


@pytest.mark.sqlite_only  # two data folders: two SQLite files
def test_the_data_folder_chosen_in_settings_is_used_from_the_next_start(tmp_path, monkeypatch):
    from ptassist import paths

    monkeypatch.delenv("PTASSIST_DATA_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert paths.data_dir() == paths.default_data_dir()
    chosen = tmp_path / "clinic share"
    paths.choose_data_dir(chosen)
    assert paths.data_dir() == chosen.resolve()
    assert paths.data_dir(tmp_path / "explicit") == (tmp_path / "explicit").resolve()  # --data-dir still wins
    paths.choose_data_dir(None)
    assert paths.data_dir() == paths.default_data_dir()
    paths.location_file().write_text("[]", encoding="utf-8")  # damaged: the default, not a crash
    assert paths.data_dir() == paths.default_data_dir()
