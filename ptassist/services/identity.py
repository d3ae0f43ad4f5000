"""Accounts, login and re-authentication: who is using ptassist (issue 12).

No Qt and, at import, no database library: :func:`clinic_state` and :func:`log_in` read only
``ptassist.keys`` (and, for the account's roles, the database file through the standard
library), so the start-up screen and the fast print path can log in before SQLAlchemy loads.
Records on a server keep the keys there (:mod:`ptassist.services.key_store`), read and written
through the store's ``server_keys``. Set-up and recovery open the records through the store.

Nothing here logs, and no message names a password, a key or record contents.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ptassist import paths
from ptassist.security import keyfile
from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.security.encoding import b64
from ptassist.security.endorsement import RECOVERY, endorse, recovery_signing_key, roles_text
from ptassist.security.errors import PasswordPolicyError, RecoveryKeyError, StoredSecretError, UnwrapError
from ptassist.security.files import make_private_folder
from ptassist.security.keyring import UnlockedAccount
from ptassist.security.passwords import DEFAULT_POLICY
from ptassist.security.recovery import RecoveryKey
from ptassist.security.signing import SigningKey, fingerprint
from ptassist.services import key_store, pending_audit

if TYPE_CHECKING:
    from ptassist.store.database import Database

ROLES = ("clinician", "assistant", "administrator")
FIRST_ACCOUNT_ROLES = frozenset({"administrator", "clinician"})
ClinicState = Literal["first_start", "login"]


class IdentityError(Exception):
    """A one-line message, safe to show (no secrets, no record text)."""


class WrongPassword(IdentityError):  # noqa: N818 - the names are the identity contract
    """A wrong password, or a name that is no account (the same message for both)."""


class LockedOut(IdentityError):  # noqa: N818 - the names are the identity contract
    """Too many failed attempts: the message says how long to wait."""


class NotAllowed(IdentityError):  # noqa: N818 - the names are the identity contract
    """The logged-in account's roles do not allow this."""


class WeakPassword(IdentityError):  # noqa: N818 - the names are the identity contract
    """A chosen password that the policy refuses (the message says why)."""


@dataclass(frozen=True)
class Account:
    """A person who logs in, with the details printed on what they sign."""

    name: str
    roles: frozenset[str]
    credentials: str = ""
    registration: str = ""
    contact: str = ""

    @property
    def can_sign(self) -> bool:
        return "clinician" in self.roles

    @property
    def is_administrator(self) -> bool:
        return "administrator" in self.roles

    def role_text(self) -> str:
        """"an assistant", "a clinician and administrator": for messages."""
        ordered = [role for role in ROLES if role in self.roles] or ["account without a role"]
        words = " and ".join(ordered)
        return ("an " if words[0] in "aeiou" else "a ") + words


@dataclass(repr=False)
class SignedIn:
    """Who is logged in. Lives in memory until exit; never logged, never printed (its repr hides keys)."""

    account: Account
    database_key: bytes
    encrypted: bool
    params: Argon2Parameters = PRODUCTION
    _signing_key: SigningKey | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"SignedIn({self.account.name!r}, encrypted={self.encrypted})"

    @property
    def signing_key(self) -> SigningKey | None:
        """The private signing key (clinicians only); use it only right after :func:`confirm_password`."""
        return self._signing_key

    @property
    def public_key(self) -> str | None:
        """The signing key's public half, base64 (None for an account that does not sign)."""
        return b64(self._signing_key.public_key()) if self._signing_key else None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self._signing_key.public_key()) if self._signing_key else ""


def keyfile_path(folder: Path) -> Path:
    return folder / keyfile.KEYFILE_NAME


def clinic_state(folder: Path) -> ClinicState:
    """"first_start" when the records have no accounts yet (no ``ptassist.keys``, nor keys on the
    server), else "login"; :class:`IdentityError` (one line) when their server cannot be asked."""
    try:
        return "login" if key_store.exists(folder) else "first_start"
    except key_store.KeyStoreError as exc:
        raise IdentityError(str(exc)) from None


def load_keys(folder: Path) -> keyfile.ClinicKeys:
    """The clinic's keys (the data folder's file, or the server's); :class:`IdentityError` if unreadable."""
    try:
        return key_store.load(folder)
    except key_store.KeyStoreError as exc:
        raise IdentityError(str(exc)) from None


def save_keys(folder: Path, changed: keyfile.ClinicKeys, base: keyfile.ClinicKeys | None, *,
              required: bool = True, on_server: bool = True) -> None:
    """Store ``changed`` (made from ``base``, as read). A login (``required=False``) goes ahead when
    it cannot be written (a read-only folder, a full disk, another workstation's change at the same
    instant): only its lockout counters and a remade hash are not kept."""
    try:
        key_store.save(folder, changed, base, on_server=on_server)
    except key_store.KeyStoreError as exc:
        if required:
            raise IdentityError(str(exc)) from None


def _account_from_records(folder: Path, name: str, signs: bool, key: bytes | None = None) -> Account:
    """The account's roles and details from the database (standard library only).

    An account the records do not list yet (they are opened next) gets the roles its keys allow.
    """
    from ptassist.store.account_lookup import name_key, read_account

    found = read_account(paths.database_path(folder), name_key(name), key)
    if found is False:  # the records have accounts, and this key-file entry is none of them
        raise WrongPassword(keyfile.WRONG_LOGIN)
    if found is None:
        return Account(name=name, roles=FIRST_ACCOUNT_ROLES if signs else frozenset({"assistant"}))
    stored_name, roles, credentials, registration, contact, active = found
    if not active:
        raise WrongPassword(keyfile.WRONG_LOGIN)
    return Account(stored_name, frozenset(r for r in roles.split(",") if r), credentials, registration, contact)


def _authenticate(folder: Path, name: str, password: str,
                  params: Argon2Parameters) -> tuple[UnlockedAccount, keyfile.ClinicKeys]:
    clinic = load_keys(folder)
    try:
        result = keyfile.authenticate(clinic, name, password, datetime.now(UTC), params=params)
    except (StoredSecretError, UnwrapError) as exc:
        raise IdentityError(f"The key file does not open this account ({_reason(exc)}).") from None
    save_keys(folder, result.clinic, clinic, required=False)
    if result.unlocked is None:
        known = clinic.account(name) is not None
        pending_audit.append(folder, name.strip() if known else "unknown", "login_failed")
        message = result.message or keyfile.WRONG_LOGIN
        raise (WrongPassword if message == keyfile.WRONG_LOGIN else LockedOut)(message)
    return result.unlocked, result.clinic


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def log_in(folder: Path, name: str, password: str, *, params: Argon2Parameters = PRODUCTION) -> SignedIn:
    """Check the password (after any lockout delay) and open the account's keys.

    The login and any failed login go to the audit trail when the records are next opened.
    """
    unlocked, clinic = _authenticate(folder, name, password, params)
    entry = clinic.account(name)
    assert entry is not None
    encrypted = clinic.encrypted
    account = _account_from_records(folder, entry.name, unlocked.signing_key is not None,
                                    unlocked.database_key if encrypted else None)
    pending_audit.append(folder, account.name, "login")
    return SignedIn(account, unlocked.database_key, encrypted, params, unlocked.signing_key)


def log_in_from_environment(folder: Path, *, params: Argon2Parameters = PRODUCTION) -> SignedIn | None:
    """``--smoke-test`` and scripts: log in with ``PTASSIST_USER`` and ``PTASSIST_PASSWORD`` when both
    are set and the folder has accounts; None otherwise (the app then shows its first-start or
    login screen). A wrong password raises as :func:`log_in` does."""
    import os

    name, password = os.environ.get("PTASSIST_USER"), os.environ.get("PTASSIST_PASSWORD")
    if not name or not password or clinic_state(folder) != "login":
        return None
    return log_in(folder, name, password, params=params)


def confirm_password(signed_in: SignedIn, folder: Path, password: str) -> None:
    """Re-authenticate the logged-in person (before signing, or to unlock the same user).

    Raises :class:`WrongPassword` or :class:`LockedOut`; failures count towards the lockout.
    """
    unlocked, _ = _authenticate(folder, signed_in.account.name, password, signed_in.params)
    signed_in._signing_key = unlocked.signing_key


def set_up(folder: Path, *, name: str, password: str, credentials: str, registration: str, contact: str = "",
           encrypted: bool = True, params: Argon2Parameters = PRODUCTION,
           check_policy: bool = True) -> tuple[SignedIn, str]:
    """The clinic's first account, an administrator-clinician; returns it logged in and the
    recovery key text to show once. ``check_policy=False`` only for the documented demo clinic."""
    if clinic_state(folder) != "first_start":
        raise IdentityError("These records are already set up: log in instead.")
    from ptassist.core.validation import MAX_NAME, clean_text

    name = clean_text(name, "name", required=True, limit=MAX_NAME)  # ValidationError: one line, nothing made
    try:
        clinic, recovery, unlocked = keyfile.set_up(name, password, encrypted=encrypted, params=params,
                                                    policy=DEFAULT_POLICY if check_policy else None)
    except PasswordPolicyError as exc:
        raise WeakPassword(str(exc)) from None
    account = Account(name.strip(), FIRST_ACCOUNT_ROLES, credentials.strip(), registration.strip(), contact.strip())
    signed_in = SignedIn(account, unlocked.database_key, encrypted, params, unlocked.signing_key)
    make_private_folder(folder)
    from ptassist.services.records import Records

    save_keys(folder, clinic, None, on_server=False)  # a server gets them once the records exist
    pending_audit.append(folder, account.name, "login")
    try:
        records = Records.open(folder, signed_in=signed_in, daily_backup=False, enrol=True,
                               recovery_public_key=b64(recovery_signing_key(recovery).public_key()))
    except BaseException:
        keyfile_path(folder).unlink(missing_ok=True)  # nothing else was made: the set-up can run again
        raise
    records.close()
    return signed_in, recovery.display()


def enrol(database: Database, signed_in: SignedIn) -> None:
    """Add the first account to records that have none (set-up on new or older records)."""
    from ptassist.store.accounts import AccountRepository

    account = signed_in.account
    AccountRepository(database).add(name=account.name, roles=account.roles, credentials=account.credentials,
                                    registration=account.registration, contact=account.contact,
                                    actor=account.name)


def recover(folder: Path, recovery_key: str, name: str, new_password: str, *,
            params: Argon2Parameters = PRODUCTION) -> SignedIn:
    """Reset ``name``'s password with the recovery key (when every password is lost) and log in.

    A clinician gets a new signing key pair (the old private key cannot be opened without the old
    password); the new public key becomes a chain record when the records are next opened.
    """
    clinic = base = load_keys(folder)
    try:
        database_key = keyfile.recover_database_key(clinic, recovery_key)
    except RecoveryKeyError as exc:
        raise IdentityError(str(exc)) from None
    except UnwrapError:
        raise IdentityError("This recovery key does not open these records.") from None
    try:
        clinic = keyfile.reset_password(clinic, database_key, name, new_password, params=params)
    except PasswordPolicyError as exc:
        raise WeakPassword(str(exc)) from None
    except keyfile.AuthenticationError as exc:
        raise IdentityError(str(exc)) from None
    entry = clinic.account(name)
    assert entry is not None
    if entry.keys.public_key is not None:
        # The recovery key vouches for the new key (stored with its key record when the records open).
        encrypted = clinic.encrypted
        account = _account_from_records(folder, entry.name, True, database_key if encrypted else None)
        vouch = endorse(recovery_signing_key(RecoveryKey.parse(recovery_key)), RECOVERY, account.name,
                        b64(entry.keys.public_key), roles_text(account.roles))
        clinic = clinic.with_account(replace(entry, endorsement=vouch))
    save_keys(folder, clinic, base)
    pending_audit.append(folder, entry.name, "account")
    return log_in(folder, entry.name, new_password, params=params)


def trust_fingerprints(folder: Path, recovery_key: str) -> tuple[str, str]:
    """For the recovery sheet: the fingerprints of the clinic's root key (the first account's) and of
    the recovery endorsement key, which ``verify`` checks every signing key back to."""
    first = load_keys(folder).accounts[0]
    root = fingerprint(first.keys.public_key) if first.keys.public_key else ""
    return root, fingerprint(recovery_signing_key(RecoveryKey.parse(recovery_key)).public_key())
