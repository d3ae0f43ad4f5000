from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ptassist.security import keyfile
from ptassist.security.argon2_params import Argon2Parameters
from ptassist.security.errors import PasswordPolicyError, RecoveryKeyError, StoredSecretError, UnwrapError
from ptassist.security.files import POSIX
from ptassist.security.keyring import unlock_account
from ptassist.security.signing import verify_signature

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
ADMIN_PASSWORD = "first account's passphrase"


@pytest.fixture
def clinic(fast):
    return keyfile.set_up("Alex Carter", ADMIN_PASSWORD, params=fast)


def test_set_up_gives_a_signing_first_account_and_a_recovery_key(clinic, fast):
    keys, recovery, unlocked = clinic
    assert [a.name for a in keys.accounts] == ["Alex Carter"] and keys.encrypted
    assert unlocked.signing_key is not None
    assert keyfile.recover_database_key(keys, recovery.display()) == unlocked.database_key


def test_set_up_applies_the_policy_unless_told_it_is_the_demo(fast):
    with pytest.raises(PasswordPolicyError, match="too short"):
        keyfile.set_up("Demo Clinician", "demo", params=fast)
    keys, _, _ = keyfile.set_up("Demo Clinician", "demo", encrypted=False, params=fast, policy=None)
    assert not keys.encrypted
    assert keyfile.authenticate(keys, "Demo Clinician", "demo", NOW, params=fast).ok


def test_login_right_and_wrong_and_unknown_names_look_alike(clinic, fast):
    keys, _, unlocked = clinic
    good = keyfile.authenticate(keys, "  alex carter ", ADMIN_PASSWORD, NOW, params=fast)
    assert good.ok and good.message is None
    assert good.unlocked is not None and good.unlocked.database_key == unlocked.database_key
    wrong = keyfile.authenticate(keys, "Alex Carter", "not the passphrase", NOW, params=fast)
    unknown = keyfile.authenticate(keys, "Nobody Here", ADMIN_PASSWORD, NOW, params=fast)
    assert not wrong.ok and not unknown.ok
    assert wrong.message == unknown.message == "Unknown user or wrong password."
    assert wrong.clinic.account("Alex Carter").attempts.failures == 1
    assert unknown.clinic == keys


def test_failures_are_counted_delayed_and_reset_by_a_success(clinic, fast):
    keys, _, _ = clinic
    for second in range(4):
        keys = keyfile.authenticate(keys, "Alex Carter", "wrong guess", NOW + timedelta(seconds=second),
                                    params=fast).clinic
    refused = keyfile.authenticate(keys, "Alex Carter", ADMIN_PASSWORD, NOW + timedelta(seconds=4), params=fast)
    assert not refused.ok and refused.message == "Too many failed attempts: try again in 4 seconds."
    later = keyfile.authenticate(refused.clinic, "Alex Carter", ADMIN_PASSWORD, NOW + timedelta(seconds=9),
                                 params=fast)
    assert later.ok and later.clinic.account("Alex Carter").attempts.failures == 0


def test_accounts_added_by_the_administrator_open_the_same_database_key(clinic, fast):
    keys, recovery, admin = clinic
    keys, _ = keyfile.add_account(keys, admin.database_key, "Sam Lee", "assistant's passphrase", signs=False,
                                  params=fast)
    keys, _ = keyfile.add_account(keys, admin.database_key, "Ewa Nowak", "clinician's passphrase", signs=True,
                                  params=fast)
    with pytest.raises(PasswordPolicyError, match="already an account named 'sam lee'"):
        keyfile.add_account(keys, admin.database_key, " sam lee", "another passphrase", signs=False, params=fast)
    with pytest.raises(PasswordPolicyError, match="too short"):
        keyfile.add_account(keys, admin.database_key, "Short Pass", "short", signs=False, params=fast)
    for name, password in (("Alex Carter", ADMIN_PASSWORD), ("Sam Lee", "assistant's passphrase"),
                           ("Ewa Nowak", "clinician's passphrase")):
        result = keyfile.authenticate(keys, name, password, NOW, params=fast)
        assert result.unlocked is not None and result.unlocked.database_key == admin.database_key
    assert keyfile.recover_database_key(keys, recovery.display()) == admin.database_key


def test_saved_file_is_private_round_trips_and_holds_no_key(clinic, fast, tmp_path):
    keys, _, unlocked = clinic
    keys = keyfile.authenticate(keys, "Alex Carter", "wrong guess", NOW, params=fast).clinic
    path = tmp_path / keyfile.KEYFILE_NAME
    keyfile.save(path, keys)
    assert keyfile.load(path) == keys
    text = path.read_text(encoding="utf-8")
    assert unlocked.database_key.hex() not in text and ADMIN_PASSWORD not in text
    assert json.loads(text)["accounts"][0]["failures"] == 1
    if POSIX:
        assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("text", ["", "{}", "[]", '{"format": "ptassist-keys/2"}',
                                  '{"format": "ptassist-keys/1", "encrypted": true}',
                                  '{"format": "ptassist-keys/1", "encrypted": true, "recovery": "x", "accounts": []}'])
def test_damaged_key_files_are_refused(text):
    with pytest.raises(StoredSecretError):
        keyfile.ClinicKeys.from_json(text)


def test_password_change_keeps_keys_and_refuses_the_old_password(clinic, fast):
    keys, _, before = clinic
    changed = keyfile.change_password(keys, "Alex Carter", ADMIN_PASSWORD, "a brand new passphrase", params=fast)
    assert not keyfile.authenticate(changed, "Alex Carter", ADMIN_PASSWORD, NOW, params=fast).ok
    after = keyfile.authenticate(changed, "Alex Carter", "a brand new passphrase", NOW, params=fast).unlocked
    assert after is not None and after.database_key == before.database_key
    assert after.signing_key is not None and before.signing_key is not None
    assert after.signing_key.public_key() == before.signing_key.public_key()
    with pytest.raises(keyfile.AuthenticationError):
        keyfile.change_password(keys, "Alex Carter", "wrong old one", "a brand new passphrase", params=fast)
    with pytest.raises(PasswordPolicyError):
        keyfile.change_password(keys, "Alex Carter", ADMIN_PASSWORD, "short", params=fast)


def test_every_password_lost_the_recovery_key_resets_one(clinic, fast):
    keys, recovery, before = clinic
    old_signature = before.signing_key.sign(b"signed before the reset")
    typed = recovery.display().lower().replace("-", " ")
    database_key = keyfile.recover_database_key(keys, typed)
    reset = keyfile.reset_password(keys, database_key, "Alex Carter", "a recovered passphrase", params=fast)
    after = keyfile.authenticate(reset, "Alex Carter", "a recovered passphrase", NOW, params=fast).unlocked
    assert after is not None and after.database_key == before.database_key
    # A new key pair: the old private key could not be opened; the old public key still verifies old work.
    assert after.signing_key is not None and after.signing_key.public_key() != before.signing_key.public_key()
    verify_signature(before.signing_key.public_key(), b"signed before the reset", old_signature)
    with pytest.raises(RecoveryKeyError):
        keyfile.recover_database_key(keys, typed[:-1] + ("0" if typed[-1] != "0" else "1"))
    with pytest.raises(UnwrapError):
        unlock_account(reset.account("Alex Carter").keys, ADMIN_PASSWORD)


def test_a_hash_with_old_costs_is_remade_after_a_good_login(fast):
    weaker = fast
    stronger = Argon2Parameters(time_cost=2, memory_kib=128, parallelism=1)
    keys, _, _ = keyfile.set_up("Alex Carter", ADMIN_PASSWORD, params=weaker)
    result = keyfile.authenticate(keys, "Alex Carter", ADMIN_PASSWORD, NOW, params=stronger)
    assert result.ok
    assert keys.account("Alex Carter").keys.kdf.params == weaker
    remade = result.clinic.account("Alex Carter")
    assert remade.keys.kdf.params == stronger and remade.password_hash != keys.account("Alex Carter").password_hash
    assert keyfile.authenticate(result.clinic, "Alex Carter", ADMIN_PASSWORD, NOW, params=stronger).ok
