"""A login runs Argon2id once: one derivation split by HKDF into the stored verifier and the KEK.

Accounts made before (a PHC password hash plus a second derivation for the KEK) still log in and
are upgraded at their next good login, keeping their database key and signing key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ptassist.security import kdf as kdf_module
from ptassist.security import keyfile
from ptassist.security.encoding import b64
from ptassist.security.kdf import VERIFIER_PREFIX, PasswordKdf
from ptassist.security.keyring import new_database_key, seal_with
from ptassist.security.passwords import PasswordHashing
from ptassist.security.signing import SigningKey

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
PASSWORD = "first account's passphrase"


@pytest.fixture
def runs(monkeypatch):
    """Counts Argon2id runs: raw derivations and PHC verifications."""
    counted = {"derive": 0, "phc": 0}
    raw = kdf_module.hash_secret_raw
    phc = PasswordHashing.verify

    def derive(**kwargs):
        counted["derive"] += 1
        return raw(**kwargs)

    def verify(self, stored, password):
        counted["phc"] += 1
        return phc(self, stored, password)

    monkeypatch.setattr(kdf_module, "hash_secret_raw", derive)
    monkeypatch.setattr(PasswordHashing, "verify", verify)
    return counted


def test_a_login_runs_argon2id_once_and_stores_no_phc_hash(fast, runs):
    clinic, _, unlocked = keyfile.set_up("Alex Carter", PASSWORD, params=fast)
    entry = clinic.account("Alex Carter")
    assert entry.password_hash.startswith(VERIFIER_PREFIX) and "$argon2id$" not in entry.password_hash
    runs.update(derive=0, phc=0)
    result = keyfile.authenticate(clinic, "Alex Carter", PASSWORD, NOW, params=fast)
    assert result.ok and result.unlocked.database_key == unlocked.database_key
    assert runs == {"derive": 1, "phc": 0}
    runs.update(derive=0)
    wrong = keyfile.authenticate(clinic, "Alex Carter", "not the passphrase", NOW, params=fast)
    assert not wrong.ok and wrong.clinic.account("Alex Carter").attempts.failures == 1  # the lockout still counts
    assert runs == {"derive": 1, "phc": 0}
    runs.update(derive=0)
    unknown = keyfile.authenticate(clinic, "Nobody", PASSWORD, NOW, params=fast)
    assert not unknown.ok and unknown.message == wrong.message and runs["derive"] == 1  # the same time spent


def test_the_verifier_and_the_kek_are_different_keys_from_one_run(fast):
    derived = PasswordKdf.new(fast).keys(PASSWORD)
    assert derived.verifier.startswith(VERIFIER_PREFIX)
    assert b64(derived.kek) not in derived.verifier  # the stored verifier does not give the KEK away


def _old_format_clinic(fast):
    """A key file as ptassist wrote it before: a PHC hash, and the raw Argon2id output as the KEK."""
    database_key, signing = new_database_key(), SigningKey.generate()
    clinic, _, _ = keyfile.set_up("Alex Carter", PASSWORD, params=fast)
    legacy_kdf = PasswordKdf(salt=b"0123456789abcdef", params=fast, split=False)
    keys = seal_with(database_key, signing, legacy_kdf, legacy_kdf.derive(PASSWORD))
    entry = keyfile.AccountEntry("Alex Carter", PasswordHashing(fast).hash(PASSWORD), keys)
    text = clinic.with_account(entry).to_json()
    stored = json.loads(text)["accounts"][0]
    assert stored["kdf"].startswith("argon2id$") and stored["password_hash"].startswith("$argon2id$")
    return keyfile.ClinicKeys.from_json(text), database_key, signing


def test_an_old_format_account_logs_in_and_is_upgraded_to_one_run(fast, runs, tmp_path):
    clinic, database_key, signing = _old_format_clinic(fast)
    runs.update(derive=0, phc=0)
    assert not keyfile.authenticate(clinic, "Alex Carter", "not the passphrase", NOW, params=fast).ok
    result = keyfile.authenticate(clinic, "Alex Carter", PASSWORD, NOW, params=fast)
    assert result.ok
    assert result.unlocked.database_key == database_key
    assert result.unlocked.signing_key.public_key() == signing.public_key()  # the same key: its record stays valid
    upgraded = result.clinic.account("Alex Carter")
    assert upgraded.keys.kdf.split and upgraded.password_hash.startswith(VERIFIER_PREFIX)
    keyfile.save(tmp_path / "ptassist.keys", result.clinic)
    again = keyfile.load(tmp_path / "ptassist.keys")
    runs.update(derive=0, phc=0)
    second = keyfile.authenticate(again, "Alex Carter", PASSWORD, NOW, params=fast)
    assert second.ok and second.unlocked.signing_key.public_key() == signing.public_key()
    assert runs == {"derive": 1, "phc": 0}
    assert not keyfile.authenticate(again, "Alex Carter", "not the passphrase", NOW, params=fast).ok


def test_changing_the_password_of_an_old_format_account_works(fast):
    clinic, database_key, _ = _old_format_clinic(fast)
    changed = keyfile.change_password(clinic, "Alex Carter", PASSWORD, "a new and longer passphrase", params=fast)
    result = keyfile.authenticate(changed, "Alex Carter", "a new and longer passphrase", NOW, params=fast)
    assert result.ok and result.unlocked.database_key == database_key
    with pytest.raises(keyfile.AuthenticationError):
        keyfile.change_password(changed, "Alex Carter", PASSWORD, "another long passphrase", params=fast)
