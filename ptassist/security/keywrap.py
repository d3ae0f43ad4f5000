"""Wrapping one key under another: AES-256-GCM with the key's purpose as associated data.

A wrapped key is stored as one line of text::

    ptwrap1:<purpose>:<nonce, base64url>:<ciphertext and 16-byte tag, base64url>

The purpose ("database-key", "signing-key:<public key>", …) is authenticated, so a wrap cannot be
moved into another slot: a database-key wrap pasted where a signing key belongs does not open.
Opening with the wrong key, or opening a wrap whose bytes were changed, raises
:class:`UnwrapError` and reveals nothing else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ptassist.security.encoding import b64, unb64
from ptassist.security.errors import StoredSecretError, UnwrapError

PREFIX = "ptwrap1"
NONCE_BYTES = 12
_AAD_DOMAIN = b"ptassist key wrap v1\x00"


@dataclass(frozen=True)
class WrappedKey:
    """A key encrypted under a key-encryption key, with what it is for."""

    purpose: str
    nonce: bytes
    ciphertext: bytes

    def to_text(self) -> str:
        return f"{PREFIX}:{self.purpose}:{b64(self.nonce)}:{b64(self.ciphertext)}"

    @classmethod
    def from_text(cls, text: str) -> WrappedKey:
        parts = text.split(":")
        if len(parts) < 4 or parts[0] != PREFIX:
            raise StoredSecretError("a stored wrapped key is damaged or of an unknown kind")
        purpose = ":".join(parts[1:-2])
        nonce, ciphertext = unb64(parts[-2]), unb64(parts[-1])
        if len(nonce) != NONCE_BYTES or len(ciphertext) < 16:
            raise StoredSecretError("a stored wrapped key is damaged (wrong length)")
        return cls(purpose=purpose, nonce=nonce, ciphertext=ciphertext)


def _check_kek(kek: bytes) -> None:
    if len(kek) != 32:
        raise ValueError("a key-encryption key is 32 bytes")


def wrap_key(secret: bytes, kek: bytes, purpose: str) -> WrappedKey:
    """``secret`` encrypted under ``kek`` for ``purpose`` (a fresh random nonce every time)."""
    _check_kek(kek)
    if not purpose:
        raise ValueError("a wrap needs a purpose")
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(kek).encrypt(nonce, secret, _AAD_DOMAIN + purpose.encode("utf-8"))
    return WrappedKey(purpose=purpose, nonce=nonce, ciphertext=ciphertext)


def unwrap_key(wrapped: WrappedKey, kek: bytes, purpose: str, what: str = "key") -> bytes:
    """The secret inside ``wrapped``; :class:`UnwrapError` unless ``kek`` and ``purpose`` are right.

    ``what`` names the opener in the message ("password", "recovery key").
    """
    _check_kek(kek)
    if wrapped.purpose != purpose:
        raise UnwrapError(f"this stored key is for {wrapped.purpose.split(':', 1)[0]}, not {purpose.split(':', 1)[0]}")
    try:
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, _AAD_DOMAIN + purpose.encode("utf-8"))
    except InvalidTag:
        raise UnwrapError(f"the {what} does not open this key (wrong {what}, or the stored key was changed)") from None
