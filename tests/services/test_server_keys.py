"""Records on a server keep the clinic's keys there: every workstation logs in with the same accounts,
nobody copies ptassist.keys by hand, and changes made at once on several workstations all stand."""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import text

from ptassist.security import keyfile
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.services import key_store
from ptassist.services.account_admin import reset_password
from ptassist.services.identity import (
    IdentityError,
    LockedOut,
    WrongPassword,
    clinic_state,
    keyfile_path,
    load_keys,
    log_in,
    save_keys,
)
from ptassist.services.records import Records
from ptassist.store import server_keys
from ptassist.store.database import make_engine
from tests.helpers import TEST_PASSWORD, add_clinician, open_clinic

pytestmark = pytest.mark.postgresql
NEW_PASSWORD = "a new password for the front desk"


def _server_row() -> str | None:
    return server_keys.read(os.environ["PTASSIST_DATABASE_URL"])


def _as_owner(sql: str) -> None:
    """SQL as the tables' owner with the locks lifted (what only someone behind the app's back can do)."""
    engine = make_engine(os.environ["PTASSIST_DATABASE_URL"])
    try:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE clinic_keys DISABLE TRIGGER USER"))
            connection.execute(text(sql))
            connection.execute(text("ALTER TABLE clinic_keys ENABLE TRIGGER USER"))
    finally:
        engine.dispose()
    server_keys.dispose()


def test_a_new_workstation_logs_in_with_nothing_copied_to_it(records, tmp_path):
    room_2 = tmp_path / "room-2"
    assert not keyfile_path(room_2).exists()
    assert clinic_state(room_2) == "login"  # the server says the clinic is set up
    signed_in = log_in(room_2, "Alex Carter", TEST_PASSWORD, params=TEST_ONLY)
    assert signed_in.account.is_administrator
    assert keyfile.load(keyfile_path(room_2)) == load_keys(records.database.folder)  # a copy of the server's


def test_an_account_added_or_reset_on_one_workstation_works_on_every_other_at_once(records, tmp_path):
    room_2 = tmp_path / "room-2"
    log_in(room_2, "Alex Carter", TEST_PASSWORD, params=TEST_ONLY)  # room 2's copy: without Jo
    add_clinician(records, "Jo Park").close()
    assert log_in(room_2, "Jo Park", TEST_PASSWORD, params=TEST_ONLY).account.name == "Jo Park"
    reset_password(records, "Jo Park", NEW_PASSWORD)
    with pytest.raises(WrongPassword):
        log_in(room_2, "Jo Park", TEST_PASSWORD, params=TEST_ONLY)  # the copy's old password is not used
    jo = Records.open(room_2, signed_in=log_in(room_2, "Jo Park", NEW_PASSWORD, params=TEST_ONLY))
    try:
        assert jo.verify().ok  # the new key was endorsed on the first workstation
    finally:
        jo.close()


def test_failed_logins_count_towards_one_lockout_wherever_they_are_typed(records, tmp_path):
    rooms = [records.database.folder, tmp_path / "room-2"]
    for attempt in range(4):  # three free attempts, then a wait after the fourth failure
        with pytest.raises(WrongPassword):
            log_in(rooms[attempt % 2], "Alex Carter", "not the password", params=TEST_ONLY)
    with pytest.raises(LockedOut):
        log_in(tmp_path / "front-desk", "Alex Carter", TEST_PASSWORD, params=TEST_ONLY)


def test_a_login_counted_from_an_older_read_does_not_undo_a_reset_made_meanwhile(records, tmp_path):
    folder = records.database.folder
    add_clinician(records, "Jo Park").close()
    read_in_room_2 = load_keys(folder)  # room 2 read the keys, then the front desk reset Jo's password
    reset_password(records, "Jo Park", NEW_PASSWORD)
    result = keyfile.authenticate(read_in_room_2, "Jo Park", "a mistyped one", _now(), params=TEST_ONLY)
    save_keys(tmp_path / "room-2", result.clinic, read_in_room_2)  # room 2 counts its failed login
    held = load_keys(folder).account("Jo Park")
    assert held is not None and held.attempts.failures == 1
    assert log_in(folder, "Jo Park", NEW_PASSWORD, params=TEST_ONLY).account.name == "Jo Park"


def test_two_resets_of_one_password_at_once_the_second_is_told_to_try_again(records):
    folder = records.database.folder
    add_clinician(records, "Jo Park").close()
    read_by_both = load_keys(folder)
    reset_password(records, "Jo Park", NEW_PASSWORD)
    second = keyfile.reset_password(read_by_both, records.actor.database_key, "Jo Park", "another new password",
                                    params=TEST_ONLY)
    with pytest.raises(IdentityError, match="changed on another workstation a moment ago: nothing was changed"):
        save_keys(folder, second, read_by_both)
    assert log_in(folder, "Jo Park", NEW_PASSWORD, params=TEST_ONLY)


def test_keys_left_in_data_folders_by_an_older_version_move_to_the_server(records, tmp_path):
    """Records on a server from before the keys were kept there: each workstation had its copy of
    ptassist.keys, some older than others. The first to open the records publishes its copy; an
    account only another copy knows is added when that workstation opens them."""
    folder = records.database.folder
    room_2 = tmp_path / "room-2"
    room_2.mkdir()
    shutil.copyfile(keyfile_path(folder), keyfile_path(room_2))  # copied by hand before Jo was added
    add_clinician(records, "Jo Park").close()
    with_jo = keyfile.load(keyfile_path(folder))
    _as_owner("DELETE FROM clinic_keys")  # as before the keys were kept on the server
    keyfile.save(keyfile_path(folder), keyfile.ClinicKeys(with_jo.encrypted, with_jo.recovery,
                                                          tuple(a for a in with_jo.accounts if a.name != "Jo Park")))
    keyfile.save(keyfile_path(room_2), with_jo)  # room 2's copy knows Jo, the first workstation's does not
    assert _server_row() is None
    open_clinic(folder, "Alex Carter").close()
    assert _server_row() is not None
    with pytest.raises(WrongPassword):
        log_in(tmp_path / "front-desk", "Jo Park", TEST_PASSWORD, params=TEST_ONLY)  # not on the server yet
    open_clinic(room_2, "Alex Carter").close()
    assert log_in(tmp_path / "front-desk", "Jo Park", TEST_PASSWORD, params=TEST_ONLY).account.name == "Jo Park"


def test_damaged_keys_on_the_server_are_one_line_and_the_copy_is_not_used_instead(records, tmp_path):
    _as_owner("UPDATE clinic_keys SET content = '{\"format\": \"something else\"}'")
    with pytest.raises(IdentityError) as refused:
        log_in(records.database.folder, "Alex Carter", TEST_PASSWORD, params=TEST_ONLY)
    assert str(refused.value).startswith("The clinic's keys on the server cannot be read (")
    assert "\n" not in str(refused.value)


def test_a_server_that_cannot_be_reached_is_said_in_one_line(records, tmp_path, monkeypatch):
    from ptassist.ui import app_shell

    monkeypatch.setenv("PTASSIST_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    unreachable = r"^cannot reach the PostgreSQL server \(127\.0\.0\.1:1/nothing\)"
    with pytest.raises(IdentityError, match=unreachable):
        clinic_state(tmp_path / "new")  # `ptassist setup` says so instead of setting anything up
    assert app_shell.clinic_state(tmp_path / "new") == "login"  # the app's login screen says it when used
    with pytest.raises(IdentityError, match=unreachable):
        log_in(records.database.folder, "Alex Carter", TEST_PASSWORD, params=TEST_ONLY)


def test_the_keys_row_cannot_be_removed(records):
    engine = make_engine(os.environ["PTASSIST_DATABASE_URL"])
    try:
        for statement in ("DELETE FROM clinic_keys", "TRUNCATE clinic_keys"):
            with pytest.raises(Exception, match="the clinic's keys are never removed"), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    assert _server_row() is not None and key_store.server_url(records.database.folder)


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_another_clinics_key_file_is_never_published_to_the_server(records, tmp_path):
    from tests.backends import elsewhere
    from tests.helpers import clinic

    _as_owner("DELETE FROM clinic_keys")  # a server from before the keys were kept there
    stranger = tmp_path / "stranger"
    with elsewhere():
        clinic(stranger, name="Mallory Stone")
    signed_in = log_in(stranger, "Mallory Stone", TEST_PASSWORD, params=TEST_ONLY)  # her own file opens it
    with pytest.raises(WrongPassword):
        Records.open(stranger, signed_in=signed_in)  # but these records do not list her
    assert _server_row() is None
