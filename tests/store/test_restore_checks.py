"""Restore checks a backup completely before it replaces anything, and never sets aside newer
records without being told to."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store.errors import StoreError
from tests.helpers import TEST_PASSWORD, open_clinic, prepare_cli
from tests.store.conftest import INTAKE

# Restoring a backup file over the SQLite file (a server is restored with pg_restore).
pytestmark = pytest.mark.sqlite_only


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    prepare_cli(folder, args)
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args],
                          capture_output=True, text=True, check=False, timeout=120)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_visits(records: Records, patient_id: int, count: int, sign_every: int = 2) -> None:
    for n in range(count):
        visit = records.new_visit(patient_id, "follow_up", intake=INTAKE)
        if n % sign_every == 0:
            records.sign(visit.id, TEST_PASSWORD)


def visit_count(folder: Path) -> int:
    raw = sqlite3.connect(folder / "ptassist.db")
    try:
        return int(raw.execute("SELECT count(*) FROM visit").fetchone()[0])
    finally:
        raw.close()


@pytest.fixture
def practice(tmp_path):
    """Records with 6 visits, a backup of them, then 19 more visits (the issue's 25 → 6)."""
    folder = tmp_path / "data"
    records = open_clinic(folder)
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    add_visits(records, patient.id, 6)
    backup = backups.backup_to(records.database, tmp_path / "older.db")
    add_visits(records, patient.id, 19)
    records.close()
    return folder, backup


def test_restore_over_newer_records_is_refused_with_what_would_be_set_aside(practice):
    folder, backup = practice
    before = digest(folder / "ptassist.db")
    done = cli(folder, "restore", str(backup))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "the current records have 19 visits newer than the backup or not in it" in done.stderr
    assert f"to restore anyway: ptassist restore {backup} --replace-newer" in done.stderr
    assert visit_count(folder) == 25 and digest(folder / "ptassist.db") == before
    assert not list((folder / "backups").glob("*pre-restore*"))  # nothing was set aside either

    forced = cli(folder, "restore", str(backup), "--replace-newer")
    assert forced.returncode == 0, forced.stderr
    assert visit_count(folder) == 6
    kept = next((folder / "backups").glob("*pre-restore.db"))  # the key file beside it is *pre-restore.db.keys
    raw = sqlite3.connect(kept)
    assert raw.execute("SELECT count(*) FROM visit").fetchone()[0] == 25  # the 19 are kept aside
    raw.close()
    assert cli(folder, "verify").returncode == 0


def test_a_changed_draft_counts_as_newer(tmp_path):
    records = Records.open(tmp_path / "data")
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    draft = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    backup = backups.backup_to(records.database, tmp_path / "b.db")
    records.save_draft(draft, narrative={"plan": "typed after the backup"})
    newer = backups.newer_records(records.database.path, backup)
    assert newer == backups.NewerRecords(visits=1)
    with pytest.raises(backups.NewerRecordsError, match="1 visit newer than the backup"):
        backups.restore_from(records.database, backup)
    assert records.visits.get(draft.id).narrative == {"plan": "typed after the backup"}
    records.close()


def test_restoring_an_identical_backup_needs_no_question(records, patient, tmp_path):
    backup = backups.backup_to(records.database, tmp_path / "same.db")
    backups.restore_from(records.database, backup)
    assert records.patients.count() == 1


def _tamper(backup: Path, *statements: str) -> None:
    raw = sqlite3.connect(backup, isolation_level=None)
    try:
        for statement in statements:
            raw.execute(statement)
    finally:
        raw.close()


def _trigger_sql(backup: Path, name: str) -> str:
    raw = sqlite3.connect(backup)
    try:
        return str(raw.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0])
    finally:
        raw.close()


def _signed_backup(records: Records, patient, tmp_path: Path) -> Path:
    add_visits(records, patient.id, 3, sign_every=1)
    return backups.backup_to(records.database, tmp_path / "signed.db")


def test_a_backup_with_a_broken_hash_chain_is_refused(records, patient, tmp_path):
    backup = _signed_backup(records, patient, tmp_path)
    guard = _trigger_sql(backup, "visit_signed_no_update")
    # Someone drops the guard, edits a signed note, and puts the very same guard back.
    _tamper(backup, "DROP TRIGGER visit_signed_no_update",
            "UPDATE visit SET narrative_json = '{\"plan\":\"edited later\"}' WHERE id = 2", guard)
    live_before = digest(records.database.path)
    with pytest.raises(StoreError, match=r"fails its hash-chain check \(visit 2: content does not match its hash"):
        backups.restore_from(records.database, backup, replace_newer=True)
    assert digest(records.database.path) == live_before
    assert not (records.database.path.parent / "ptassist.db.restoring").exists()
    assert len(records.visits.history(patient.id)) == 3


@pytest.mark.parametrize(("statement", "words"), [
    ("CREATE TRIGGER quietly_copy AFTER INSERT ON visit BEGIN SELECT 1; END",
     "it holds a trigger that ptassist does not create (quietly_copy)"),
    ("CREATE VIEW everything AS SELECT * FROM patient", "it holds a view that ptassist does not create (everything)"),
    ("CREATE TABLE extra (x)", "it holds a table that ptassist does not create (extra)"),
    ("CREATE INDEX ix_extra ON patient (phone)", "it holds an index that ptassist does not create (ix_extra)"),
    ("DROP TRIGGER visit_signed_no_delete", "its trigger visit_signed_no_delete is missing"),
])
def test_a_backup_whose_schema_is_not_ptassists_is_refused(records, patient, tmp_path, statement, words):
    backup = _signed_backup(records, patient, tmp_path)
    _tamper(backup, statement)
    with pytest.raises(StoreError, match=re.escape(f"is not as ptassist made it: {words}")):
        backups.restore_from(records.database, backup, replace_newer=True)
    assert len(records.visits.history(patient.id)) == 3


def test_a_trigger_with_the_right_name_and_another_body_is_refused(records, patient, tmp_path):
    backup = _signed_backup(records, patient, tmp_path)
    _tamper(backup, "DROP TRIGGER visit_signed_no_update",
            "CREATE TRIGGER visit_signed_no_update BEFORE UPDATE ON visit BEGIN SELECT 1; END")
    with pytest.raises(StoreError, match="its trigger visit_signed_no_update differs from the one ptassist creates"):
        backups.check_backup(backup)


def test_the_cli_refuses_a_tampered_backup_with_the_reason_and_changes_nothing(practice, tmp_path):
    folder, backup = practice
    _tamper(backup, "CREATE TRIGGER sneaky AFTER INSERT ON patient BEGIN SELECT 1; END")
    before = digest(folder / "ptassist.db")
    done = cli(folder, "restore", str(backup), "--replace-newer")
    assert done.returncode == 1
    assert "holds a trigger that ptassist does not create (sneaky)" in done.stderr
    assert digest(folder / "ptassist.db") == before and visit_count(folder) == 25


def test_restore_while_another_program_holds_the_file_sets_nothing_aside(practice):
    folder, backup = practice
    db = folder / "ptassist.db"
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("PRAGMA locking_mode = EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        done = cli(folder, "restore", str(backup), "--replace-newer")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert done.returncode == 1
    assert "in use by another program; close it or try again" in done.stderr and "damaged" not in done.stderr
    assert not (folder / "ptassist.db.damaged").exists()
    assert visit_count(folder) == 25
