"""Per-clinician Ed25519 signatures, public-key fingerprints and the verification code on sheets.

What is signed is ``b"ptassist signature v1\\0" + message``: the domain prefix keeps a ptassist
signature from meaning anything to another program. The store passes the message (the record's
content hash and its chain link, see docs/security.md); this module does not interpret it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ptassist.security.encoding import CROCKFORD, crockford, grouped, typed_symbols
from ptassist.security.errors import SignatureError

SIGNATURE_DOMAIN = b"ptassist signature v1\x00"
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
CODE_LENGTH = 10


@dataclass(frozen=True, repr=False)
class SigningKey:
    """A clinician's private signing key (its ``repr`` hides it)."""

    _key: Ed25519PrivateKey

    def __repr__(self) -> str:
        return f"SigningKey(public={fingerprint(self.public_key())})"

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_raw(cls, raw: bytes) -> SigningKey:
        if len(raw) != 32:
            raise ValueError("an Ed25519 private key is 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def raw(self) -> bytes:
        """The 32 private bytes, for wrapping only (never store them unwrapped)."""
        return self._key.private_bytes_raw()  # (the serialization module would cost a login ~5 ms)

    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes_raw()

    def sign(self, message: bytes) -> bytes:
        """A 64-byte signature over ``message``."""
        return self._key.sign(SIGNATURE_DOMAIN + message)


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Raise :class:`SignatureError` unless ``signature`` is ``public_key``'s over ``message``."""
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        raise SignatureError("the signature or public key has the wrong length")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, SIGNATURE_DOMAIN + message)
    except (InvalidSignature, ValueError):
        raise SignatureError("the signature does not match the record and the signer's key") from None


def is_valid_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        verify_signature(public_key, message, signature)
    except SignatureError:
        return False
    return True


def fingerprint(public_key: bytes) -> str:
    """A public key's fingerprint: 160 bits of SHA-256, in 8 groups of 4 base32 characters."""
    digest = hashlib.sha256(b"ptassist ed25519 public key\x00" + public_key).digest()
    return grouped(crockford(digest[:20]), 4)


def verification_code(signature: bytes, content_hash: bytes) -> str:
    """The short code printed on a signed sheet: ``XXXXX-XXXXX`` (50 bits of SHA-256).

    It ties the paper to one signature over one content hash: ``verify`` (or a colleague with the
    records) recomputes it. It is a look-up aid and a check on the paper, not a signature itself.
    """
    digest = hashlib.sha256(b"ptassist verification code v1\x00" + signature + content_hash).digest()
    return grouped(crockford(digest)[:CODE_LENGTH], 5)


def check_verification_code(typed: str, signature: bytes, content_hash: bytes) -> bool:
    """True when ``typed`` (case, spaces and dashes ignored; O/I/L read as 0/1/1) is the record's code."""
    values = typed_symbols(typed)
    if values is None or len(values) != CODE_LENGTH:
        return False
    expected = verification_code(signature, content_hash).replace("-", "")
    return hmac.compare_digest("".join(CROCKFORD[v] for v in values), expected)
