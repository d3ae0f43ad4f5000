"""Enrolling signing keys so that verify can tell who vouched for each one (issue 12).

* set-up: the first administrator's key becomes the clinic's **root** (a self-endorsement that
  also names the recovery endorsement key, derived from the recovery key shown once);
* ``user add`` and an administrator's password reset: the new key is endorsed by the logged-in
  administrator's key;
* a reset with the recovery key: the recovery endorsement key vouches for the new key (kept in
  ``ptassist.keys`` until the records open, then stored with the key record);
* records made before endorsements: the first administrator with a signing key to open them
  becomes the root and endorses every key record already there, once (a notice lists them).

A key record nobody vouches for (one written into the file by hand) is refused by ``verify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ptassist.security.encoding import b64
from ptassist.security.endorsement import ROOT, Endorsement, endorse, key_endorser, roles_text
from ptassist.security.signing import SigningKey, fingerprint
from ptassist.services.identity import IdentityError, NotAllowed, SignedIn, load_keys
from ptassist.store import key_trust
from ptassist.store.accounts import AccountRecord
from ptassist.store.models import AccountRow

if TYPE_CHECKING:
    from ptassist.services.records import Records


def _stashed(records: Records, name: str, public_key: str) -> Endorsement | None:
    """An endorsement waiting in the key file for this account's new key (a recovery reset)."""
    try:
        entry = load_keys(records.database.folder).account(name)
    except IdentityError:  # the login read the keys a moment ago; without them nothing vouches
        return None
    if entry is None or entry.endorsement is None or entry.keys.public_key is None:
        return None
    return entry.endorsement if b64(entry.keys.public_key) == public_key else None


def ensure_key_record(records: Records, signed_in: SignedIn, stored: AccountRecord,
                      root_recovery_key: str | None = None) -> int | None:
    """The logged-in account's key record, made now if the chain lacks it (None: no signing key).

    ``root_recovery_key`` (set-up only): the key becomes the clinic's root, naming that recovery key.
    """
    key, public_key = signed_in.signing_key, signed_in.public_key
    if key is None or public_key is None:
        return None
    found = records.accounts.key_record(public_key)
    if found is not None:
        return found
    roles = roles_text(stored.roles)
    if root_recovery_key is not None:
        endorsement: Endorsement | None = endorse(key, ROOT, stored.name, public_key, roles, root_recovery_key)
    else:
        endorsement = _stashed(records, stored.name, public_key)
    return records.accounts.add_key_record(stored.id, public_key, signed_in.fingerprint, signed_in.database_key,
                                           stored.name, endorsement)


@dataclass(frozen=True)
class Endorser:
    """The logged-in administrator's key, ready to vouch for new keys."""

    key_id: int
    key: SigningKey

    def vouch(self, account_name: str, public_key: bytes, roles: frozenset[str]) -> Endorsement:
        """``account_name``'s new ``public_key`` is theirs, with ``roles``."""
        return endorse(self.key, key_endorser(self.key_id), account_name, b64(public_key), roles_text(roles))


def endorser(records: Records, signed_in: SignedIn) -> Endorser:
    """The logged-in administrator as an endorser; :class:`NotAllowed` when they have no key record."""
    key, own = signed_in.signing_key, signed_in.public_key
    if key is None or own is None:
        raise NotAllowed(f"{signed_in.account.name} has no signing key to vouch for a new one with: another "
                         f"administrator can reset {signed_in.account.name}'s password to make one.")
    own_id = records.accounts.key_record(own)
    if own_id is None:
        raise NotAllowed(f"{signed_in.account.name}'s signing key is not in these records yet: open them once and "
                         "try again.")
    return Endorser(own_id, key)


def upgrade_to_endorsements(records: Records, signed_in: SignedIn) -> str | None:
    """Records without a root, opened by an administrator with a key record: that key becomes the root
    and endorses every key record already there. Returns the notice to show (None: nothing done)."""
    key, public_key = signed_in.signing_key, signed_in.public_key
    if not signed_in.account.is_administrator or key is None or public_key is None:
        return None
    own_id = records.accounts.key_record(public_key)
    if own_id is None or records.accounts.trust().has_root:
        return None
    name = signed_in.account.name
    endorsed: list[str] = []
    with records.database.transaction() as session:
        root = endorse(key, ROOT, name, public_key, roles_text(signed_in.account.roles))
        key_trust.add_endorsement(session, own_id, root, name)
        for row in key_trust.unendorsed_keys(session):
            if row.id is None or row.id == own_id:
                continue
            account = session.get(AccountRow, row.account_id)
            roles = account.roles if account is not None else ""
            vouch = endorse(key, key_endorser(own_id), row.account_name, row.public_key, roles)
            key_trust.add_endorsement(session, row.id, vouch, name)
            endorsed.append(f"{row.account_name} (key record {row.id}, {row.fingerprint})")
    listed = "; ".join(endorsed) if endorsed else "no other key"
    return (f"signing keys are now endorsed: {name}'s key ({fingerprint(key.public_key())}) is the clinic's root "
            f"key, and it vouched once for the keys already in these records: {listed}. Check that these are your "
            "clinic's people; a key that is not should be reported")
