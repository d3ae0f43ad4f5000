"""Keys derived from passwords (Argon2id, raw output) and from high-entropy secrets (HKDF-SHA256)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ptassist.security.argon2_params import ARGON2_VERSION, PRODUCTION, Argon2Parameters, stored_parameters
from ptassist.security.encoding import b64, unb64
from ptassist.security.errors import StoredSecretError
from ptassist.security.passwords import normalise

KEY_BYTES = 32


def argon2id_key(secret: bytes, salt: bytes, params: Argon2Parameters) -> bytes:
    """A 32-byte key from ``secret`` and ``salt`` at the given costs."""
    return hash_secret_raw(secret=secret, salt=salt, time_cost=params.time_cost, memory_cost=params.memory_kib,
                           parallelism=params.parallelism, hash_len=KEY_BYTES, type=Type.ID,
                           version=ARGON2_VERSION)


def hkdf_key(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    """A 32-byte key from a secret that is already random (a recovery key, a derived key)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)


SPLIT_KIND = "argon2id-split"
LEGACY_KIND = "argon2id"
VERIFIER_PREFIX = "ptverify1$"
_VERIFIER_INFO = b"ptassist password verifier v1"
_KEK_INFO = b"ptassist account key-encryption key v1"


@dataclass(frozen=True, repr=False)
class PasswordKeys:
    """What one Argon2id run over a password gives: the stored verifier's text and the KEK."""

    verifier: str
    kek: bytes

    def matches(self, stored: str) -> bool:
        """Constant-time comparison with a stored verifier."""
        return hmac.compare_digest(self.verifier.encode("ascii"), stored.encode("ascii", "replace"))


@dataclass(frozen=True)
class PasswordKdf:
    """The salt and costs that turn one account's password into its key-encryption key.

    ``split`` (every account made or upgraded since): ONE Argon2id run gives a 32-byte secret that
    HKDF-SHA256 splits into the password verifier (stored, compared in constant time) and the KEK,
    so a login costs one derivation. Accounts made before (``split=False``, kind "argon2id") have a
    separate PHC password hash and use the raw Argon2id output as the KEK; they are upgraded at
    their next good login (the same salt gives the same secret, so nothing is derived twice).
    """

    salt: bytes
    params: Argon2Parameters
    split: bool = True

    @classmethod
    def new(cls, params: Argon2Parameters = PRODUCTION) -> PasswordKdf:
        return cls(salt=secrets.token_bytes(params.salt_len), params=params)

    def derive(self, password: str) -> bytes:
        """The raw Argon2id output (the KEK itself for a legacy account)."""
        return argon2id_key(normalise(password).encode("utf-8"), self.salt, self.params)

    def keys(self, password: str) -> PasswordKeys:
        """The verifier and KEK (one Argon2id run); a legacy KDF gives its raw KEK and no verifier."""
        return self.split_secret(self.derive(password))

    def split_secret(self, secret: bytes) -> PasswordKeys:
        if not self.split:
            return PasswordKeys(verifier="", kek=secret)
        verifier = VERIFIER_PREFIX + b64(hkdf_key(secret, _VERIFIER_INFO))
        return PasswordKeys(verifier=verifier, kek=hkdf_key(secret, _KEK_INFO))

    def to_text(self) -> str:
        p = self.params
        kind = SPLIT_KIND if self.split else LEGACY_KIND
        return f"{kind}$v={ARGON2_VERSION}$m={p.memory_kib},t={p.time_cost},p={p.parallelism}${b64(self.salt)}"

    @classmethod
    def from_text(cls, text: str) -> PasswordKdf:
        parts = text.split("$")
        if len(parts) != 4 or parts[0] not in (SPLIT_KIND, LEGACY_KIND) or parts[1] != f"v={ARGON2_VERSION}":
            raise StoredSecretError("a stored key-derivation record is damaged or of an unknown kind")
        try:
            costs = dict(item.split("=", 1) for item in parts[2].split(","))
            memory, time_cost, lanes = int(costs["m"]), int(costs["t"]), int(costs["p"])
        except (KeyError, ValueError):
            raise StoredSecretError("a stored key-derivation record is damaged") from None
        salt = unb64(parts[3])
        if len(salt) < 16:
            raise StoredSecretError("a stored key-derivation record is damaged (salt too short)")
        return cls(salt=salt, params=stored_parameters(time_cost, memory, lanes, salt_len=len(salt)),
                   split=parts[0] == SPLIT_KIND)
