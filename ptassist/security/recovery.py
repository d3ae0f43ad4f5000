"""The clinic's recovery key: 160 random bits shown once as 8 groups of 5 characters.

Each group is 4 data characters (Crockford base32) and one check character, a weighted sum over
GF(32) that also depends on the group's position. Any single mistyped character and any swap of
two neighbouring characters in a group is caught, and so is a group typed in the wrong place;
the message names the group. A key that passes every check but is not this clinic's fails later,
when it does not open the database key (:class:`UnwrapError`).

Reading is tolerant: case, spaces and dashes do not matter, and O/I/L read as 0/1/1.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from ptassist.security.encoding import CROCKFORD, from_symbols, grouped, to_symbols, typed_symbols
from ptassist.security.errors import RecoveryKeyError
from ptassist.security.kdf import hkdf_key

SECRET_BYTES = 20
GROUPS = 8
DATA_PER_GROUP = 4
GROUP_SIZE = DATA_PER_GROUP + 1
_POLY = 0b100101  # x^5 + x^2 + 1, primitive over GF(2): alpha = 2 generates all 31 non-zero elements


def _gf_mul(a: int, b: int) -> int:
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _POLY
    return product


def _alpha_power(n: int) -> int:
    value = 1
    for _ in range(n % 31):
        value = _gf_mul(value, 2)
    return value


def check_symbol(group_index: int, data: list[int]) -> int:
    """The check value of one group: sum of d_i * alpha^(i+1), plus alpha^(5 + group index)."""
    check = _alpha_power(DATA_PER_GROUP + 1 + group_index)
    for position, value in enumerate(data):
        check ^= _gf_mul(value, _alpha_power(position + 1))
    return check


@dataclass(frozen=True, repr=False)
class RecoveryKey:
    """A recovery key (its ``repr`` hides the secret)."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != SECRET_BYTES:
            raise ValueError(f"a recovery key holds {SECRET_BYTES} bytes")

    def __repr__(self) -> str:
        return "RecoveryKey(…)"

    @classmethod
    def generate(cls) -> RecoveryKey:
        return cls(secrets.token_bytes(SECRET_BYTES))

    def display(self) -> str:
        """The key as printed for the clinic: ``XXXXX-XXXXX-…`` (8 groups)."""
        values = to_symbols(self.secret)
        text = ""
        for index in range(GROUPS):
            data = values[index * DATA_PER_GROUP:(index + 1) * DATA_PER_GROUP]
            text += "".join(CROCKFORD[v] for v in data) + CROCKFORD[check_symbol(index, data)]
        return grouped(text, GROUP_SIZE)

    @classmethod
    def parse(cls, typed: str) -> RecoveryKey:
        """The key a person typed; :class:`RecoveryKeyError` with a clear message on any typo."""
        values = typed_symbols(typed)
        if values is None:
            bad = next(c for c in typed.upper() if c not in " -\t\n\r" and typed_symbols(c) is None)
            raise RecoveryKeyError(f"A recovery key has only digits and letters; {bad!r} is not one of them "
                                   "(U is not used either).")
        expected = GROUPS * GROUP_SIZE
        if len(values) != expected:
            raise RecoveryKeyError(f"A recovery key has {expected} characters in {GROUPS} groups of {GROUP_SIZE}; "
                                   f"this has {len(values)}.")
        data: list[int] = []
        bad_groups: list[str] = []
        for index in range(GROUPS):
            group = values[index * GROUP_SIZE:(index + 1) * GROUP_SIZE]
            if not hmac.compare_digest(bytes([check_symbol(index, group[:-1])]), bytes([group[-1]])):
                bad_groups.append(str(index + 1))
            data.extend(group[:-1])
        if bad_groups:
            which = ("group " + bad_groups[0]) if len(bad_groups) == 1 else ("groups " + ", ".join(bad_groups))
            raise RecoveryKeyError(f"The recovery key has a typo in {which} (counting from the left): "
                                   "check it against the printed sheet.")
        return cls(from_symbols(data, SECRET_BYTES))  # 32 symbols are exactly 160 bits: no padding

    def key_encryption_key(self) -> bytes:
        """The 32-byte key that wraps the database key (HKDF: the secret is already random)."""
        return hkdf_key(self.secret, info=b"ptassist recovery key v1")
