"""Encrypted records (SQLCipher) end to end: nothing readable on disk, wrong keys, keyed readers,
backups, restore, exports, and private modes on every file and folder the app writes."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from ptassist.security.argon2_params import TEST_ONLY
from ptassist.security.export_container import Passphrase
from ptassist.security.keyring import new_database_key
from ptassist.services.printing import Printing, PrintRecords
from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store.database import open_database
from ptassist.store.errors import CorruptDatabaseError, StoreError, WrongKeyError
from ptassist.store.export_checks import ExportError
from ptassist.store.patient_directory import PatientDirectory
from ptassist.store.snapshots import keys_beside
from ptassist.store.transfer import export_database, import_database
from tests.helpers import TEST_PASSWORD, clinic
from tests.store.conftest import INTAKE

pytestmark = pytest.mark.sqlite_only  # SQLCipher encrypts the SQLite file; a server protects its own disk (docs/postgresql.md)

# Synthetic, and unusual enough that a hit in a file's bytes can only be our own record.
FAMILY, GIVEN = "Quixbyrne", "Zeltavia"
NOTE = "Vornquil tendon glides tolerated without flare"


@pytest.fixture
def encrypted(tmp_path):
    """Records of an encrypted clinic, opened as its first account."""
    folder = tmp_path / "data"
    signed_in = clinic(folder, name="Alex Carter", encrypted=True)
    opened = Records.open(folder, signed_in=signed_in)
    yield opened
    opened.close()


def _session(records: Records, tmp_path: Path) -> dict[str, Path]:
    """Create, save, sign, print, back up and export, as a clinician's day would."""
    person = records.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09", sex="female")
    visit = records.new_visit(person.id, "initial_evaluation", intake=INTAKE)
    visit = records.save_draft(visit, narrative={"assessment": NOTE, "plan": NOTE})
    records.sign(visit.id, TEST_PASSWORD)
    Printing(records).summary(visit.id)  # a sheet of a signed visit is stored with it
    folder = records.database.folder
    exported = folder / "exports"
    exported.mkdir(mode=0o700)
    return {
        "backup": backups.rotate_backup(records.database, reason="test"),
        "export": exported / "clinic.ptx",
        "visit": Path(str(visit.id)),
    }


def _files(folder: Path) -> list[Path]:
    return [Path(root) / name for root, _dirs, names in os.walk(folder) for name in names]


def test_no_patient_name_or_note_text_in_any_file_of_an_encrypted_clinic(encrypted, tmp_path):
    made = _session(encrypted, tmp_path)
    export_database(encrypted.database, made["export"], "Alex Carter", Passphrase("a passphrase for the export"),
                    params=TEST_ONLY)
    holder = encrypted.database.engine.connect()  # keeps the write-ahead log on disk, as a running app does
    try:
        files = _files(encrypted.database.folder)
        assert any(f.name.endswith("-wal") for f in files)
        assert made["backup"] in files and made["export"] in files
        needles = [w.encode(c) for w in (FAMILY, GIVEN, "Vornquil") for c in ("utf-8", "utf-16-le")]
        needles += [w.lower().encode() for w in (FAMILY, GIVEN)]  # the folded search name
        for file in files:
            data = file.read_bytes()
            found = [n for n in needles if n in data]
            assert not found, f"{file.relative_to(encrypted.database.folder)} holds {found}"
    finally:
        holder.close()


def test_every_file_is_0600_and_every_folder_0700_after_a_session(encrypted, tmp_path):
    made = _session(encrypted, tmp_path)
    export_database(encrypted.database, made["export"], "Alex Carter", Passphrase("a passphrase for the export"),
                    params=TEST_ONLY)
    backups.backup_to(encrypted.database, encrypted.database.folder / "by-hand.db")
    holder = encrypted.database.engine.connect()
    try:
        root = encrypted.database.folder
        wrong = []
        for current, _folders, names in os.walk(root):
            if stat.S_IMODE(Path(current).stat().st_mode) != 0o700:
                wrong.append((str(Path(current).relative_to(root.parent)), oct(Path(current).stat().st_mode)))
            for name in names:
                path = Path(current) / name
                if stat.S_IMODE(path.stat().st_mode) != 0o600:
                    wrong.append((str(path.relative_to(root.parent)), oct(path.stat().st_mode)))
        assert not wrong
        assert any(p.name.endswith("-wal") for p in _files(root))  # the log was there to be checked
    finally:
        holder.close()


def test_the_file_is_not_sqlite_and_the_standard_library_cannot_read_it(encrypted):
    encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    path = encrypted.database.path
    assert not path.read_bytes().startswith(b"SQLite format 3")
    plain = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()
    assert encrypted.database.engine.dialect.driver == "pysqlcipher"
    assert "x'" not in str(encrypted.database.engine.url) + repr(encrypted.database)


def test_name_search_works_on_the_encrypted_file(encrypted):
    encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    encrypted.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    assert [p.family_name for p in encrypted.patients.search("quix zel")] == [FAMILY]
    assert [p.family_name for p in encrypted.patients.search("09/04/1971")] == [FAMILY]


def test_a_wrong_key_or_no_key_is_one_clear_line_and_changes_nothing(encrypted, tmp_path):
    encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    folder = encrypted.database.folder
    encrypted.close()
    before = (folder / "ptassist.db").read_bytes()
    with pytest.raises(WrongKeyError) as wrong:
        open_database(folder, key=new_database_key())
    assert "the key does not open" in str(wrong.value) and "\n" not in str(wrong.value)
    with pytest.raises(CorruptDatabaseError, match="encrypted records open only after logging in"):
        open_database(folder)
    assert (folder / "ptassist.db").read_bytes() == before


def test_the_start_up_directory_reads_the_encrypted_file_keyed(encrypted):
    encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    path, key = encrypted.database.path, encrypted.database.key
    directory = PatientDirectory.open(path, key=key)
    assert directory is not None
    try:
        assert [p.family_name for p in directory.search("quixb")] == [FAMILY]
        assert directory.count() == 1
        with pytest.raises(Exception, match=r"readonly|read-only|attempt to write"):
            directory.connection.execute("DELETE FROM patient")
    finally:
        directory.close()
    assert PatientDirectory.open(path) is None
    assert PatientDirectory.open(path, key=new_database_key()) is None


def test_the_print_fast_path_reads_and_stores_in_the_encrypted_file(encrypted):
    person = encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    visit = encrypted.new_visit(person.id, "initial_evaluation", intake=INTAKE)
    encrypted.sign(visit.id, TEST_PASSWORD)
    fast = PrintRecords.open(encrypted.database.path, key=encrypted.database.key)
    assert fast is not None
    try:
        printed = Printing(fast, "Alex Carter").summary(visit.id)
    finally:
        fast.close()
    assert printed.stored is not None
    assert [d.sha256 for d in encrypted.documents.for_visit(visit.id)] == [printed.sha256]
    assert PrintRecords.open(encrypted.database.path) is None  # without the key: the full store explains


def test_backups_are_encrypted_with_the_same_key_and_carry_the_key_file(encrypted):
    encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    taken = backups.rotate_backup(encrypted.database, reason="test")
    assert not taken.read_bytes().startswith(b"SQLite format 3")
    assert FAMILY.encode() not in taken.read_bytes()
    assert keys_beside(taken).read_bytes() == (encrypted.database.folder / "ptassist.keys").read_bytes()
    assert backups.check_backup(taken, encrypted.database.key)
    with pytest.raises(StoreError, match="cannot restore: the key does not open"):
        backups.check_backup(taken, new_database_key())
    for _ in range(3):
        backups.rotate_backup(encrypted.database, reason="test", keep=2)
    kept = backups.list_backups(encrypted.database.folder)
    assert sorted(p.name for p in kept[0].parent.glob("*.keys")) == sorted(keys_beside(p).name for p in kept)


def test_restore_of_an_encrypted_backup(encrypted):
    person = encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    visit = encrypted.new_visit(person.id, "initial_evaluation", intake=INTAKE)
    encrypted.sign(visit.id, TEST_PASSWORD)
    taken = backups.rotate_backup(encrypted.database, reason="test")
    encrypted.patients.add(family_name="Later", given_name="Added", date_of_birth="1990-01-01")
    with pytest.raises(backups.NewerRecordsError, match="1 patient"):
        backups.restore_from(encrypted.database, taken)
    backups.restore_from(encrypted.database, taken, replace_newer=True)
    assert encrypted.patients.count() == 1
    assert encrypted.verify().ok
    assert not encrypted.database.path.read_bytes().startswith(b"SQLite format 3")


@pytest.fixture
def keyed_store(tmp_path):
    """Encrypted records opened by the store alone with a key (no accounts: the export holds only records)."""
    opened = Records(open_database(tmp_path / "keyed", key=new_database_key()))
    yield opened
    opened.close()


def test_exports_are_encrypted_and_import_needs_the_passphrase(keyed_store, tmp_path):
    encrypted = keyed_store
    person = encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    visit = encrypted.new_visit(person.id, "initial_evaluation", intake=INTAKE)
    encrypted.save_draft(visit, narrative={"assessment": NOTE})
    target = tmp_path / "clinic.ptx"
    secret = Passphrase("a passphrase for the export")
    counts = export_database(encrypted.database, target, "Alex Carter", secret, params=TEST_ONLY)
    assert counts["patients"] == 1 and counts["visits"] == 1
    data = target.read_bytes()
    assert data.startswith(b"\x89PTX") and FAMILY.encode() not in data and b"Vornquil" not in data
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*.partial"))

    plain = tmp_path / "plain.json"
    export_database(encrypted.database, plain, "Alex Carter")
    assert FAMILY.encode() in plain.read_bytes()

    fresh = open_database(tmp_path / "other", key=new_database_key())
    try:
        with pytest.raises(ExportError, match="encrypted export: give its passphrase"):
            import_database(fresh, target)
        with pytest.raises(ExportError, match="passphrase does not open"):
            import_database(fresh, target, Passphrase("not the passphrase"))
        assert import_database(fresh, target, secret)["patients"] == 1
    finally:
        fresh.close()
    again = open_database(tmp_path / "third")
    try:
        assert import_database(again, plain)["visits"] == 1  # a plain export still imports
    finally:
        again.close()


def test_an_encrypted_export_is_the_same_json_as_the_plain_one(encrypted, tmp_path):
    from ptassist.security.export_container import decrypt_file

    encrypted.patients.add(family_name=FAMILY, given_name=GIVEN, date_of_birth="1971-04-09")
    secret = Passphrase("a passphrase for the export")
    export_database(encrypted.database, tmp_path / "a.ptx", "x", secret, params=TEST_ONLY)
    export_database(encrypted.database, tmp_path / "b.json", "x")
    decrypt_file(tmp_path / "a.ptx", tmp_path / "a.json", secret)
    # The audit trail gains an export event after each snapshot: compare what came before it.
    first, second = (tmp_path / "a.json").read_text(), (tmp_path / "b.json").read_text()
    assert first.split('"audit_events"')[0] == second.split('"audit_events"')[0]


def test_a_login_reads_the_account_roles_from_the_encrypted_records(encrypted):
    from ptassist.services.identity import log_in

    encrypted.add_user("Sam Reyes", frozenset({"clinician"}), TEST_PASSWORD, credentials="PT", registration="PT 2")
    signed_in = log_in(encrypted.database.folder, "Sam Reyes", TEST_PASSWORD, params=TEST_ONLY)
    assert signed_in.encrypted
    assert signed_in.account.roles == frozenset({"clinician"})  # not the first account's roles
    assert signed_in.account.registration == "PT 2"
