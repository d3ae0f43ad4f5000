"""Which signing-key records the clinic vouches for: endorsements followed back to the root key.

:func:`key_trust` works on rows in memory (``verify`` and the services use it); :func:`add_endorsement`
writes one inside the caller's transaction. The rules (docs/security.md, "Who vouches for a
signing key"):

* the clinic's root is the key of the first (lowest id) root endorsement, a self-signature whose
  roles include administrator; it also names the recovery endorsement key;
* a key is trusted when an endorsement of it holds and its endorser is the root, a trusted key
  endorsed as administrator, or the recovery endorsement key the root named;
* every key record must be trusted; records without any root are reported as made before
  endorsements (an administrator's next login endorses them, once).

Whether the root is the one this workstation anchored is :mod:`ptassist.store.anchor`'s check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from ptassist.security.encoding import b64, unb64
from ptassist.security.endorsement import (
    ENDORSING_ROLE,
    RECOVERY,
    ROOT,
    Endorsement,
    endorser_key_id,
    holds,
)
from ptassist.security.errors import StoredSecretError
from ptassist.store import audit
from ptassist.store.clock import now_iso
from ptassist.store.models import KeyEndorsementRow, SigningKeyRow

Found = tuple[str, int | None, str]
NOT_YET_ENDORSED = ("not endorsed yet: it was made before key endorsements, and the next administrator to open "
                    "the records endorses it (until then nothing shows that ptassist made it)")


def _raw(text: str) -> bytes | None:
    try:
        return unb64(text) if text else None
    except StoredSecretError:
        return None


@dataclass
class KeyTrust:
    """The outcome: the root, the trusted keys with their endorsed roles, and what does not hold."""

    root_id: int | None = None
    root_public_key: str = ""
    recovery_public_key: str = ""
    trusted: dict[int, frozenset[str]] = field(default_factory=dict)
    problems: list[Found] = field(default_factory=list)

    @property
    def has_root(self) -> bool:
        return self.root_id is not None

    def may_sign(self, key_id: int | None) -> bool:
        return key_id is not None and "clinician" in self.trusted.get(key_id, frozenset())

    def may_endorse(self, key_id: int | None) -> bool:
        return key_id is not None and ENDORSING_ROLE in self.trusted.get(key_id, frozenset())


def _holds(endorsement: KeyEndorsementRow, key: SigningKeyRow, endorser_public: str) -> bool:
    raw_endorser, signature = _raw(endorser_public), _raw(endorsement.signature)
    if raw_endorser is None or signature is None:
        return False
    return holds(raw_endorser, key.account_name, key.public_key, endorsement.roles, signature,
                 endorsement.recovery_public_key)


def _roles(text: str) -> frozenset[str]:
    return frozenset(role for role in text.split(",") if role)


def _find_root(keys: dict[int, SigningKeyRow], endorsements: Sequence[KeyEndorsementRow], trust: KeyTrust) -> None:
    for row in sorted((e for e in endorsements if e.endorser == ROOT), key=lambda e: e.id or 0):
        key = keys.get(row.key_id)
        if key is None or not _holds(row, key, key.public_key) or ENDORSING_ROLE not in _roles(row.roles):
            trust.problems.append(("key", row.key_id, f"its root endorsement {row.id} does not hold: it was forged or "
                                                      "changed outside ptassist"))
        elif trust.root_id is None:
            trust.root_id, trust.root_public_key = row.key_id, key.public_key
            trust.recovery_public_key = row.recovery_public_key
            trust.trusted[row.key_id] = _roles(row.roles)
        elif row.key_id != trust.root_id:
            trust.problems.append(("key", row.key_id, f"a second root endorsement ({row.id}): the clinic has one root "
                                                      f"key (key record {trust.root_id}); this one was added outside "
                                                      "ptassist"))


def key_trust(keys: Sequence[SigningKeyRow], endorsements: Sequence[KeyEndorsementRow]) -> KeyTrust:
    """Follow every endorsement back to the root; report every key and endorsement that does not hold."""
    by_id = {k.id: k for k in keys if k.id is not None}
    trust = KeyTrust()
    _find_root(by_id, endorsements, trust)
    if not trust.has_root:
        trust.problems.extend(("key", key_id, NOT_YET_ENDORSED) for key_id in sorted(by_id))
        return trust
    pending = [e for e in endorsements if e.endorser != ROOT]
    progress = True
    while progress:  # endorsers may come later in the chain than what they endorse (an upgrade): to a fixpoint
        progress = False
        for row in list(pending):
            key, endorser_public = by_id.get(row.key_id), _endorser_public(row, by_id, trust)
            if key is None or endorser_public is None or not _holds(row, key, endorser_public):
                continue
            trust.trusted[row.key_id] = trust.trusted.get(row.key_id, frozenset()) | _roles(row.roles)
            pending.remove(row)
            progress = True
    for row in pending:
        trust.problems.append(("key", row.key_id, f"its endorsement {row.id} does not hold (the signature is wrong or "
                                                  "its endorser is not vouched for): it was forged or changed outside "
                                                  "ptassist"))
    for key_id in sorted(set(by_id) - set(trust.trusted)):
        trust.problems.append(("key", key_id, "no administrator whose key leads back to the clinic's root key vouches "
                                              "for this signing key: it was added outside ptassist"))
    return trust


def _endorser_public(row: KeyEndorsementRow, keys: dict[int, SigningKeyRow], trust: KeyTrust) -> str | None:
    if row.endorser == RECOVERY:
        return trust.recovery_public_key or None
    endorser_id = endorser_key_id(row.endorser)
    if endorser_id is None or not trust.may_endorse(endorser_id):
        return None
    return keys[endorser_id].public_key


def load_trust(session: Session) -> KeyTrust:
    keys = session.exec(select(SigningKeyRow).order_by(col(SigningKeyRow.chain_seq))).all()
    endorsements = session.exec(select(KeyEndorsementRow).order_by(col(KeyEndorsementRow.id))).all()
    return key_trust(keys, endorsements)


def add_endorsement(session: Session, key_id: int, endorsement: Endorsement, actor: str, *,
                    audited: bool = True) -> int:
    """Store ``endorsement`` of key record ``key_id`` inside the caller's transaction; audited as a
    change of the key's account unless the caller's own audit event covers it (``audited=False``:
    a key record and its endorsement written together)."""
    row = KeyEndorsementRow(key_id=key_id, endorser=endorsement.endorser, roles=endorsement.roles,
                            recovery_public_key=endorsement.recovery_public_key,
                            signature=b64(endorsement.signature), created_at=now_iso())
    session.add(row)
    session.flush()
    if audited:
        key = session.get(SigningKeyRow, key_id)
        audit.record(session, actor, "account", "account", key.account_id if key else None)
    return row.id or 0


def unendorsed_keys(session: Session) -> list[SigningKeyRow]:
    """Key records that no endorsement names at all (what an upgrade to endorsements endorses once)."""
    endorsed = select(KeyEndorsementRow.key_id)
    return list(session.exec(select(SigningKeyRow).where(col(SigningKeyRow.id).not_in(endorsed))
                             .order_by(col(SigningKeyRow.chain_seq))).all())
