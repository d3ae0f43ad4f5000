"""Accounts (roles, the details printed on what they sign) and signing-key records in the chain.

No secret is kept here: password hashes and wrapped keys live in ``ptassist.keys``. A signing-key
record holds a clinician's public key; it is linked into the hash chain like a signed visit and
carries a tag made with the clinic's database key, so nobody without a login can add one by SQL.
The tag does not stop an account holder (every account holds the database key): what vouches for
a key record is its endorsement (:mod:`ptassist.store.key_trust`), stored with it here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ptassist.core.ledger import chain_hash
from ptassist.core.signed_content import content_v2
from ptassist.core.validation import MAX_NAME, ValidationError, clean_text
from ptassist.security.endorsement import Endorsement
from ptassist.security.kdf import hkdf_key
from ptassist.store import audit
from ptassist.store.account_lookup import name_key
from ptassist.store.clock import now_iso
from ptassist.store.database import Database
from ptassist.store.key_trust import KeyTrust, add_endorsement, load_trust
from ptassist.store.models import AccountRow, ChainHeadRow, SigningKeyRow

KEY_RECORD_KIND = "key"
_TAG_INFO = b"ptassist signing-key record tag v1"


@dataclass(frozen=True)
class AccountRecord:
    """An account as stored (roles as a frozenset)."""

    id: int
    name: str
    roles: frozenset[str]
    credentials: str
    registration: str
    contact: str
    active: bool
    fingerprint: str


def _record(row: AccountRow) -> AccountRecord:
    return AccountRecord(id=row.id or 0, name=row.name, roles=frozenset(r for r in row.roles.split(",") if r),
                         credentials=row.credentials, registration=row.registration, contact=row.contact,
                         active=bool(row.active), fingerprint=row.fingerprint)


def key_content(row: SigningKeyRow) -> dict[str, Any]:
    """The signed content of a key record (version 2 from the start)."""
    return content_v2({
        "id": row.id,
        "account_id": row.account_id,
        "account_name": row.account_name,
        "public_key": row.public_key,
        "fingerprint": row.fingerprint,
        "created_at": row.created_at,
    }, {})


def key_record_tag(database_key: bytes, content_hash: str) -> str:
    """HMAC-SHA256 of a key record's hash under a key derived from the clinic's database key."""
    return hmac.new(hkdf_key(database_key, _TAG_INFO), content_hash.encode("ascii"), hashlib.sha256).hexdigest()


class AccountRepository:
    """Reads and writes accounts and their key records."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, *, name: str, roles: frozenset[str], credentials: str = "", registration: str = "",
            contact: str = "", actor: str) -> AccountRecord:
        clean = clean_text(name, "name", required=True, limit=MAX_NAME)
        with self.database.transaction() as session:
            if session.exec(select(AccountRow).where(AccountRow.name_key == name_key(clean))).first() is not None:
                raise ValidationError("name", f"there is already an account named {clean!r}")
            row = AccountRow(name=clean, name_key=name_key(clean), roles=",".join(sorted(roles)),
                             credentials=clean_text(credentials, "credentials"),
                             registration=clean_text(registration, "registration"),
                             contact=clean_text(contact, "contact"), created_at=now_iso())
            session.add(row)
            session.flush()
            audit.record(session, actor, "account", "account", row.id)
            return _record(row)

    def update(self, name: str, *, actor: str, **details: str) -> AccountRecord:
        """Change an account's credentials, registration or contact (what the next sheet it signs prints)."""
        unknown = set(details) - {"credentials", "registration", "contact"}
        if unknown:
            raise ValidationError("account", f"cannot change {', '.join(sorted(unknown))} here")
        with self.database.transaction() as session:
            row = session.exec(select(AccountRow).where(AccountRow.name_key == name_key(name))).first()
            if row is None:
                raise ValidationError("name", f"there is no account named {name.strip()!r}")
            for attr, value in details.items():
                setattr(row, attr, clean_text(value, attr))
            session.add(row)
            audit.record(session, actor, "account", "account", row.id)
            session.flush()
            return _record(row)

    def get(self, name: str) -> AccountRecord | None:
        with self.database.session() as session:
            row = session.exec(select(AccountRow).where(AccountRow.name_key == name_key(name))).first()
            return _record(row) if row else None

    def all(self) -> list[AccountRecord]:
        with self.database.session() as session:
            return [_record(r) for r in session.exec(select(AccountRow).order_by(col(AccountRow.id)))]

    def key_record(self, public_key: str) -> int | None:
        """The id of the key record holding ``public_key`` (base64), if there is one."""
        with self.database.session() as session:
            row = session.exec(select(SigningKeyRow).where(SigningKeyRow.public_key == public_key)).first()
            return row.id if row else None

    def add_key_record(self, account_id: int, public_key: str, fingerprint: str, database_key: bytes,
                       actor: str, endorsement: Endorsement | None = None) -> int:
        """Link a clinician's public key into the chain, with who vouches for it; returns the key record's id."""
        with self.database.transaction() as session:
            key_id = add_key_record(session, account_id, public_key, fingerprint, database_key, actor)
            if endorsement is not None:
                add_endorsement(session, key_id, endorsement, actor, audited=False)
            return key_id

    def endorse(self, key_id: int, endorsement: Endorsement, actor: str) -> None:
        with self.database.transaction() as session:
            add_endorsement(session, key_id, endorsement, actor)

    def trust(self) -> KeyTrust:
        """Which key records the clinic vouches for (:func:`ptassist.store.key_trust.key_trust`)."""
        with self.database.session() as session:
            return load_trust(session)

    def key_records(self) -> list[SigningKeyRow]:
        with self.database.session() as session:
            return list(session.exec(select(SigningKeyRow).order_by(col(SigningKeyRow.chain_seq))).all())


def add_key_record(session: Session, account_id: int, public_key: str, fingerprint: str, database_key: bytes,
                   actor: str) -> int:
    """The key record, inside the caller's transaction (the chain head moves with it)."""
    account = session.get(AccountRow, account_id)
    if account is None:
        raise ValidationError("account", f"no account with id {account_id}")
    head = session.get(ChainHeadRow, 1)
    assert head is not None, "chain head missing"
    next_id = (session.exec(select(SigningKeyRow.id).order_by(col(SigningKeyRow.id).desc())).first() or 0) + 1
    row = SigningKeyRow(id=next_id, account_id=account_id, account_name=account.name, public_key=public_key,
                        fingerprint=fingerprint, created_at=now_iso(), tag="", chain_seq=head.seq + 1,
                        content_hash="", prev_hash=head.hash)
    row.content_hash = chain_hash(row.prev_hash, KEY_RECORD_KIND, key_content(row))
    row.tag = key_record_tag(database_key, row.content_hash)
    head.seq, head.hash = row.chain_seq, row.content_hash
    account.fingerprint = fingerprint
    session.add(row)
    session.add(head)
    session.add(account)
    audit.record(session, actor, "account", "account", account_id)
    session.flush()
    return next_id


def tag_checker(database_key: bytes) -> Callable[[SigningKeyRow], bool]:
    """For ``verify``: does a key record's tag match these records' database key?"""
    def check(row: SigningKeyRow) -> bool:
        return hmac.compare_digest(row.tag, key_record_tag(database_key, row.content_hash))

    return check
