"""Accounts, login, lockout, roles and recovery, checked in the services (not only in a GUI)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from ptassist.security import keyfile
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.security.lockout import Attempts
from ptassist.services import key_store
from ptassist.services.identity import (
    IdentityError,
    LockedOut,
    NotAllowed,
    WeakPassword,
    WrongPassword,
    clinic_state,
    confirm_password,
    keyfile_path,
    load_keys,
    log_in,
    recover,
    set_up,
)
from ptassist.services.records import Records
from ptassist.store import server_keys
from tests.backends import elsewhere
from tests.helpers import TEST_PASSWORD, add_clinician, clinic, open_clinic
from tests.store.conftest import INTAKE

NEW_PASSWORD = "a brand new passphrase"


def test_first_start_makes_an_administrator_clinician_and_a_recovery_key(tmp_path):
    folder = tmp_path / "data"
    assert clinic_state(folder) == "first_start"
    signed_in, recovery = set_up(folder, name="Mei Lin", password=TEST_PASSWORD, credentials="PT",
                                 registration="PNZ 1", encrypted=False, params=TEST_ONLY)
    assert clinic_state(folder) == "login"
    assert signed_in.account.is_administrator and signed_in.account.can_sign
    assert len(recovery.split("-")) == 8
    assert TEST_PASSWORD not in repr(signed_in) and signed_in.database_key.hex() not in repr(signed_in)
    with pytest.raises(IdentityError, match="already set up"):
        set_up(folder, name="Someone", password=TEST_PASSWORD, credentials="", registration="", params=TEST_ONLY)


def test_a_short_password_is_refused_with_what_to_do_and_nothing_is_made(tmp_path):
    folder = tmp_path / "data"
    with pytest.raises(WeakPassword, match="too short: use at least 12 characters"):
        set_up(folder, name="Mei Lin", password="short", credentials="", registration="", params=TEST_ONLY)
    assert clinic_state(folder) == "first_start"


def test_a_wrong_password_and_an_unknown_name_get_the_same_message(signed_in, tmp_path):
    folder = tmp_path / "data"
    with pytest.raises(WrongPassword) as wrong:
        log_in(folder, "Alex Carter", "not the password", params=TEST_ONLY)
    with pytest.raises(WrongPassword) as unknown:
        log_in(folder, "Nobody Here", TEST_PASSWORD, params=TEST_ONLY)
    assert str(wrong.value) == str(unknown.value) == "Unknown user or wrong password."
    assert log_in(folder, "  alex CARTER ", TEST_PASSWORD, params=TEST_ONLY).account.name == "Alex Carter"


def test_a_key_file_account_the_records_do_not_list_does_not_open_them(signed_in, tmp_path):
    """Accounts live in the database: a key file brought from other records opens none of these,
    on a server too (where the login cannot read the records before they open)."""
    other = tmp_path / "other"
    with elsewhere():
        clinic(other, name="Mallory Stone")
    shutil.copyfile(keyfile_path(other), keyfile_path(tmp_path / "data"))
    with pytest.raises(WrongPassword, match="Unknown user or wrong password"):
        open_clinic(tmp_path / "data", "Mallory Stone")


def _replace_keys(folder, clinic_keys):
    """Write the clinic's keys over whatever is held (a test's way to move a lockout into the past)."""
    url = key_store.server_url(folder)
    if url is not None:
        server_keys.write(url, lambda _held: clinic_keys.to_json())
    keyfile.save(keyfile_path(folder), clinic_keys)


def test_failed_attempts_bring_a_delay_and_are_audited_at_the_next_open(signed_in, tmp_path):
    folder = tmp_path / "data"
    for _ in range(4):  # three free attempts, then a wait after the fourth failure
        with pytest.raises(WrongPassword):
            log_in(folder, "Alex Carter", "not the password", params=TEST_ONLY)
    with pytest.raises(LockedOut, match=r"Too many failed attempts: try again in \d+ seconds"):
        log_in(folder, "Alex Carter", TEST_PASSWORD, params=TEST_ONLY)  # even the right password waits
    with pytest.raises(LockedOut):
        confirm_password(signed_in, folder, TEST_PASSWORD)  # re-authentication counts the same
    # Once the delay is over, the right password logs in and the failures were kept for the audit trail.
    clinic = load_keys(folder)
    entry = clinic.account("Alex Carter")
    past = datetime.now(UTC) - timedelta(hours=1)
    _replace_keys(folder, clinic.with_account(type(entry)(entry.name, entry.password_hash, entry.keys,
                                                          Attempts(entry.attempts.failures, past))))
    again = log_in(folder, "Alex Carter", TEST_PASSWORD, params=TEST_ONLY)
    records = Records.open(folder, signed_in=again)
    try:
        actions = [e.action for e in records.audit.events("account")]
    finally:
        records.close()
    assert actions.count("login_failed") == 6 and actions[-1] == "login"  # 4 wrong, 2 made to wait


def test_an_assistant_enters_drafts_but_cannot_sign(records, patient):
    assistant = add_clinician(records, "Sam Reed", roles=("assistant",))
    try:
        draft = assistant.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
        assistant.save_draft(draft, narrative={"subjective": "Knee pain when running."})
        with pytest.raises(NotAllowed, match="Sam Reed is an assistant and cannot sign"):
            assistant.sign(draft.id, TEST_PASSWORD)
        with pytest.raises(NotAllowed, match="cannot sign an addendum"):
            assistant.add_addendum(draft.id, "note", TEST_PASSWORD)
    finally:
        assistant.close()
    assert records.visits.get(draft.id).status == "draft"
    signed = records.sign(draft.id, TEST_PASSWORD)  # the clinician signs it, as the clinician
    assert signed.signed_by == "Alex Carter" and signed.signer.licence_number == "PT 12345"


def test_signing_needs_the_password_again(records, patient):
    draft = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    with pytest.raises(WrongPassword):
        records.sign(draft.id, "not the password")
    assert records.visits.get(draft.id).status == "draft"


def test_only_administrators_add_users_back_up_and_change_settings(records):
    clinician = add_clinician(records, "Jo Park")
    try:
        with pytest.raises(NotAllowed, match="only an administrator can add users"):
            clinician.add_user("Kim Ho", {"assistant"}, TEST_PASSWORD)
        with pytest.raises(NotAllowed, match="only an administrator can back up"):
            clinician.require_administrator("back up")
        with pytest.raises(NotAllowed):
            clinician.update_account("Alex Carter", contact="someone else's phone")
        assert clinician.update_account(contact="09 555 0100").contact == "09 555 0100"  # one's own details
    finally:
        clinician.close()
    with pytest.raises(WeakPassword):
        records.add_user("Kim Ho", {"assistant"}, "short")
    with pytest.raises(IdentityError, match="already an account"):
        records.add_user("jo park", {"assistant"}, TEST_PASSWORD)
    assert records.accounts.get("Kim Ho") is None
    assert "account" in [e.action for e in records.audit.events("account")]


def test_the_recovery_key_resets_a_lost_password_and_the_clinician_signs_again(tmp_path):
    folder = tmp_path / "data"
    signed_in, recovery = set_up(folder, name="Mei Lin", password=TEST_PASSWORD, credentials="PT",
                                 registration="PNZ 1", encrypted=False, params=TEST_ONLY)
    records = Records.open(folder, signed_in=signed_in)
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    first = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(first.id, TEST_PASSWORD)
    records.close()
    with pytest.raises(IdentityError, match="typo in group"):
        recover(folder, recovery[:-1] + ("0" if recovery[-1] != "0" else "1"), "Mei Lin", NEW_PASSWORD,
                params=TEST_ONLY)
    again = recover(folder, recovery.lower(), "Mei Lin", NEW_PASSWORD, params=TEST_ONLY)
    with pytest.raises(WrongPassword):
        log_in(folder, "Mei Lin", TEST_PASSWORD, params=TEST_ONLY)
    records = Records.open(folder, signed_in=again)
    try:
        second = records.new_visit(patient.id, "follow_up", intake=INTAKE)
        records.sign(second.id, NEW_PASSWORD)  # a new key pair, itself a record in the chain
        report = records.verify()
        assert report.ok, report.problems
        assert report.records == 4  # two key records, two visits
    finally:
        records.close()


def test_login_needs_no_database_library_for_a_file(signed_in, tmp_path, backend):
    """The file's login reads only ptassist.keys and the file; a server's asks the server for its keys."""
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ptassist.security.argon2_params import TEST_ONLY\n"
        "from ptassist.services.identity import clinic_state, log_in\n"
        f"folder = Path({str(tmp_path / 'data')!r})\n"
        "signed = log_in(folder, 'Alex Carter', 'correct horse battery', params=TEST_ONLY)\n"
        "print(clinic_state(folder), sorted(signed.account.roles), 'sqlalchemy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    on_server = str(backend == "postgresql")
    assert done.stdout.split() == ["login", "['administrator',", "'clinician']", on_server]


def test_a_second_clinician_signs_as_themselves(records, patient):
    draft = records.new_visit(patient.id, "follow_up", intake=INTAKE)
    colleague = open_clinic(records.database.folder, "Alex Carter")
    colleague.close()
    jo = add_clinician(records, "Jo Park", registration="HCPC 9")
    try:
        signed = jo.sign(draft.id, TEST_PASSWORD)
        assert signed.signed_by == "Jo Park" and signed.signer.licence_number == "HCPC 9"
        assert jo.verify().ok
    finally:
        jo.close()


def test_the_smoke_test_logs_in_from_the_environment_only_when_it_is_set(signed_in, tmp_path, monkeypatch):
    from ptassist.services.identity import log_in_from_environment

    folder = tmp_path / "data"
    assert log_in_from_environment(folder, params=TEST_ONLY).account.name == "Alex Carter"  # conftest sets both
    monkeypatch.delenv("PTASSIST_PASSWORD")
    assert log_in_from_environment(folder, params=TEST_ONLY) is None  # stops at the login screen
    monkeypatch.setenv("PTASSIST_PASSWORD", TEST_PASSWORD)
    with elsewhere():  # records of their own (on a server, a new database): nobody set them up
        assert log_in_from_environment(tmp_path / "empty", params=TEST_ONLY) is None  # first-start screen
