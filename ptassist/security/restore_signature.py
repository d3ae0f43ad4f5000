"""What a restore statement's signature covers: the restoring administrator's word that the records
were replaced by a backup on purpose, with the chain heads just before and just after the swap.

The signed text is one line of fields separated by NUL, after a domain prefix of its own (so the
signature means nothing as a record's, an endorsement's or another program's)::

    ptassist restore statement v1 \\0 database id \\0 made at \\0 actor \\0 key record id \\0 public key
        \\0 before seq \\0 before hash \\0 before audit seq \\0 before audit hash
        \\0 after seq \\0 after hash \\0 after audit seq \\0 after audit hash \\0 backup file name

Signing and checking both build it here (:func:`statement_message`), so they cannot disagree.
How the statements are stored and when one explains records that fall short of what a workstation
saw: :mod:`ptassist.store.restore_statements`.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

from ptassist.security.signing import SigningKey, is_valid_signature

DOMAIN = b"ptassist restore statement v1\x00"


@dataclass(frozen=True)
class RestoreContent:
    """Every field a restore statement's signature covers (public key in base64)."""

    database_id: str
    made_at: str
    actor: str
    key_id: int
    public_key: str
    before_seq: int
    before_hash: str
    before_audit_seq: int
    before_audit_hash: str
    after_seq: int
    after_hash: str
    after_audit_seq: int
    after_audit_hash: str
    backup_name: str


def statement_message(content: RestoreContent) -> bytes:
    """The bytes a restore statement's signature covers (a field holding NUL is refused: the fields
    would no longer be told apart)."""
    fields = [str(value) for value in astuple(content)]
    if any("\x00" in field for field in fields):
        raise ValueError("a restore statement's field may not hold a NUL character")
    return DOMAIN + "\x00".join(fields).encode("utf-8")


def sign_statement(key: SigningKey, content: RestoreContent) -> bytes:
    return key.sign(statement_message(content))


def statement_holds(public_key: bytes, content: RestoreContent, signature: bytes) -> bool:
    """Is ``signature`` by ``public_key`` over exactly ``content``?"""
    try:
        message = statement_message(content)
    except ValueError:
        return False
    return is_valid_signature(public_key, message, signature)
