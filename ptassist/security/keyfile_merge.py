"""Writing the clinic's keys where another process may have written them since they were read.

Several workstations share one copy of the keys on a PostgreSQL server (and on one workstation the
app and the command line share ``ptassist.keys``). Each change is made to the copy a process read
(``base``); :func:`merged` lays that change over what the store holds now (``current``), account by
account and, within an account, part by part:

* the password and keys (verifier, key-derivation record, wrapped keys): applied when the store
  still holds the ones this process read; when another process changed them meanwhile, that
  change stands and this one is a :class:`KeysChangedError` (two resets at once: the first stands, the
  second is told to try again; a login's rewrap of the same keys is simply not kept);
* the failed-attempt count: failures counted here are added to those counted elsewhere, and a
  good login resets the count (one that read the keys before failures typed elsewhere leaves
  those counted: the safe side);
* an endorsement waiting for a new key (a reset with the recovery key), and a new account.

So a failed login counted in one room does not undo a password reset made at the front desk at the
same moment, and an account added on one workstation is not dropped by another's login.
"""

from __future__ import annotations

from dataclasses import replace

from ptassist.security.errors import SecurityError
from ptassist.security.keyfile import AccountEntry, ClinicKeys, same_name
from ptassist.security.lockout import Attempts


class KeysChangedError(SecurityError):
    """The same account's password was changed by another process since this one read the keys."""


def _attempts(current: Attempts, before: Attempts, after: Attempts) -> Attempts:
    if after == before:
        return current
    if after.failures == 0:  # a good login (or a reset) starts the count again
        return Attempts()
    added = max(after.failures - before.failures, 0)
    latest = max((t for t in (current.last_failure, after.last_failure) if t is not None), default=None)
    return Attempts(current.failures + added, latest)


def _secret(entry: AccountEntry) -> tuple[str, object]:
    return entry.password_hash, entry.keys


def _account(current: AccountEntry, before: AccountEntry, after: AccountEntry) -> AccountEntry:
    result = current
    if _secret(after) != _secret(before):
        if _secret(current) != _secret(before):
            raise KeysChangedError(f"{current.name}'s password was changed on another workstation a moment ago: "
                                   "nothing was changed here; try again")
        result = replace(result, password_hash=after.password_hash, keys=after.keys)
    if after.endorsement != before.endorsement:
        result = replace(result, endorsement=after.endorsement)
    if after.name != before.name:
        result = replace(result, name=after.name)
    return replace(result, attempts=_attempts(current.attempts, before.attempts, after.attempts))


def merged(current: ClinicKeys | None, base: ClinicKeys | None, changed: ClinicKeys) -> ClinicKeys:
    """``current`` with the change from ``base`` to ``changed`` applied (see the module's text);
    ``changed`` itself when the store holds nothing yet. :class:`KeysChangedError` when both changed the
    same account's password, or both added an account of the same name."""
    if current is None:
        return changed
    if base is None:
        base = ClinicKeys(encrypted=current.encrypted, recovery=current.recovery, accounts=())
    result = current
    if (changed.encrypted, changed.recovery) != (base.encrypted, base.recovery):
        result = replace(result, encrypted=changed.encrypted, recovery=changed.recovery)
    for after in changed.accounts:
        before, now = base.account(after.name), result.account(after.name)
        if before is None and now is not None:
            if now != after:
                raise KeysChangedError(f"an account named {after.name!r} was added on another workstation a moment "
                                       "ago: nothing was changed here")
            continue
        if now is None:  # new here (or, never, removed elsewhere: accounts are deactivated, not removed)
            result = result.with_account(after)
        elif before is not None and before != after:
            result = result.with_account(_account(now, before, after))
    return result


def missing_accounts(current: ClinicKeys, other: ClinicKeys) -> ClinicKeys:
    """``current`` with the accounts only ``other`` holds, when both are the same clinic's keys (the
    same recovery wrap): a copy of ``ptassist.keys`` that a workstation kept from before the keys
    moved to the server may know an account the server's copy was first written without."""
    if other.recovery != current.recovery:
        return current
    result = current
    for entry in other.accounts:
        if not any(same_name(entry.name, held.name) for held in result.accounts):
            result = result.with_account(entry)
    return result
