"""Text forms for keys and codes people read aloud or type: Crockford base32, and base64 for storage.

Crockford's alphabet (0-9, A-Z without I, L, O, U) has no letters that look like digits; when
reading, case is ignored, spaces and dashes are skipped, and O is read as 0, I and L as 1.
"""

from __future__ import annotations

import base64
import binascii

from ptassist.security.errors import StoredSecretError

DATABASE_KEY_BYTES = 32
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: index for index, symbol in enumerate(CROCKFORD)}
_VALUE.update({"O": 0, "I": 1, "L": 1})


def to_symbols(data: bytes) -> list[int]:
    """``data`` as 5-bit values, most significant first (the last one zero-padded)."""
    bits = int.from_bytes(data, "big")
    count = (len(data) * 8 + 4) // 5
    bits <<= count * 5 - len(data) * 8
    return [(bits >> (5 * (count - 1 - i))) & 31 for i in range(count)]


def from_symbols(values: list[int], length: int) -> bytes:
    """Inverse of :func:`to_symbols` for ``length`` bytes."""
    bits = 0
    for value in values:
        bits = (bits << 5) | value
    bits >>= len(values) * 5 - length * 8
    return bits.to_bytes(length, "big")


def crockford(data: bytes) -> str:
    return "".join(CROCKFORD[v] for v in to_symbols(data))


def typed_symbols(text: str) -> list[int] | None:
    """The 5-bit values of ``text`` as a person typed it, or None if a character is not base32."""
    values: list[int] = []
    for char in text.upper():
        if char in " -\t\n\r":
            continue
        value = _VALUE.get(char)
        if value is None:
            return None
        values.append(value)
    return values


def grouped(text: str, size: int, separator: str = "-") -> str:
    return separator.join(text[i:i + size] for i in range(0, len(text), size))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    """Decode :func:`b64` output; malformed text raises :class:`StoredSecretError`."""
    try:
        standard = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
        return base64.b64decode(standard, validate=True)  # strict: a stray character is damage
    except (binascii.Error, ValueError):
        raise StoredSecretError("a stored key record is damaged (bad encoding)") from None


def sqlcipher_key_pragma_value(database_key: bytes) -> str:
    """The SQLCipher raw-key literal for ``PRAGMA key`` (``x'<64 hex>'``): no passphrase KDF runs.

    A string, so the store can hand it to the driver; it is the key itself: never log it. Kept
    here, beside the other text forms, so the store's start-up readers need no crypto library.
    """
    if len(database_key) != DATABASE_KEY_BYTES:
        raise ValueError("the database key is 32 bytes")
    return f"x'{database_key.hex()}'"
