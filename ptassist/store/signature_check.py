"""Check every signature in the chain against the signing-key records that precede it.

Rules (docs/security.md, "Signatures"):

* a key record carries a tag made with the clinic's database key (checked when ``key_check`` is
  given: ``verify`` run by a logged-in user), so one cannot be added by SQL without a login;
* once the first key record is in the chain, every visit and addendum after it is signed content
  version 2 with an Ed25519 signature; records before it (made before signatures) are version 1;
* a signature names a key record earlier in the chain, verifies with that key over the record's
  kind, content hash and link, and the key's account is the name the record shows as signer;
* with ``trust`` (:mod:`ptassist.store.key_trust`): every key record is vouched for back to the
  clinic's root, and a record signed since the root exists was signed with a key endorsed as a
  clinician's (a record signed with a key nobody vouches for is named as well as the key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ptassist.core.signed_content import CONTENT_V1, signed_message
from ptassist.security.encoding import unb64
from ptassist.security.errors import StoredSecretError
from ptassist.security.signing import is_valid_signature
from ptassist.store.key_trust import KeyTrust
from ptassist.store.models import AddendumRow, SigningKeyRow, VisitRow

KeyCheck = Callable[[SigningKeyRow], bool]
Found = tuple[str, int | None, str]


def _decode(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        return unb64(text)
    except StoredSecretError:
        return None


def _record_problem(kind: str, seq: int, version: int, signer_key_id: int | None, signature: str | None,
                    content_hash: str, prev_hash: str, signer_name: str | None,
                    keys: dict[int, SigningKeyRow], first_key_seq: int | None,
                    trust: KeyTrust | None = None) -> str | None:
    if version == CONTENT_V1 and signature is None and signer_key_id is None:
        if first_key_seq is not None and seq > first_key_seq:
            return ("not signed, though every record after the first signing key must be: "
                    "it was added or changed outside ptassist")
        return None
    key = keys.get(signer_key_id) if signer_key_id is not None else None
    if key is None:
        return "its signature names no signing-key record: it was forged or changed outside ptassist"
    if key.chain_seq >= seq:
        return "its signing key was recorded after it: it was forged or changed outside ptassist"
    raw_signature, public_key = _decode(signature), _decode(key.public_key)
    if raw_signature is None or public_key is None or not is_valid_signature(
            public_key, signed_message(kind, content_hash, prev_hash), raw_signature):
        return "the signature does not match the record and its signer's key: it was forged or changed"
    if signer_name != key.account_name:
        return f"it names another signer than the key that signed it (key record {key.id})"
    if trust is not None and trust.has_root and not trust.may_sign(key.id):
        return (f"it was signed with key record {key.id}, which no administrator vouches for as a clinician's key: "
                "it was forged outside ptassist")
    return None


@dataclass(frozen=True, slots=True)
class SignedRecord:
    """What the signature rules read of one signed visit or addendum (no ORM object needed)."""

    kind: str
    id: int | None
    seq: int
    content_version: int
    signer_key_id: int | None
    signature: str | None
    content_hash: str
    prev_hash: str
    signer: str | None


def signed_records(visits: Iterable[VisitRow], addenda: Iterable[AddendumRow]) -> list[SignedRecord]:
    """The signed visits (linked into the chain) and addenda among ORM rows, visits first."""
    found = [SignedRecord("visit", v.id, v.chain_seq, v.content_version, v.signer_key_id, v.signature,
                          v.content_hash or "", v.prev_hash or "", v.signed_by)
             for v in visits if v.chain_seq is not None and v.status == "signed"]
    found += [SignedRecord("addendum", a.id, a.chain_seq, a.content_version, a.signer_key_id, a.signature,
                           a.content_hash, a.prev_hash, a.clinician_name) for a in addenda]
    return found


def signature_problems(records: Iterable[SignedRecord], keys: Sequence[SigningKeyRow],
                       key_check: KeyCheck | None = None, trust: KeyTrust | None = None) -> Iterator[Found]:
    """(record type, id, message) for every key record or signature that does not hold; each
    signature is checked once."""
    by_id = {k.id: k for k in keys if k.id is not None}
    if key_check is not None:
        for key in keys:
            if not key_check(key):
                yield ("key", key.id, "the signing-key record was not made by ptassist (its tag does not match "
                                      "these records' key): it was added or changed outside ptassist")
    if trust is not None:
        yield from trust.problems
    first_key_seq = min((k.chain_seq for k in keys), default=None)
    for record in records:
        problem = _record_problem(record.kind, record.seq, record.content_version, record.signer_key_id,
                                  record.signature, record.content_hash, record.prev_hash, record.signer,
                                  by_id, first_key_seq, trust)
        if problem:
            yield (record.kind, record.id, problem)
