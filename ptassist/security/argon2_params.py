"""Argon2id cost parameters: the production choice, its bounds, and an explicit test-only object.

Production: RFC 9106 section 4, "second recommended option" (Argon2id, t=3 passes, m=64 MiB,
p=4 lanes, 16-byte salt, 32-byte tag), which is also argon2-cffi's default profile and well
above OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1). On this project's 2-core reference
machine one verification takes about 0.3 s (benchmarks/bench_security.py measures it each run),
fast enough for a login and a signature, slow enough to make guessing from a stolen file costly.

Tests use :data:`TEST_ONLY` explicitly (they pass it as an argument); there is no global switch
that could weaken production code. Parameters read back from a stored hash, key wrap or export
header are checked against :data:`READ_BOUNDS` so a damaged or hostile file cannot ask for
terabytes of memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptassist.security.errors import StoredSecretError

ARGON2_VERSION = 19  # 0x13, the only version RFC 9106 defines


@dataclass(frozen=True)
class Argon2Parameters:
    """Argon2id costs: passes (time_cost), memory in KiB, lanes, tag and salt lengths in bytes."""

    time_cost: int
    memory_kib: int
    parallelism: int
    hash_len: int = 32
    salt_len: int = 16

    def __post_init__(self) -> None:
        if self.time_cost < 1 or self.parallelism < 1 or self.memory_kib < 8 * self.parallelism:
            raise ValueError("Argon2 needs time_cost >= 1, parallelism >= 1 and memory_kib >= 8 * parallelism")
        if self.hash_len < 16 or self.salt_len < 16:
            raise ValueError("Argon2 tags and salts are at least 16 bytes here")


RFC9106_SECOND_RECOMMENDED = Argon2Parameters(time_cost=3, memory_kib=64 * 1024, parallelism=4)
"""What ptassist uses for passwords, password-derived keys and passphrase-encrypted exports."""

PRODUCTION = RFC9106_SECOND_RECOMMENDED

TEST_ONLY = Argon2Parameters(time_cost=1, memory_kib=64, parallelism=1)
"""Cheap costs for unit tests only: pass it explicitly; never use it for real records."""


@dataclass(frozen=True)
class ReadBounds:
    """Limits on parameters read from stored data (a denial-of-service guard, not a policy)."""

    max_time_cost: int = 64
    max_memory_kib: int = 4 * 1024 * 1024  # 4 GiB
    max_parallelism: int = 64

    def check(self, params: Argon2Parameters) -> Argon2Parameters:
        if (
            params.time_cost > self.max_time_cost
            or params.memory_kib > self.max_memory_kib
            or params.parallelism > self.max_parallelism
        ):
            raise StoredSecretError("the stored key-derivation costs are implausibly high (damaged or not ours)")
        return params


READ_BOUNDS = ReadBounds()


def stored_parameters(time_cost: int, memory_kib: int, parallelism: int, hash_len: int = 32,
                      salt_len: int = 16) -> Argon2Parameters:
    """Parameters read back from storage: invalid or implausible ones raise :class:`StoredSecretError`."""
    try:
        params = Argon2Parameters(time_cost, memory_kib, parallelism, hash_len, salt_len)
    except ValueError:
        raise StoredSecretError("the stored key-derivation costs are invalid (damaged or not ours)") from None
    return READ_BOUNDS.check(params)
