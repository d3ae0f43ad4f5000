from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ptassist.security.argon2_params import PRODUCTION, TEST_ONLY, Argon2Parameters
from ptassist.security.errors import PasswordPolicyError, StoredSecretError
from ptassist.security.lockout import Attempts, LockoutPolicy
from ptassist.security.passwords import PasswordHashing, PasswordPolicy


def test_right_password_verifies_and_wrong_one_is_refused(fast):
    hashing = PasswordHashing(fast)
    stored = hashing.hash("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert hashing.verify(stored, "correct horse battery")
    assert not hashing.verify(stored, "correct horse batterY")
    assert not hashing.verify(stored, "")


def test_each_hash_has_its_own_salt(fast):
    hashing = PasswordHashing(fast)
    assert hashing.hash("same password here") != hashing.hash("same password here")


def test_unicode_forms_of_one_password_are_the_same_password(fast):
    hashing = PasswordHashing(fast)
    stored = hashing.hash("caf\u00e9 au lait 42")  # é as one code point
    assert hashing.verify(stored, "cafe\u0301 au lait 42")  # e + combining acute accent


def test_needs_rehash_when_costs_change(fast):
    old = PasswordHashing(fast).hash("a long enough password")
    stronger = PasswordHashing(Argon2Parameters(time_cost=2, memory_kib=128, parallelism=1))
    assert stronger.needs_rehash(old)
    assert not PasswordHashing(fast).needs_rehash(old)
    assert stronger.verify(old, "a long enough password")  # old hashes still log in


@pytest.mark.parametrize("stored", ["", "plain text", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                                    "$argon2id$v=19$m=64,t=1,p=1$!!!$???"])
def test_damaged_stored_hash_is_not_a_wrong_password(stored):
    with pytest.raises(StoredSecretError):
        PasswordHashing(TEST_ONLY).verify(stored, "whatever it is")


def test_stored_hash_asking_for_absurd_memory_is_refused_before_hashing(fast):
    stored = PasswordHashing(fast).hash("a long enough password").replace("m=64,", "m=99999999,")
    with pytest.raises(StoredSecretError, match="implausible"):
        PasswordHashing(fast).verify(stored, "a long enough password")


def test_production_parameters_are_rfc9106_second_recommendation():
    assert (PRODUCTION.time_cost, PRODUCTION.memory_kib, PRODUCTION.parallelism) == (3, 65536, 4)
    assert PRODUCTION.salt_len >= 16 and PRODUCTION.hash_len >= 32


@pytest.mark.parametrize(("password", "fragment"), [
    ("short", "at least 12 characters (this one has 5)"),
    ("            ", "only spaces"),
    ("aaaaaaaaaaaaaaaa", "one character repeated"),
    ("Alex Carter Smith", "account's name"),
    ("x" * 300 + "y", "at most 256"),
])
def test_policy_refuses_with_a_clear_sentence(password, fragment):
    with pytest.raises(PasswordPolicyError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        PasswordPolicy().check(password, user_name="alex carter smith")


def test_policy_accepts_a_passphrase_and_counts_normalised_characters():
    policy = PasswordPolicy()
    policy.check("walk the dog at noon")
    # 11 characters once combining accents are composed: too short, although 12 code points were typed.
    assert "this one has 11" in (policy.problem("cafe\u0301 au lai") or "")


def test_policy_is_data_a_clinic_can_tighten():
    strict = PasswordPolicy(min_length=15)
    assert strict.problem("twelve chars") is not None
    assert strict.problem("fifteen chars!!") is None


def test_lockout_delay_grows_and_is_capped():
    policy = LockoutPolicy(free_attempts=3, first_delay=timedelta(seconds=5), factor=2,
                           max_delay=timedelta(minutes=15))
    assert [policy.delay_after(n).total_seconds() for n in range(8)] == [0, 0, 0, 0, 5, 10, 20, 40]
    assert policy.delay_after(30) == timedelta(minutes=15)
    assert policy.delay_after(10**9) == timedelta(minutes=15)


def test_lockout_tells_when_to_try_again():
    policy = LockoutPolicy()
    failed_at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert policy.refusal(2, failed_at, failed_at) is None
    assert policy.refusal(5, failed_at, failed_at) == "Too many failed attempts: try again in 10 seconds."
    assert policy.refusal(5, failed_at, failed_at + timedelta(seconds=10)) is None
    assert policy.refusal(12, failed_at, failed_at) == "Too many failed attempts: try again in 15 minutes."
    assert policy.wait_remaining(12, None, failed_at) == timedelta(0)


def test_attempts_record_drives_the_policy_through_a_login_session():
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    attempts = Attempts()
    for second in range(4):
        assert attempts.refusal(start + timedelta(seconds=second)) is None
        attempts = attempts.failed(start + timedelta(seconds=second))
    assert attempts.failures == 4
    assert attempts.refusal(start + timedelta(seconds=4)) == "Too many failed attempts: try again in 4 seconds."
    assert attempts.refusal(start + timedelta(seconds=8)) is None
    assert attempts.succeeded() == Attempts()


def test_default_hashing_uses_the_production_costs():
    stored = PasswordHashing().hash("one real production hash")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not PasswordHashing().needs_rehash(stored)
    assert PasswordHashing(TEST_ONLY).needs_rehash(stored)
