"""The record commands on an encrypted clinic: search, backup, restore and the print fast path."""

from __future__ import annotations

import io
import os
import stat

import pytest

from ptassist import cli
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.services import printing
from ptassist.services.identity import log_in
from ptassist.services.records import Records
from tests.helpers import TEST_PASSWORD, clinic, login_env
from tests.store.conftest import INTAKE

FAMILY = "Quixbyrne"


def ptassist(folder, *args):
    out = io.StringIO()
    return cli.main(["--data-dir", str(folder), *args], out=out), out.getvalue()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An encrypted clinic holding one patient with a signed visit; CLI runs log in as its first account."""
    data = tmp_path / "data"
    signed_in = clinic(data, encrypted=True)
    records = Records.open(data, signed_in=signed_in)
    try:
        person = records.patients.add(family_name=FAMILY, given_name="Zeltavia", date_of_birth="1971-04-09")
        visit = records.new_visit(person.id, "initial_evaluation", intake=INTAKE)
        records.sign(visit.id, TEST_PASSWORD)
    finally:
        records.close()
    login_env(monkeypatch)
    return data


def test_search_reads_the_encrypted_records(folder):
    status, said = ptassist(folder, "search", "quixb")
    assert status == 0 and FAMILY in said


def test_backup_and_restore_of_an_encrypted_clinic(folder, tmp_path, capsys):
    target = tmp_path / "copy.db"
    assert ptassist(folder, "backup", str(target))[0] == 0
    assert not target.read_bytes().startswith(b"SQLite format 3") and FAMILY.encode() not in target.read_bytes()
    assert (tmp_path / "copy.db.keys").exists()
    assert ptassist(folder, "patient", "add", "--family", "Later", "--given", "Added", "--dob", "1990-01-01")[0] == 0
    status, said = ptassist(folder, "restore", str(target), "--replace-newer")
    assert status == 0, capsys.readouterr().err
    assert "damaged" not in said  # the encrypted file was opened with the key, not set aside
    assert "Later" not in ptassist(folder, "search", "later")[1]
    assert FAMILY in ptassist(folder, "search", "quixb")[1]


def test_print_takes_the_fast_path_on_the_encrypted_file(folder, tmp_path, monkeypatch):
    opened = []
    real_open = printing.PrintRecords.open.__func__

    def watched(cls, path, key=None):
        store = real_open(cls, path, key)
        opened.append(store is not None)
        return store

    monkeypatch.setattr(printing.PrintRecords, "open", classmethod(watched))
    target = tmp_path / "summary.pdf"
    signed_in = log_in(folder, "Test Clinician", TEST_PASSWORD, params=TEST_ONLY)
    records = Records.open(folder, signed_in=signed_in)
    try:
        visit_id = records.visits.history(records.patients.search("quixb")[0].id)[0].id
    finally:
        records.close()
    status, said = ptassist(folder, "print", "summary", str(visit_id), "-o", str(target))
    assert status == 0 and "stored with the visit" in said
    assert opened == [True]  # the sqlite3-only store opened the encrypted file with the login's key
    assert target.read_bytes().startswith(b"%PDF")
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
