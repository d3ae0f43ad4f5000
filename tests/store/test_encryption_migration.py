"""An existing plain database encrypted once: backup first, everything kept, nothing plain left behind."""

from __future__ import annotations

import sqlite3

import pytest

from ptassist.services.records import Records
from ptassist.store import backup as backups
from ptassist.store import encryption
from ptassist.store.database import open_database
from ptassist.store.errors import InUseError, StoreError
from ptassist.store.sqlite_file import is_plain_sqlite
from ptassist.store.verify import verify_chain
from tests.helpers import TEST_PASSWORD, clinic
from tests.store.conftest import INTAKE

pytestmark = pytest.mark.sqlite_only  # encrypting a plain SQLite file in place; a server has no file to encrypt

FAMILY = "Quixbyrne"


def _plain_clinic(folder):
    """A clinic set up before encryption existed: plain records holding a signed visit and an addendum."""
    signed_in = clinic(folder, name="Alex Carter", encrypted=False)
    records = Records.open(folder, signed_in=signed_in)
    try:
        person = records.patients.add(family_name=FAMILY, given_name="Zeltavia", date_of_birth="1971-04-09")
        visit = records.new_visit(person.id, "initial_evaluation", intake=INTAKE)
        records.sign(visit.id, TEST_PASSWORD)
        records.add_addendum(visit.id, "Called back: no change", TEST_PASSWORD)
        records.new_visit(person.id, "follow_up", intake=INTAKE)
    finally:
        records.close()
    return signed_in


def _counts(path, key=None):
    database = open_database(path.parent, key=key, daily_backup=False)
    try:
        with database.engine.connect() as connection:
            return {table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                    for table in ("patient", "visit", "addendum", "audit_event", "account")}
    finally:
        database.close()


def test_a_plain_database_opened_with_a_key_is_encrypted_once_after_a_plain_backup(tmp_path):
    folder = tmp_path / "data"
    signed_in = _plain_clinic(folder)
    path = folder / "ptassist.db"
    before = _counts(path)
    key = signed_in.database_key

    database = open_database(folder, key=key, daily_backup=False)
    try:
        assert database.encrypted
        assert any("now encrypted" in w and "not" in w for w in database.warnings)
        assert verify_chain(database).ok
    finally:
        database.close()
    assert not is_plain_sqlite(path) and FAMILY.encode() not in path.read_bytes()
    assert not (folder / "ptassist.db.encrypting").exists()
    assert not (folder / "ptassist.db-wal").exists() or FAMILY.encode() not in (folder / "ptassist.db-wal").read_bytes()
    plain_backups = [b for b in backups.list_backups(folder) if "pre-encryption" in b.name]
    assert len(plain_backups) == 1 and is_plain_sqlite(plain_backups[0])
    assert _counts(path, key) == before

    again = open_database(folder, key=key, daily_backup=False)  # once: the second open migrates nothing
    try:
        assert not any("now encrypted" in w for w in again.warnings)
    finally:
        again.close()
    assert len([b for b in backups.list_backups(folder) if "pre-encryption" in b.name]) == 1


def test_an_upgraded_plain_clinic_is_encrypted_when_its_records_open_as_an_encrypted_login(tmp_path):
    folder = tmp_path / "data"
    signed_in = _plain_clinic(folder)
    signed_in.encrypted = True  # the clinic's key file now says so (set-up with encryption, or an upgrade)
    records = Records.open(folder, signed_in=signed_in)
    try:
        assert records.database.encrypted
        assert records.patients.search("quixb")[0].family_name == FAMILY
        assert records.verify().ok
    finally:
        records.close()


def test_a_failed_check_leaves_the_plain_database_as_it_was(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    signed_in = _plain_clinic(folder)
    path = folder / "ptassist.db"
    before = _counts(path)

    def differs(*_args):
        raise StoreError("the encrypted copy does not hold the same rows; the records were left as they were")

    monkeypatch.setattr(encryption, "_check_copy", differs)
    with pytest.raises(StoreError, match="left as they were"):
        open_database(folder, key=signed_in.database_key, daily_backup=False)
    assert is_plain_sqlite(path) and _counts(path) == before
    assert not list(folder.glob("ptassist.db.encrypting*"))


def test_a_write_by_another_program_during_the_encryption_keeps_the_plain_file(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    signed_in = _plain_clinic(folder)
    path = folder / "ptassist.db"
    copy = encryption.export_copy

    def copy_then_another_program_writes(*args, **kwargs):
        copy(*args, **kwargs)
        other = sqlite3.connect(path)
        other.execute("UPDATE patient SET phone = '555 0100'")
        other.commit()
        other.close()

    monkeypatch.setattr(encryption, "export_copy", copy_then_another_program_writes)
    with pytest.raises(InUseError, match="changed while they were being encrypted"):
        encryption.encrypt_plain_database(path, folder, signed_in.database_key)
    assert is_plain_sqlite(path)
    other = sqlite3.connect(path)
    assert other.execute("SELECT phone FROM patient").fetchone() == ("555 0100",)
    other.close()


def test_a_backup_taken_before_the_encryption_restores_into_the_encrypted_records(tmp_path):
    folder = tmp_path / "data"
    signed_in = _plain_clinic(folder)
    signed_in.encrypted = True
    records = Records.open(folder, signed_in=signed_in)
    try:
        plain = next(b for b in backups.list_backups(folder) if "pre-encryption" in b.name)
        records.patients.add(family_name="Later", given_name="Added", date_of_birth="1990-01-01")
        backups.restore_from(records.database, plain, replace_newer=True)
        assert records.patients.count() == 1
        assert records.verify().ok
        assert not is_plain_sqlite(records.database.path)  # restored encrypted, not as the plain file
    finally:
        records.close()
