from __future__ import annotations

import dataclasses

import pytest

from ptassist.security.encoding import sqlcipher_key_pragma_value
from ptassist.security.errors import StoredSecretError, UnwrapError
from ptassist.security.kdf import PasswordKdf
from ptassist.security.keyring import (
    AccountKeys,
    change_password,
    enrol_account,
    new_database_key,
    open_with_recovery,
    unlock_account,
    wrap_for_recovery,
)
from ptassist.security.keywrap import WrappedKey, unwrap_key, wrap_key
from ptassist.security.recovery import RecoveryKey
from ptassist.security.signing import verify_signature


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


def test_database_key_is_256_random_bits():
    keys = {new_database_key() for _ in range(20)}
    assert len(keys) == 20 and all(len(k) == 32 for k in keys)
    key = bytes(range(32))
    assert sqlcipher_key_pragma_value(key) == "x'" + key.hex() + "'"


def test_every_accounts_password_and_the_recovery_key_open_the_same_database_key(fast):
    database_key = new_database_key()
    recovery = RecoveryKey.generate()
    accounts = {name: enrol_account(database_key, f"{name} has a long password", signs=name != "assistant",
                                    params=fast)
                for name in ("admin", "clinician", "assistant")}
    recovery_wrap = wrap_for_recovery(database_key, recovery)
    for name, keys in accounts.items():
        assert unlock_account(keys, f"{name} has a long password").database_key == database_key
    assert open_with_recovery(recovery_wrap, RecoveryKey.parse(recovery.display())) == database_key
    assert unlock_account(accounts["assistant"], "assistant has a long password").signing_key is None
    assert unlock_account(accounts["clinician"], "clinician has a long password").signing_key is not None


def test_wrong_password_is_refused_without_revealing_anything(fast):
    database_key = new_database_key()
    keys = enrol_account(database_key, "the right password", signs=True, params=fast)
    with pytest.raises(UnwrapError) as caught:
        unlock_account(keys, "the wrong password")
    assert database_key.hex() not in str(caught.value)
    assert "password" in str(caught.value)
    # Another account's password does not open this one either.
    other = enrol_account(database_key, "another password!", signs=False, params=fast)
    with pytest.raises(UnwrapError):
        unlock_account(other, "the right password")


def test_another_clinics_recovery_key_is_refused(fast):
    wrap = wrap_for_recovery(new_database_key(), RecoveryKey.generate())
    with pytest.raises(UnwrapError, match="does not open these records"):
        open_with_recovery(wrap, RecoveryKey.generate())


def test_password_change_keeps_the_database_key_and_the_signing_key(fast):
    database_key = new_database_key()
    keys = enrol_account(database_key, "old password, long", signs=True, params=fast)
    before = unlock_account(keys, "old password, long")
    changed = change_password(keys, "old password, long", "new password, longer", params=fast)
    after = unlock_account(changed, "new password, longer")
    assert after.database_key == database_key
    assert after.signing_key is not None and before.signing_key is not None
    assert after.signing_key.public_key() == before.signing_key.public_key() == changed.public_key
    assert changed.kdf.salt != keys.kdf.salt
    with pytest.raises(UnwrapError):
        unlock_account(changed, "old password, long")
    # A signature made before the change still verifies with the (unchanged) public key.
    signature = before.signing_key.sign(b"record")
    assert changed.public_key is not None
    verify_signature(changed.public_key, b"record", signature)


def test_password_change_needs_the_old_password(fast):
    keys = enrol_account(new_database_key(), "old password, long", signs=False, params=fast)
    with pytest.raises(UnwrapError):
        change_password(keys, "not the old one", "new password, longer", params=fast)


def test_stored_fields_round_trip_and_contain_no_key_material(fast):
    database_key = new_database_key()
    keys = enrol_account(database_key, "a password for storage", signs=True, params=fast)
    fields = keys.to_fields()
    assert all(database_key.hex() not in (v or "") for v in fields.values())
    again = AccountKeys.from_fields(fields)
    assert again == keys
    assert unlock_account(again, "a password for storage").database_key == database_key


@pytest.mark.parametrize(("field", "error"), [("database_key", UnwrapError), ("signing_key", StoredSecretError)])
def test_a_flipped_byte_in_a_stored_wrap_is_detected(fast, field, error):
    keys = enrol_account(new_database_key(), "a password for storage", signs=True, params=fast)
    wrapped = getattr(keys, field)
    for index in (0, len(wrapped.ciphertext) // 2, len(wrapped.ciphertext) - 1):
        damaged = dataclasses.replace(keys, **{field: dataclasses.replace(wrapped,
                                                                          ciphertext=_flip(wrapped.ciphertext, index))})
        with pytest.raises(error):
            unlock_account(damaged, "a password for storage")
    damaged_nonce = dataclasses.replace(keys, **{field: dataclasses.replace(wrapped, nonce=_flip(wrapped.nonce, 3))})
    with pytest.raises(error):
        unlock_account(damaged_nonce, "a password for storage")


def test_a_changed_salt_does_not_open(fast):
    keys = enrol_account(new_database_key(), "a password for storage", signs=False, params=fast)
    damaged = dataclasses.replace(keys, kdf=PasswordKdf(salt=_flip(keys.kdf.salt, 0), params=keys.kdf.params))
    with pytest.raises(UnwrapError):
        unlock_account(damaged, "a password for storage")


def test_a_wrap_cannot_be_moved_to_another_slot(fast):
    alice = enrol_account(new_database_key(), "alice's long password", signs=True, params=fast)
    bob = enrol_account(new_database_key(), "bob's long password!", signs=True, params=fast)
    # Bob's public key beside Alice's wrapped private key: the purpose (which names the public key) differs.
    mixed = dataclasses.replace(alice, public_key=bob.public_key)
    with pytest.raises(StoredSecretError, match="signing key was changed"):
        unlock_account(mixed, "alice's long password")
    kek = bytes(32)
    wrapped = wrap_key(b"secret", kek, "database-key")
    moved = dataclasses.replace(wrapped, purpose="database-key-recovery")
    with pytest.raises(UnwrapError):
        unwrap_key(moved, kek, "database-key-recovery")


@pytest.mark.parametrize("text", ["", "ptwrap2:database-key:AAAA:BBBB", "ptwrap1:database-key:AAAA",
                                  "ptwrap1:database-key:AAAAAAAAAAAAAAAA:%%%%"])
def test_malformed_stored_wraps_are_refused(text):
    with pytest.raises(StoredSecretError):
        WrappedKey.from_text(text)


@pytest.mark.parametrize("text", ["argon2id$v=19$m=64,t=1,p=1", "argon2i$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA",
                                  "argon2id$v=19$m=64,t=1$AAAAAAAAAAAAAAAAAAAAAA",
                                  "argon2id$v=19$m=64,t=1,p=1$AAAA",
                                  "argon2id$v=19$m=999999999,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA"])
def test_malformed_or_hostile_kdf_records_are_refused(text):
    with pytest.raises(StoredSecretError):
        PasswordKdf.from_text(text)


def test_incomplete_account_fields_are_refused(fast):
    fields = enrol_account(new_database_key(), "a password for storage", signs=True, params=fast).to_fields()
    with pytest.raises(StoredSecretError):
        AccountKeys.from_fields({**fields, "public_key": None})
    with pytest.raises(StoredSecretError):
        AccountKeys.from_fields({**fields, "database_key": None})
