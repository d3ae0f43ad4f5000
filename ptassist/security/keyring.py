"""The key hierarchy: one random database key, opened by any account's password or the recovery key.

::

    password --Argon2id(salt)--> secret --HKDF--> password verifier (stored, compared in constant time)
                                        \\--HKDF--> account KEK --AES-256-GCM--> database key (32 random bytes)
                                                                \\--AES-256-GCM--> clinician's Ed25519 private key
    recovery key --HKDF-SHA256-----> recovery KEK --AES-256-GCM--> database key

What the store keeps per account is an :class:`AccountKeys` (text fields, see ``to_fields``); the
clinic keeps one recovery wrap. Changing a password rewraps the same database key and signing
key under the new password's KEK (new salt), so nothing encrypted with them changes. A password
reset by an administrator or through the recovery key cannot recover the old private signing key
(only its owner's password opens it): the account gets a new key pair, and the old public key
stays in the chain to verify what was signed with it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.security.encoding import b64, unb64
from ptassist.security.errors import StoredSecretError, UnwrapError
from ptassist.security.kdf import KEY_BYTES, PasswordKdf
from ptassist.security.keywrap import WrappedKey, unwrap_key, wrap_key
from ptassist.security.recovery import RecoveryKey
from ptassist.security.signing import SigningKey

DATABASE_KEY = "database-key"
RECOVERY_DATABASE_KEY = "database-key-recovery"
SIGNING_KEY = "signing-key"


def new_database_key() -> bytes:
    """32 random bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def _signing_purpose(public_key: bytes) -> str:
    # The public key is part of the authenticated purpose: a wrapped private key cannot be paired
    # with someone else's public key without failing to open.
    return f"{SIGNING_KEY}:{b64(public_key)}"


@dataclass(frozen=True)
class UnlockedAccount:
    """What an account's password opens: the database key and, for a clinician, the signing key."""

    database_key: bytes
    signing_key: SigningKey | None

    def __repr__(self) -> str:
        return f"UnlockedAccount(signing={self.signing_key is not None})"


@dataclass(frozen=True)
class AccountKeys:
    """One account's stored key material: nothing in it is readable without the password."""

    kdf: PasswordKdf
    database_key: WrappedKey
    signing_key: WrappedKey | None
    public_key: bytes | None

    def to_fields(self) -> dict[str, str | None]:
        """Text columns for the store."""
        return {
            "kdf": self.kdf.to_text(),
            "database_key": self.database_key.to_text(),
            "signing_key": self.signing_key.to_text() if self.signing_key else None,
            "public_key": b64(self.public_key) if self.public_key else None,
        }

    @classmethod
    def from_fields(cls, fields: dict[str, str | None]) -> AccountKeys:
        kdf, database_key = fields.get("kdf"), fields.get("database_key")
        if not kdf or not database_key:
            raise StoredSecretError("an account's stored keys are incomplete")
        signing, public = fields.get("signing_key"), fields.get("public_key")
        if bool(signing) != bool(public):
            raise StoredSecretError("an account's signing key and public key do not go together")
        return cls(
            kdf=PasswordKdf.from_text(kdf),
            database_key=WrappedKey.from_text(database_key),
            signing_key=WrappedKey.from_text(signing) if signing else None,
            public_key=unb64(public) if public else None,
        )


def seal(database_key: bytes, signing_key: SigningKey | None, password: str,
         params: Argon2Parameters = PRODUCTION) -> tuple[AccountKeys, str]:
    """The keys wrapped under ``password`` (a new salt; one Argon2id run) and the password verifier to store."""
    kdf = PasswordKdf.new(params)
    derived = kdf.keys(password)
    return seal_with(database_key, signing_key, kdf, derived.kek), derived.verifier


def seal_with(database_key: bytes, signing_key: SigningKey | None, kdf: PasswordKdf, kek: bytes) -> AccountKeys:
    """The keys wrapped under a KEK already derived with ``kdf`` (no Argon2id run)."""
    public = signing_key.public_key() if signing_key else None
    return AccountKeys(
        kdf=kdf,
        database_key=wrap_key(database_key, kek, DATABASE_KEY),
        signing_key=wrap_key(signing_key.raw(), kek, _signing_purpose(public)) if signing_key and public else None,
        public_key=public,
    )


def enrol(database_key: bytes, password: str, *, signs: bool,
          params: Argon2Parameters = PRODUCTION) -> tuple[AccountKeys, str, UnlockedAccount]:
    """A new account's (or a reset one's) keys, verifier and unlocked keys; ``signs``: a new Ed25519
    key pair. One Argon2id run."""
    signing_key = SigningKey.generate() if signs else None
    keys, verifier = seal(database_key, signing_key, password, params)
    return keys, verifier, UnlockedAccount(database_key=database_key, signing_key=signing_key)


def enrol_account(database_key: bytes, password: str, *, signs: bool,
                  params: Argon2Parameters = PRODUCTION) -> AccountKeys:
    """Key material for a new account (or a reset one); ``signs``: give it a new Ed25519 key pair."""
    return enrol(database_key, password, signs=signs, params=params)[0]


def unlock_account(keys: AccountKeys, password: str) -> UnlockedAccount:
    """Open an account's keys with its password; :class:`UnwrapError` if the password is wrong."""
    return unlock_with(keys, keys.kdf.keys(password).kek)


def unlock_with(keys: AccountKeys, kek: bytes) -> UnlockedAccount:
    """Open an account's keys with its KEK (derived already); :class:`UnwrapError` if it is not theirs."""
    database_key = unwrap_key(keys.database_key, kek, DATABASE_KEY, what="password")
    signing_key = None
    if keys.signing_key is not None and keys.public_key is not None:
        try:
            raw = unwrap_key(keys.signing_key, kek, _signing_purpose(keys.public_key), what="password")
        except UnwrapError:
            # The password was right (it opened the database key): the stored signing key is not.
            raise StoredSecretError("this account's stored signing key was changed or damaged") from None
        signing_key = SigningKey.from_raw(raw)
        if signing_key.public_key() != keys.public_key:
            raise StoredSecretError("an account's signing key does not match its public key")
    return UnlockedAccount(database_key=database_key, signing_key=signing_key)


def change_password(keys: AccountKeys, old_password: str, new_password: str,
                    params: Argon2Parameters = PRODUCTION) -> AccountKeys:
    """The same database key and signing key, rewrapped under ``new_password`` (a new salt)."""
    unlocked = unlock_account(keys, old_password)
    return seal(unlocked.database_key, unlocked.signing_key, new_password, params)[0]


def wrap_for_recovery(database_key: bytes, recovery_key: RecoveryKey) -> WrappedKey:
    return wrap_key(database_key, recovery_key.key_encryption_key(), RECOVERY_DATABASE_KEY)


def open_with_recovery(wrapped: WrappedKey, recovery_key: RecoveryKey) -> bytes:
    """The database key; :class:`UnwrapError` if this is not the clinic's recovery key."""
    try:
        return unwrap_key(wrapped, recovery_key.key_encryption_key(), RECOVERY_DATABASE_KEY, what="recovery key")
    except UnwrapError:
        raise UnwrapError("this recovery key does not open these records (it is another clinic's, "
                          "or the stored recovery record was changed)") from None
