"""Account administration beyond adding a user: an administrator resets someone's password.

The role is checked here (not only in the GUI); the new password meets the policy; the account
keeps its database-key wrap under the new password, and a signing account gets a new key pair
(its old private key cannot be opened without the old password). The new public key becomes a
chain record at once, endorsed by the administrator's key; the old one stays to verify what they signed.
"""

from __future__ import annotations

from ptassist.security import keyfile
from ptassist.security.encoding import b64
from ptassist.security.errors import PasswordPolicyError
from ptassist.security.signing import fingerprint
from ptassist.services.identity import IdentityError, WeakPassword, load_keys, save_keys
from ptassist.services.key_enrolment import endorser
from ptassist.services.records import Records


def reset_password(records: Records, name: str, new_password: str) -> None:
    """Give ``name`` a new password (administrators only); audited as an account change."""
    records.require_administrator("reset passwords")
    signed_in = records.actor
    assert signed_in is not None  # require_administrator refuses records without one
    stored = records.accounts.get(name)
    if stored is None:
        raise IdentityError(f"There is no account named {name.strip()!r}.")
    folder = records.database.folder
    base = load_keys(folder)
    try:
        clinic = keyfile.reset_password(base, signed_in.database_key, stored.name, new_password,
                                        params=signed_in.params)
    except PasswordPolicyError as exc:
        raise WeakPassword(str(exc)) from None
    except keyfile.AuthenticationError as exc:
        raise IdentityError(str(exc)) from None
    entry = clinic.account(stored.name)
    public = entry.keys.public_key if entry is not None else None
    vouching = endorser(records, signed_in) if public is not None else None  # refuses before anything is saved
    save_keys(folder, clinic, base)
    records.audit.log(signed_in.account.name, "account", "account", stored.id)
    if public is not None and vouching is not None:
        records.accounts.add_key_record(stored.id, b64(public), fingerprint(public), signed_in.database_key,
                                        signed_in.account.name, vouching.vouch(stored.name, public, stored.roles))
