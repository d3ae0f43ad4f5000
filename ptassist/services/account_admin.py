"""Account administration beyond adding a user: an administrator resets someone's password.

The role is checked here (not only in the GUI); the new password meets the policy; the account
keeps its database-key wrap under the new password, and a signing account gets a new key pair
(its old private key cannot be opened without the old password). The new public key becomes a
chain record when that person next opens the records; the old one stays to verify what they signed.
"""

from __future__ import annotations

from ptassist.security import keyfile
from ptassist.security.errors import PasswordPolicyError
from ptassist.services.identity import IdentityError, WeakPassword, keyfile_path
from ptassist.services.records import Records


def reset_password(records: Records, name: str, new_password: str) -> None:
    """Give ``name`` a new password (administrators only); audited as an account change."""
    records.require_administrator("reset passwords")
    signed_in = records.actor
    assert signed_in is not None  # require_administrator refuses records without one
    stored = records.accounts.get(name)
    if stored is None:
        raise IdentityError(f"There is no account named {name.strip()!r}.")
    path = keyfile_path(records.database.folder)
    try:
        clinic = keyfile.reset_password(keyfile.load(path), signed_in.database_key, stored.name, new_password,
                                        params=signed_in.params)
    except PasswordPolicyError as exc:
        raise WeakPassword(str(exc)) from None
    except keyfile.AuthenticationError as exc:
        raise IdentityError(str(exc)) from None
    keyfile.save(path, clinic)
    records.audit.log(signed_in.account.name, "account", "account", stored.id)
