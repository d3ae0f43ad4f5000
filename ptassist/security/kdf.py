"""Keys derived from passwords (Argon2id, raw output) and from high-entropy secrets (HKDF-SHA256)."""

from __future__ import annotations

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


@dataclass(frozen=True)
class PasswordKdf:
    """The salt and costs that turn one account's password into its key-encryption key.

    Its own random salt, separate from the password hash's, so the stored hash says nothing
    about the key.
    """

    salt: bytes
    params: Argon2Parameters

    @classmethod
    def new(cls, params: Argon2Parameters = PRODUCTION) -> PasswordKdf:
        return cls(salt=secrets.token_bytes(params.salt_len), params=params)

    def derive(self, password: str) -> bytes:
        return argon2id_key(normalise(password).encode("utf-8"), self.salt, self.params)

    def to_text(self) -> str:
        p = self.params
        return f"argon2id$v={ARGON2_VERSION}$m={p.memory_kib},t={p.time_cost},p={p.parallelism}${b64(self.salt)}"

    @classmethod
    def from_text(cls, text: str) -> PasswordKdf:
        parts = text.split("$")
        if len(parts) != 4 or parts[0] != "argon2id" or parts[1] != f"v={ARGON2_VERSION}":
            raise StoredSecretError("a stored key-derivation record is damaged or of an unknown kind")
        try:
            costs = dict(item.split("=", 1) for item in parts[2].split(","))
            memory, time_cost, lanes = int(costs["m"]), int(costs["t"]), int(costs["p"])
        except (KeyError, ValueError):
            raise StoredSecretError("a stored key-derivation record is damaged") from None
        salt = unb64(parts[3])
        if len(salt) < 16:
            raise StoredSecretError("a stored key-derivation record is damaged (salt too short)")
        return cls(salt=salt, params=stored_parameters(time_cost, memory, lanes, salt_len=len(salt)))
