"""Faults: corrupt files, a second writer, a read-only database, a full disk."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import event

from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store.errors import StoreError
from tests.helpers import prepare_cli
from tests.store.conftest import INTAKE

# About the SQLite file: its header, its lock, its folder's disk and permissions.
pytestmark = pytest.mark.sqlite_only


def cli(folder, *args):
    prepare_cli(folder, args)
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args],
                          capture_output=True, text=True, check=False, timeout=60)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder_with_backup(tmp_path):
    folder = tmp_path / "data"
    records = Records.open(folder)
    records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    newest = backups.rotate_backup(records.database, reason="test")
    records.close()
    return folder, newest


def test_a_file_that_is_not_a_database_is_named_left_untouched_and_a_backup_offered(folder_with_backup):
    folder, newest = folder_with_backup
    db = folder / "ptassist.db"
    for suffix in ("-wal", "-shm"):
        (folder / f"ptassist.db{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is a word-processor file, not a database" * 50)
    before = digest(db)
    done = cli(folder, "patient", "list")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert str(db) in done.stderr and str(newest) in done.stderr and "left untouched" in done.stderr
    assert digest(db) == before
    assert not (folder / "ptassist.db-wal").exists()


def test_a_damaged_database_is_reported_not_opened(folder_with_backup):
    folder, newest = folder_with_backup
    db = folder / "ptassist.db"
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 6)):
        data[offset] = 0xA5
    db.write_bytes(bytes(data))
    before = digest(db)
    done = cli(folder, "search", "okafor")
    assert done.returncode == 1
    assert "damaged" in done.stderr and str(newest) in done.stderr
    assert digest(db) == before


def test_restore_recovers_a_corrupt_database(folder_with_backup):
    folder, newest = folder_with_backup
    (folder / "ptassist.db").write_bytes(b"garbage" * 1000)
    done = cli(folder, "restore", str(newest))
    assert done.returncode == 0, done.stderr
    assert "damaged database was kept" in done.stdout
    assert "Okafor" in cli(folder, "search", "okafor").stdout


def test_a_second_writer_makes_us_wait_then_say_so(tmp_path):
    folder = tmp_path / "data"
    Records.open(folder).close()
    blocker = sqlite3.connect(folder / "ptassist.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        done = cli(folder, "patient", "add", "--family", "A", "--given", "B", "--dob", "1990-01-01")
        waited = time.monotonic() - start
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert done.returncode == 1
    assert "in use by another program; close it or try again" in done.stderr
    assert waited >= 4.5  # the busy timeout was honoured before giving up
    assert cli(folder, "patient", "add", "--family", "A", "--given", "B", "--dob", "1990-01-01").returncode == 0


def _restrict(records, pragma):
    def apply(dbapi_connection, _record):
        dbapi_connection.execute(pragma)

    event.listen(records.database.engine, "connect", apply)
    records.database.engine.dispose()
    return apply


def test_read_only_database_gives_a_clear_error_and_the_draft_in_memory_survives(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    hook = _restrict(records, "PRAGMA query_only = ON")
    narrative = {"subjective": "Typed during the visit and not yet saved."}
    with pytest.raises(StoreError, match="read-only"):
        records.save_draft(visit, narrative=narrative)
    event.remove(records.database.engine, "connect", hook)
    records.database.engine.dispose()
    assert records.save_draft(visit, narrative=narrative).narrative == narrative


def test_full_disk_gives_a_clear_error_and_nothing_half_written(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    with records.database.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    hook = _restrict(records, f"PRAGMA max_page_count = {pages}")
    big = {"subjective": "x" * 19000, "objective": "y" * 19000, "plan": "z" * 19000, "assessment": "w" * 19000}
    with pytest.raises(StoreError, match="full"):
        records.save_draft(visit, narrative=big)
    event.remove(records.database.engine, "connect", hook)
    records.database.engine.dispose()
    assert records.visits.get(visit.id).version == 1  # rolled back whole
