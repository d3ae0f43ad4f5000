"""The clinic's key file (``ptassist.keys`` beside the database): what opens the records.

An encrypted database cannot hold what opens it, so this small JSON file does: per account its
name, password verifier (an account from before the one-run scheme: its Argon2id PHC hash, until
its next login), key-derivation record, wrapped database key and failed-attempt
count; the recovery wrap; whether the database file is encrypted. It reveals nothing without a
password or the recovery key (the signing keys are in it too, wrapped; roles and the clinician
details live in the database). Written atomically, mode 0600.

The functions here are the security half of set-up, login, adding an account, changing and
resetting a password; the services add roles, audit and the rest. Each returns a new
:class:`ClinicKeys` for the caller to :func:`save` (a failed login too: the failure counts).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ptassist.security import keyring
from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.security.encoding import b64, unb64
from ptassist.security.endorsement import Endorsement
from ptassist.security.errors import PasswordPolicyError, SecurityError, StoredSecretError
from ptassist.security.files import write_private
from ptassist.security.kdf import VERIFIER_PREFIX, PasswordKdf
from ptassist.security.keyring import (
    AccountKeys,
    UnlockedAccount,
    new_database_key,
    open_with_recovery,
    seal_with,
    unlock_with,
    wrap_for_recovery,
)
from ptassist.security.keywrap import WrappedKey
from ptassist.security.lockout import DEFAULT_LOCKOUT, Attempts, LockoutPolicy
from ptassist.security.passwords import DEFAULT_POLICY, PasswordHashing, PasswordPolicy
from ptassist.security.recovery import RecoveryKey

KEYFILE_NAME = "ptassist.keys"
FORMAT = "ptassist-keys/1"
WRONG_LOGIN = "Unknown user or wrong password."


class AuthenticationError(SecurityError):
    """A name and password that do not log in (one message for both, so names cannot be probed)."""


def same_name(first: str, second: str) -> bool:
    """Account names match whatever their case, Unicode form and surrounding spaces."""
    def key(name: str) -> str:
        return unicodedata.normalize("NFC", name).casefold().strip()

    return key(first) == key(second)


@dataclass(frozen=True)
class AccountEntry:
    """One account's line in the key file."""

    name: str
    password_hash: str
    keys: AccountKeys
    attempts: Attempts = field(default_factory=Attempts)
    # Who vouches for the account's new public key, made where no records were open (a reset with
    # the recovery key); stored with the key record when the records next open.
    endorsement: Endorsement | None = None


@dataclass(frozen=True)
class ClinicKeys:
    """The whole key file."""

    encrypted: bool
    recovery: WrappedKey
    accounts: tuple[AccountEntry, ...]

    def account(self, name: str) -> AccountEntry | None:
        return next((entry for entry in self.accounts if same_name(entry.name, name)), None)

    def with_account(self, entry: AccountEntry) -> ClinicKeys:
        """A copy with ``entry`` added, or replacing the account of the same name."""
        accounts = list(self.accounts)
        for index, existing in enumerate(accounts):
            if same_name(existing.name, entry.name):
                accounts[index] = entry
                break
        else:
            accounts.append(entry)
        return replace(self, accounts=tuple(accounts))

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT,
            "encrypted": self.encrypted,
            "recovery": self.recovery.to_text(),
            "accounts": [{
                "name": entry.name,
                "password_hash": entry.password_hash,
                **entry.keys.to_fields(),
                "failures": entry.attempts.failures,
                "last_failure": entry.attempts.last_failure.isoformat() if entry.attempts.last_failure else None,
                **({"endorsement": _endorsement_fields(entry.endorsement)} if entry.endorsement else {}),
            } for entry in self.accounts],
        }, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ClinicKeys:
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise StoredSecretError(f"the key file is not a {FORMAT} file")
            accounts = tuple(_entry(item) for item in data["accounts"])
            return cls(encrypted=bool(data["encrypted"]), recovery=WrappedKey.from_text(data["recovery"]),
                       accounts=accounts)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise StoredSecretError("the key file is damaged (it is not valid JSON of the expected shape)") from None


def _endorsement_fields(endorsement: Endorsement) -> dict[str, str]:
    return {"endorser": endorsement.endorser, "roles": endorsement.roles, "signature": b64(endorsement.signature)}


def _entry(item: dict[str, Any]) -> AccountEntry:
    last = item.get("last_failure")
    stash = item.get("endorsement")
    return AccountEntry(
        name=str(item["name"]),
        password_hash=str(item["password_hash"]),
        keys=AccountKeys.from_fields({k: item.get(k) for k in ("kdf", "database_key", "signing_key", "public_key")}),
        attempts=Attempts(int(item.get("failures", 0)), datetime.fromisoformat(last) if last else None),
        endorsement=Endorsement(str(stash["endorser"]), str(stash["roles"]), unb64(str(stash["signature"])))
        if stash else None,
    )


def load(path: Path) -> ClinicKeys:
    """Read a key file; :class:`StoredSecretError` when it is damaged."""
    return ClinicKeys.from_json(path.read_text(encoding="utf-8"))


def save(path: Path, clinic: ClinicKeys) -> None:
    """Replace the key file atomically (mode 0600)."""
    write_private(path, clinic.to_json().encode("utf-8"))


def _new_entry(database_key: bytes, name: str, password: str, *, signs: bool, params: Argon2Parameters,
               policy: PasswordPolicy | None) -> tuple[AccountEntry, UnlockedAccount]:
    if not name.strip():
        raise PasswordPolicyError("An account needs a name.")
    if policy is not None:
        policy.check(password, user_name=name)
    keys, verifier, unlocked = keyring.enrol(database_key, password, signs=signs, params=params)
    return AccountEntry(name=name.strip(), password_hash=verifier, keys=keys), unlocked


def set_up(name: str, password: str, *, encrypted: bool = True, params: Argon2Parameters = PRODUCTION,
           policy: PasswordPolicy | None = DEFAULT_POLICY) -> tuple[ClinicKeys, RecoveryKey, UnlockedAccount]:
    """A new clinic: a database key, its first (signing) account and the recovery key to show once.

    ``policy=None`` only for the documented demo clinic ("demo" is below any policy).
    """
    database_key, recovery = new_database_key(), RecoveryKey.generate()
    entry, unlocked = _new_entry(database_key, name, password, signs=True, params=params, policy=policy)
    clinic = ClinicKeys(encrypted=encrypted, recovery=wrap_for_recovery(database_key, recovery), accounts=(entry,))
    return clinic, recovery, unlocked


def add_account(clinic: ClinicKeys, database_key: bytes, name: str, password: str, *, signs: bool,
                params: Argon2Parameters = PRODUCTION,
                policy: PasswordPolicy | None = DEFAULT_POLICY) -> tuple[ClinicKeys, UnlockedAccount]:
    """Another account (``database_key`` from the administrator's unlocked session)."""
    if clinic.account(name) is not None:
        raise PasswordPolicyError(f"There is already an account named {name.strip()!r}.")
    entry, unlocked = _new_entry(database_key, name, password, signs=signs, params=params, policy=policy)
    return clinic.with_account(entry), unlocked


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt gives: the key file to save in every case, and the keys on success."""

    clinic: ClinicKeys
    unlocked: UnlockedAccount | None
    message: str | None

    @property
    def ok(self) -> bool:
        return self.unlocked is not None


def authenticate(clinic: ClinicKeys, name: str, password: str, now: datetime, *,
                 params: Argon2Parameters = PRODUCTION, lockout: LockoutPolicy = DEFAULT_LOCKOUT) -> LoginResult:
    """Check a login: the lockout delay, then one Argon2id run that checks the password and opens
    the account's keys.

    An account from before the one-run scheme, or made with other costs than ``params``, is
    rewrapped after a good login. An unknown name gets the same message (and about the same time)
    as a wrong password.
    """
    entry = clinic.account(name)
    if entry is None:
        _decoy(params, password)  # spend the same time as a real check
        return LoginResult(clinic, None, WRONG_LOGIN)
    refusal = entry.attempts.refusal(now, lockout)
    if refusal is not None:
        return LoginResult(clinic, None, refusal)
    opened = _open(entry, password, params)
    if opened is None:
        return LoginResult(clinic.with_account(replace(entry, attempts=entry.attempts.failed(now))), None, WRONG_LOGIN)
    unlocked, updated = opened
    return LoginResult(clinic.with_account(replace(updated, attempts=entry.attempts.succeeded())), unlocked, None)


def _open(entry: AccountEntry, password: str, params: Argon2Parameters) -> tuple[UnlockedAccount, AccountEntry] | None:
    """The account's keys and its entry as it should be stored now; None for a wrong password."""
    kdf = entry.keys.kdf
    if kdf.split:
        if not entry.password_hash.startswith(VERIFIER_PREFIX):
            raise StoredSecretError("an account's stored password verifier is damaged")
        derived = kdf.keys(password)  # the one Argon2id run
        if not derived.matches(entry.password_hash):
            return None
        unlocked = unlock_with(entry.keys, derived.kek)
        if kdf.params == params:
            return unlocked, entry
        keys, verifier = keyring.seal(unlocked.database_key, unlocked.signing_key, password, params)
        return unlocked, replace(entry, keys=keys, password_hash=verifier)
    # An account from before the one-run scheme: its PHC hash, then its raw KEK; upgraded now.
    if not PasswordHashing(params).verify(entry.password_hash, password):
        return None
    secret = kdf.derive(password)
    unlocked = unlock_with(entry.keys, secret)
    if kdf.params == params:  # the same salt and costs give the same secret: split it, no third run
        split = replace(kdf, split=True)
        derived = split.split_secret(secret)
        keys, verifier = seal_with(unlocked.database_key, unlocked.signing_key, split, derived.kek), derived.verifier
    else:
        keys, verifier = keyring.seal(unlocked.database_key, unlocked.signing_key, password, params)
    return unlocked, replace(entry, keys=keys, password_hash=verifier)


_DECOY_SALT = b"ptassist-decoy-1"  # 16 bytes: a fixed salt for a name that is no account


def _decoy(params: Argon2Parameters, password: str) -> None:
    PasswordKdf(salt=_DECOY_SALT, params=params).derive(password)


def change_password(clinic: ClinicKeys, name: str, old_password: str, new_password: str, *,
                    params: Argon2Parameters = PRODUCTION,
                    policy: PasswordPolicy = DEFAULT_POLICY) -> ClinicKeys:
    """The account's own password change: the same database and signing keys under the new password."""
    entry = clinic.account(name)
    opened = _open(entry, old_password, params) if entry is not None else None
    if entry is None or opened is None:
        raise AuthenticationError(WRONG_LOGIN)
    policy.check(new_password, user_name=entry.name)
    unlocked = opened[0]
    keys, verifier = keyring.seal(unlocked.database_key, unlocked.signing_key, new_password, params)
    return clinic.with_account(replace(entry, password_hash=verifier, keys=keys, attempts=Attempts()))


def reset_password(clinic: ClinicKeys, database_key: bytes, name: str, new_password: str, *,
                   params: Argon2Parameters = PRODUCTION, policy: PasswordPolicy = DEFAULT_POLICY) -> ClinicKeys:
    """A password reset by an administrator or through the recovery key (``database_key`` from either).

    The old private signing key cannot be opened without the old password: a signing account gets a
    new key pair (the services record the new public key in the chain; the old one stays there).
    """
    entry = clinic.account(name)
    if entry is None:
        raise AuthenticationError(f"There is no account named {name.strip()!r}.")
    fresh, _ = _new_entry(database_key, entry.name, new_password, signs=entry.keys.signing_key is not None,
                          params=params, policy=policy)
    return clinic.with_account(fresh)


def recover_database_key(clinic: ClinicKeys, typed_recovery_key: str) -> bytes:
    """The database key from the recovery key as typed (:class:`RecoveryKeyError` on a typo,
    :class:`UnwrapError` if it is another clinic's)."""
    return open_with_recovery(clinic.recovery, RecoveryKey.parse(typed_recovery_key))
