"""Password policy and Argon2id password hashes (argon2-cffi).

Passwords are compared after Unicode NFC normalisation, so "é" typed as one code point on one
keyboard and as "e" plus a combining accent on another is the same password (NIST SP 800-63B
5.1.1.2 asks for normalisation). The policy is data: one object the services pass around, its
numbers in one place. Hashing does not enforce the policy (the services check it when a password
is chosen), so the demo clinic's documented "demo" password can exist.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ptassist.security.argon2_params import PRODUCTION, READ_BOUNDS, Argon2Parameters
from ptassist.security.errors import PasswordPolicyError, StoredSecretError


def normalise(password: str) -> str:
    """The form a password is hashed and counted in (NFC)."""
    return unicodedata.normalize("NFC", password)


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must satisfy.

    12 characters is OWASP ASVS 4.0.3's minimum (2.1.1), above NIST SP 800-63B's 8 for a
    password with a second factor; NIST SP 800-63B-4 asks 15 when a password is the only
    factor, and a clinic that wants that sets ``min_length=15``. Long passphrases are welcome up
    to ``max_length`` (Argon2 takes any length; the cap only stops absurd input). Characters are
    counted after NFC normalisation; no composition rules (NIST advises against them).
    """

    min_length: int = 12
    max_length: int = 256

    def problem(self, password: str, *, user_name: str | None = None) -> str | None:
        """Why ``password`` is not acceptable, as one sentence; None when it is."""
        text = normalise(password)
        if len(text) < self.min_length:
            return (f"The password is too short: use at least {self.min_length} characters "
                    f"(this one has {len(text)}). A few words make a good one.")
        if len(text) > self.max_length:
            return f"The password is too long: use at most {self.max_length} characters."
        if not text.strip():
            return "The password cannot be only spaces."
        if len(set(text)) == 1:
            return "The password cannot be one character repeated."
        if user_name and normalise(user_name).casefold().strip() == text.casefold().strip():
            return "The password cannot be the account's name."
        return None

    def check(self, password: str, *, user_name: str | None = None) -> None:
        """Raise :class:`PasswordPolicyError` with the reason when ``password`` is not acceptable."""
        reason = self.problem(password, user_name=user_name)
        if reason is not None:
            raise PasswordPolicyError(reason)


DEFAULT_POLICY = PasswordPolicy()


class PasswordHashing:
    """Argon2id password hashes in the PHC string format ("$argon2id$v=19$m=…,t=…,p=…$salt$tag")."""

    def __init__(self, params: Argon2Parameters = PRODUCTION) -> None:
        self.params = params
        self._hasher = PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=params.hash_len,
            salt_len=params.salt_len,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        """A new salted hash of ``password`` to store."""
        return self._hasher.hash(normalise(password))

    def verify(self, stored: str, password: str) -> bool:
        """True when ``password`` matches ``stored``; False when it does not.

        Raises :class:`StoredSecretError` when ``stored`` is not an Argon2 hash or asks for
        implausible costs (a damaged record is not the same as a wrong password).
        """
        self._check_stored(stored)
        try:
            return self._hasher.verify(stored, normalise(password))
        except VerifyMismatchError:
            return False
        except (InvalidHashError, VerificationError):
            # Anything but a mismatch means the stored text could not be decoded or used.
            raise StoredSecretError("the stored password hash is damaged") from None

    def needs_rehash(self, stored: str) -> bool:
        """True when ``stored`` was made with other costs than these (rehash it after a good login)."""
        self._check_stored(stored)
        try:
            return self._hasher.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            raise StoredSecretError("the stored password hash is damaged") from None

    @staticmethod
    def _check_stored(stored: str) -> None:
        if not stored.startswith("$argon2id$"):
            raise StoredSecretError("the stored password hash is not an Argon2id hash")
        try:
            found = extract_parameters(stored)
        except (InvalidHashError, ValueError):
            raise StoredSecretError("the stored password hash is damaged") from None
        if (found.time_cost > READ_BOUNDS.max_time_cost or found.memory_cost > READ_BOUNDS.max_memory_kib
                or found.parallelism > READ_BOUNDS.max_parallelism):
            raise StoredSecretError("the stored password hash asks for implausible costs (damaged or not ours)")
