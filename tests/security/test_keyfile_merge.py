"""Changes to the clinic's keys laid over what another process wrote meanwhile (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ptassist.security import keyfile
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.security.keyfile_merge import KeysChangedError, merged, missing_accounts
from ptassist.security.keyring import UnlockedAccount

PASSWORD = "correct horse battery"
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _clinic() -> tuple[keyfile.ClinicKeys, UnlockedAccount]:
    clinic, _recovery, admin = keyfile.set_up("Alex Carter", PASSWORD, params=TEST_ONLY, policy=None)
    clinic, _ = keyfile.add_account(clinic, admin.database_key, "Jo Park", PASSWORD, signs=True, params=TEST_ONLY,
                                    policy=None)
    return clinic, admin


def _failed(clinic: keyfile.ClinicKeys, name: str, times: int = 1) -> keyfile.ClinicKeys:
    for n in range(times):
        clinic = keyfile.authenticate(clinic, name, "wrong", NOW + timedelta(seconds=n), params=TEST_ONLY).clinic
    return clinic


def _reset(clinic: keyfile.ClinicKeys, admin: UnlockedAccount, name: str, password: str) -> keyfile.ClinicKeys:
    return keyfile.reset_password(clinic, admin.database_key, name, password, params=TEST_ONLY, policy=None)


def _opens(clinic: keyfile.ClinicKeys, name: str, password: str) -> bool:
    return keyfile.authenticate(clinic, name, password, NOW + timedelta(days=1), params=TEST_ONLY).ok


def test_a_failed_login_from_an_older_read_keeps_a_reset_made_meanwhile():
    base, admin = _clinic()
    current = _reset(base, admin, "Jo Park", "the new one")
    result = merged(current, base, _failed(base, "Jo Park"))
    assert _opens(result, "Jo Park", "the new one") and not _opens(result, "Jo Park", PASSWORD)
    jo = result.account("Jo Park")
    assert jo is not None and jo.attempts.failures == 1


def test_failures_counted_on_two_workstations_add_up_and_a_good_login_clears_them():
    base, _admin = _clinic()
    current = _failed(base, "Jo Park", 2)
    result = merged(current, base, _failed(base, "Jo Park", 3))
    jo = result.account("Jo Park")
    assert jo is not None and jo.attempts.failures == 5 and jo.attempts.last_failure == NOW + timedelta(seconds=2)
    good = keyfile.authenticate(result, "Jo Park", PASSWORD, NOW + timedelta(hours=1), params=TEST_ONLY).clinic
    cleared = merged(_failed(result, "Alex Carter"), result, good).account("Jo Park")
    assert cleared is not None and cleared.attempts.failures == 0
    # a good login read before the failures elsewhere leaves them counted (the safe side)
    kept = merged(result, base, keyfile.authenticate(base, "Jo Park", PASSWORD, NOW, params=TEST_ONLY).clinic)
    assert kept.account("Jo Park").attempts.failures == 5


def test_an_account_added_elsewhere_survives_a_change_made_here():
    base, admin = _clinic()
    current, _ = keyfile.add_account(base, admin.database_key, "Sam Reed", PASSWORD, signs=False, params=TEST_ONLY,
                                     policy=None)
    result = merged(current, base, _failed(base, "Alex Carter"))
    assert [a.name for a in result.accounts] == ["Alex Carter", "Jo Park", "Sam Reed"]
    added_here, _ = keyfile.add_account(base, admin.database_key, "Kim Lee", PASSWORD, signs=False, params=TEST_ONLY,
                                        policy=None)
    assert [a.name for a in merged(current, base, added_here).accounts][-2:] == ["Sam Reed", "Kim Lee"]


def test_two_changes_of_one_password_or_two_accounts_of_one_name_conflict():
    base, admin = _clinic()
    current = _reset(base, admin, "Jo Park", "first")
    with pytest.raises(KeysChangedError, match="Jo Park's password was changed on another workstation"):
        merged(current, base, _reset(base, admin, "Jo Park", "second"))
    here, _ = keyfile.add_account(base, admin.database_key, "Kim Lee", PASSWORD, signs=False, params=TEST_ONLY,
                                  policy=None)
    there, _ = keyfile.add_account(base, admin.database_key, "kim lee", "other", signs=False, params=TEST_ONLY,
                                   policy=None)
    with pytest.raises(KeysChangedError, match="added on another workstation"):
        merged(there, base, here)


def test_nothing_held_yet_takes_the_change_and_a_rewrap_elsewhere_is_not_a_conflict_for_attempts():
    base, _admin = _clinic()
    assert merged(None, None, base) == base
    rewrapped = replace(base, accounts=tuple(replace(a, password_hash=a.password_hash + "x") if a.name == "Jo Park"
                                              else a for a in base.accounts))
    result = merged(rewrapped, base, _failed(base, "Jo Park"))  # only the count changed here
    jo = result.account("Jo Park")
    assert jo is not None and jo.password_hash.endswith("x") and jo.attempts.failures == 1


def test_missing_accounts_come_only_from_the_same_clinics_keys():
    clinic, _admin = _clinic()
    older = replace(clinic, accounts=clinic.accounts[:1])
    assert [a.name for a in missing_accounts(older, clinic).accounts] == ["Alex Carter", "Jo Park"]
    other, _recovery, _ = keyfile.set_up("Mallory Stone", PASSWORD, params=TEST_ONLY, policy=None)
    assert missing_accounts(older, other) == older
