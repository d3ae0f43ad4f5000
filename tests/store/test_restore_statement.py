"""Signed restore statements: two workstations on one PostgreSQL server (two state folders, so
two anchors), one restores an older backup, and the other accepts it on purpose, once, instead of
warning of a rollback; a forged statement, one signed by a key that may not vouch, and one whose
heads before the restore fall short of what the workstation saw, all leave the warning standing.
The statements table is append-only on both back ends."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from ptassist.security.encoding import b64
from ptassist.security.restore_signature import RestoreContent, sign_statement
from ptassist.security.signing import SigningKey
from ptassist.store import anchor, backup
from ptassist.store.errors import LockedError
from ptassist.store.restore_statements import COLUMNS, TABLE, Restorer
from ptassist.store.sql_run import connection_runner
from tests.backends import RawConnection
from tests.helpers import TEST_PASSWORD, add_clinician, open_clinic
from tests.store.conftest import INTAKE

ROLLBACK = "signed records were removed or an older copy of the file is open"


@contextmanager
def workstation(monkeypatch, state: Path):
    """Inside the block, this process is the workstation whose state (its anchors) is in ``state``."""
    with monkeypatch.context() as patch:
        patch.setenv("PTASSIST_STATE_DIR", str(state))
        yield


def _sign_visit(records, patient_id):
    visit = records.new_visit(patient_id, "follow_up", intake=INTAKE)
    return records.sign(visit.id, TEST_PASSWORD)


def _head(database):
    with database.engine.connect() as connection:
        return anchor.read_head(connection_runner(connection))


def _opened_warnings(folder):
    """Open the records as Alex Carter on the current workstation; the warnings and notices it shows."""
    opened = open_clinic(folder)
    try:
        return list(opened.database.warnings), opened.verify()
    finally:
        opened.close()


@pytest.fixture
def two_workstations(records, patient, signed_in, tmp_path, monkeypatch):
    """Workstation A (the test's own state folder) signs and backs up; workstation B opens the
    records, signs two visits after the backup, and closes. Returns (backup, B's state folder)."""
    _sign_visit(records, patient.id)
    taken = backup.backup_to(records.database, tmp_path / "ptassist-server-before.dump")
    b_state = tmp_path / "state-b"
    with workstation(monkeypatch, b_state):
        b_records = open_clinic(records.database.folder)
        try:
            assert not any(ROLLBACK in w for w in b_records.database.warnings)  # (it pins the root key)
            _sign_visit(b_records, patient.id)
            _sign_visit(b_records, patient.id)
        finally:
            b_records.close()
    return taken, b_state


def _restorer(signed_in):
    return Restorer(signed_in.account.name, signed_in.signing_key)


@pytest.mark.postgresql
def test_a_restore_signed_by_an_administrator_is_accepted_once_by_the_other_workstation(
        records, signed_in, two_workstations, monkeypatch):
    taken, b_state = two_workstations
    with workstation(monkeypatch, b_state):
        seen = anchor.load(_head(records.database).database_id)
    restored = backup.restore_from(records.database, taken, replace_newer=True, restorer=_restorer(signed_in))
    assert restored.signed and "signed by Alex Carter" in restored.statement
    head = _head(records.database)
    assert head.seq < seen.seq and len(head.restores) == 1

    with workstation(monkeypatch, b_state):
        warnings, report = _opened_warnings(records.database.folder)
        assert not any(ROLLBACK in w for w in warnings), warnings
        notices = [w for w in warnings if "restored from a backup" in w]
        assert len(notices) == 1 and "by Alex Carter (ptassist-server-before.dump)" in notices[0]
        assert "2 signed entries made after it were set aside in the pre-restore backup" in notices[0]
        assert report.ok, report.problems
        moved = anchor.load(head.database_id)
        assert (moved.seq, moved.hash) == (head.seq, head.hash) and moved.restores == head.restores
        assert moved.root == seen.root and moved.root  # the trust root it had stays
        warnings, _ = _opened_warnings(records.database.folder)  # told once
        assert warnings == []


@pytest.mark.postgresql
def test_without_a_signing_key_no_statement_is_written_and_the_other_workstation_warns(
        records, two_workstations, monkeypatch):
    taken, b_state = two_workstations
    restored = backup.restore_from(records.database, taken, replace_newer=True)
    assert not restored.signed and "no restore statement was written (this tool has no signing key)" in \
        restored.statement
    with workstation(monkeypatch, b_state):
        warnings, report = _opened_warnings(records.database.folder)
    assert any(ROLLBACK in w for w in warnings) and not report.ok


def _statement_by_hand(database, key: SigningKey, key_id: int, actor: str, before, signature: bytes | None = None):
    """A statement inserted with plain SQL (anyone allowed to add rows can), signed by ``key``."""
    after = _head(database)
    content = RestoreContent(after.database_id, "2026-12-03T10:42:00.000000+00:00", actor, key_id,
                             b64(key.public_key()), before.seq, before.hash, before.audit_seq, before.audit_hash,
                             after.seq, after.hash, after.audit_seq, after.audit_hash, "ptassist-server-before.dump")
    values = {name: getattr(content, name) for name in COLUMNS[:-1]}
    values["signature"] = b64(signature if signature is not None else sign_statement(key, content))
    with database.engine.begin() as connection:
        connection.execute(text(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
                                f"VALUES ({', '.join(':' + name for name in COLUMNS)})"), values)


@pytest.mark.postgresql
@pytest.mark.parametrize("forgery", ["bad signature", "clinician's key", "key of no record"])
def test_a_forged_statement_leaves_the_warning_and_fails_verify(records, signed_in, two_workstations, monkeypatch,
                                                                 forgery):
    taken, b_state = two_workstations
    with workstation(monkeypatch, b_state):
        seen = anchor.load(_head(records.database).database_id)
    backup.restore_from(records.database, taken, replace_newer=True)  # no statement: a rollback, as far as B knows
    admin_id = records.accounts.key_record(signed_in.public_key)
    if forgery == "bad signature":
        _statement_by_hand(records.database, signed_in.signing_key, admin_id, "Alex Carter", seen,
                           signature=bytes(64))
        why, verify_says = "its signature does not match what it says", "its signature does not match"
    elif forgery == "clinician's key":
        clinician = add_clinician(records, "Sam Lee")
        try:
            key_id = clinician.accounts.key_record(clinician.actor.public_key)
            _statement_by_hand(records.database, clinician.actor.signing_key, key_id, "Sam Lee", seen)
        finally:
            clinician.close()
        why = verify_says = "is not vouched for as an administrator's"
    else:  # a fresh key claiming the administrator's key record
        _statement_by_hand(records.database, SigningKey.generate(), admin_id, "Alex Carter", seen)
        why = verify_says = f"it names key record {admin_id}, which does not hold the key that signed it"

    with workstation(monkeypatch, b_state):
        warnings, report = _opened_warnings(records.database.folder)
        assert any(ROLLBACK in w for w in warnings), warnings
        assert any("restore statement of 2026-12-03 10:42 UTC by" in w and "does not hold: " in w and why in w
                   for w in warnings), warnings
        assert not any("restored from a backup on" in w for w in warnings)
        assert anchor.load(seen.database_id) == seen  # the evidence is kept
    assert any(p.record_type == TABLE and verify_says in p.message for p in report.problems), report.problems


@pytest.mark.postgresql
def test_a_statement_that_does_not_reach_what_the_workstation_saw_leaves_the_warning(
        records, signed_in, patient, two_workstations, tmp_path, monkeypatch):
    """B saw more than the records held when A signed its restore: the records had been rolled
    back before (here by an unsigned restore), and a signed restore afterwards does not excuse that."""
    older, b_state = two_workstations
    newer = backup.backup_to(records.database, tmp_path / "ptassist-server-newer.dump")  # holds B's entry
    with workstation(monkeypatch, b_state):
        b_records = open_clinic(records.database.folder)
        try:
            _sign_visit(b_records, patient.id)  # B sees one entry more than ``newer`` holds
        finally:
            b_records.close()
    backup.restore_from(records.database, newer, replace_newer=True)  # unsigned: B's last entry is gone
    restored = backup.restore_from(records.database, older, replace_newer=True, restorer=_restorer(signed_in))
    assert restored.signed

    with workstation(monkeypatch, b_state):
        warnings, report = _opened_warnings(records.database.folder)
    assert any(ROLLBACK in w for w in warnings), warnings
    assert any("restore statement of" in w and "by Alex Carter does not hold: this workstation saw signed entries"
               in w for w in warnings), warnings
    assert not report.ok and not any(p.record_type == TABLE for p in report.problems)  # the statement itself holds


@pytest.mark.postgresql
def test_restores_one_after_another_are_followed_and_earlier_statements_survive_each_swap(
        records, signed_in, patient, two_workstations, tmp_path, monkeypatch):
    """B is away through two signed restores, the second to a backup older than the first's (so
    the first alone does not explain the records); the second swap keeps the first's statement."""
    older, b_state = two_workstations
    newer = backup.backup_to(records.database, tmp_path / "ptassist-server-newer.dump")
    with workstation(monkeypatch, b_state):
        b_records = open_clinic(records.database.folder)
        try:
            _sign_visit(b_records, patient.id)
        finally:
            b_records.close()
    restorer = _restorer(signed_in)
    backup.restore_from(records.database, newer, replace_newer=True, restorer=restorer)
    backup.restore_from(records.database, older, replace_newer=True, restorer=restorer)  # it holds no statement
    assert len(_head(records.database).restores) == 2

    with workstation(monkeypatch, b_state):
        warnings, report = _opened_warnings(records.database.folder)
    notices = [w for w in warnings if "restored from a backup" in w]
    assert [n.split(" (")[1].split(")")[0] for n in notices] == ["ptassist-server-newer.dump",
                                                                 "ptassist-server-before.dump"]
    assert "; 1 signed entry made after it was set aside" in notices[0] and "; 2 signed entries" in notices[1]
    assert not any(ROLLBACK in w for w in warnings) and report.ok, (warnings, report.problems)


@pytest.mark.postgresql
def test_a_statement_already_seen_explains_no_later_rollback_nor_does_a_copy_of_it(
        records, signed_in, patient, two_workstations, monkeypatch):
    taken, b_state = two_workstations
    backup.restore_from(records.database, taken, replace_newer=True, restorer=_restorer(signed_in))
    with workstation(monkeypatch, b_state):
        b_records = open_clinic(records.database.folder)
        try:
            assert any("restored from a backup" in w for w in b_records.database.warnings)
            _sign_visit(b_records, patient.id)
        finally:
            b_records.close()
    backup.restore_from(records.database, taken, replace_newer=True)  # unsigned: B's new entry is gone
    names = ", ".join(COLUMNS)
    with records.database.engine.begin() as connection:  # the same signed words, replayed as a new row
        connection.execute(text(f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM {TABLE}"))

    with workstation(monkeypatch, b_state):
        warnings, report = _opened_warnings(records.database.folder)
    assert any(ROLLBACK in w for w in warnings) and not any("restored from a backup" in w for w in warnings)
    assert any(p.record_type == TABLE and "it repeats restore statement" in p.message for p in report.problems)


def test_restore_statements_cannot_be_changed_or_removed(records, signed_in):
    """On both back ends (an SQLite file has the table too, though only servers write to it)."""
    key_id = records.accounts.key_record(signed_in.public_key)
    _statement_by_hand(records.database, signed_in.signing_key, key_id, "Alex Carter", _head(records.database))
    for sql in (f"UPDATE {TABLE} SET actor = 'Mallory'", f"DELETE FROM {TABLE}"):
        with pytest.raises(LockedError, match="restore statements are permanent records"), \
                records.database.transaction() as session:
            session.connection().execute(text(sql))
    raw = RawConnection(records.database)
    try:
        if not raw.sqlite:
            with pytest.raises(raw.Error, match="restore statements are permanent records"):
                raw.execute(f"TRUNCATE {TABLE}")
    finally:
        raw.close()
    with records.database.engine.connect() as connection:
        assert connection.execute(text(f"SELECT actor FROM {TABLE}")).scalars().all() == ["Alex Carter"]
    assert records.verify().ok  # the statement's signature holds
