"""Encrypted exports: a chunked AES-256-GCM container opened by a passphrase or the recovery key.

The format, byte by byte, is in docs/security.md ("Encrypted export container"). In short: an
84-byte header (magic, version, key kind, chunk size, Argon2id costs, plaintext length, salt,
nonce prefix, key check), then the plaintext in chunks of 2^e bytes, each sealed with
AES-256-GCM under a nonce made of the prefix and the chunk's index, with the whole header as
associated data. Every byte of the header is authenticated by every chunk; chunks cannot be
reordered, dropped or repeated; the length in the header makes truncation exact; the key check
tells a wrong passphrase from a changed file.

Large exports stream: memory use is one chunk (1 MiB), whatever the size.
"""

from __future__ import annotations

import hmac
import io
import secrets
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters, stored_parameters
from ptassist.security.errors import (
    NotAContainerError,
    StoredSecretError,
    TamperedError,
    TruncatedError,
    UnsupportedVersionError,
    WrongSecretError,
)
from ptassist.security.files import private_writer
from ptassist.security.kdf import argon2id_key, hkdf_key
from ptassist.security.passwords import normalise
from ptassist.security.recovery import RecoveryKey

MAGIC = b"\x89PTX\r\n\x1a\n"
VERSION = 1
KIND_PASSPHRASE = 1
KIND_RECOVERY_KEY = 2
DEFAULT_CHUNK_EXPONENT = 20  # 1 MiB
MIN_CHUNK_EXPONENT, MAX_CHUNK_EXPONENT = 10, 24
_LAYOUT = struct.Struct(">8sBBBBIIQ16s8s32s")
HEADER_BYTES = _LAYOUT.size  # 84
TAG_BYTES = 16
SUFFIX = ".ptx"


@dataclass(frozen=True, repr=False)
class Passphrase:
    """A passphrase chosen for one export (its ``repr`` hides it)."""

    text: str

    def __repr__(self) -> str:
        return "Passphrase(…)"


ExportSecret = Passphrase | RecoveryKey


@dataclass(frozen=True)
class Header:
    """The parsed header of a container (the plaintext length is known before decrypting)."""

    kind: int
    chunk_exponent: int
    params: Argon2Parameters | None
    length: int
    salt: bytes
    nonce_prefix: bytes
    key_check: bytes

    def pack(self) -> bytes:
        p = self.params
        return _LAYOUT.pack(MAGIC, VERSION, self.kind, self.chunk_exponent, p.parallelism if p else 0,
                            p.time_cost if p else 0, p.memory_kib if p else 0, self.length, self.salt,
                            self.nonce_prefix, self.key_check)

    @property
    def chunk_size(self) -> int:
        return 1 << self.chunk_exponent

    def chunk_count(self) -> int:
        return max(1, -(-self.length // self.chunk_size))


def _keys(secret: ExportSecret, kind: int, salt: bytes, params: Argon2Parameters | None) -> tuple[bytes, bytes]:
    """(encryption key, key check) for ``secret``."""
    if isinstance(secret, Passphrase):
        if kind != KIND_PASSPHRASE or params is None:
            raise WrongSecretError("This export was encrypted with the recovery key, not a passphrase.")
        master = argon2id_key(normalise(secret.text).encode("utf-8"), salt, params)
    else:
        if kind != KIND_RECOVERY_KEY:
            raise WrongSecretError("This export was encrypted with a passphrase, not the recovery key.")
        master = hkdf_key(secret.secret, info=b"ptassist export v1 recovery key", salt=salt)
    return (hkdf_key(master, info=b"ptassist export v1 encryption"),
            hkdf_key(master, info=b"ptassist export v1 key check"))


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def _read_exactly(src: BinaryIO, size: int) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining:
        part = src.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def encrypt_stream(src: BinaryIO, dst: BinaryIO, secret: ExportSecret, length: int, *,
                   params: Argon2Parameters = PRODUCTION, chunk_exponent: int = DEFAULT_CHUNK_EXPONENT,
                   progress: Callable[[int], None] | None = None) -> None:
    """Encrypt ``length`` bytes read from ``src`` into ``dst``; ``progress`` gets bytes done so far."""
    if not MIN_CHUNK_EXPONENT <= chunk_exponent <= MAX_CHUNK_EXPONENT:
        raise ValueError("chunk exponent out of range")
    if isinstance(secret, Passphrase) and not secret.text:
        raise ValueError("an empty passphrase protects nothing")
    kind = KIND_PASSPHRASE if isinstance(secret, Passphrase) else KIND_RECOVERY_KEY
    kdf_params = params if kind == KIND_PASSPHRASE else None
    salt, prefix = secrets.token_bytes(16), secrets.token_bytes(8)
    key, check = _keys(secret, kind, salt, kdf_params)
    header = Header(kind, chunk_exponent, kdf_params, length, salt, prefix, check)
    packed = header.pack()
    dst.write(packed)
    cipher = AESGCM(key)
    done = 0
    for index in range(header.chunk_count()):
        size = min(header.chunk_size, length - done)
        chunk = _read_exactly(src, size)
        if len(chunk) != size:
            raise ValueError(f"the source ended after {done + len(chunk)} of {length} bytes")
        dst.write(cipher.encrypt(_nonce(prefix, index), chunk, packed))
        done += size
        if progress:
            progress(done)
    if src.read(1):
        raise ValueError(f"the source is longer than the {length} bytes announced")


def read_header(src: BinaryIO) -> Header:
    """Parse and check the header; raises a :class:`ContainerError` subclass with a clear message."""
    raw = _read_exactly(src, HEADER_BYTES)
    if raw[:len(MAGIC)] != MAGIC[:len(raw)] or not raw:
        raise NotAContainerError("This file is not a ptassist encrypted export.")
    if len(raw) < len(MAGIC) + 1:
        raise TruncatedError("The encrypted export ends inside its header: the copy is incomplete.")
    if raw[len(MAGIC)] != VERSION:
        raise UnsupportedVersionError(f"This export is in format version {raw[len(MAGIC)]}; this ptassist reads "
                                      f"version {VERSION}. Open it with a newer ptassist.")
    if len(raw) < HEADER_BYTES:
        raise TruncatedError("The encrypted export ends inside its header: the copy is incomplete.")
    _, _, kind, exponent, lanes, passes, memory, length, salt, prefix, check = _LAYOUT.unpack(raw)
    if kind not in (KIND_PASSPHRASE, KIND_RECOVERY_KEY) or not MIN_CHUNK_EXPONENT <= exponent <= MAX_CHUNK_EXPONENT:
        raise TamperedError("The encrypted export's header is damaged or was changed.")
    params = None
    if kind == KIND_PASSPHRASE:
        try:
            params = stored_parameters(passes, memory, lanes)
        except StoredSecretError:
            raise TamperedError("The encrypted export's header is damaged or was changed "
                                "(implausible key-derivation costs).") from None
    return Header(kind, exponent, params, length, salt, prefix, check)


def decrypt_stream(src: BinaryIO, dst: BinaryIO, secret: ExportSecret) -> Header:
    """Decrypt ``src`` into ``dst``.

    On any error part of the plaintext may already be in ``dst``: discard it (``decrypt_file``
    does). Errors: :class:`NotAContainerError`, :class:`UnsupportedVersionError`,
    :class:`WrongSecretError`, :class:`TamperedError`, :class:`TruncatedError`.
    """
    header = read_header(src)
    key, check = _keys(secret, header.kind, header.salt, header.params)
    if not hmac.compare_digest(check, header.key_check):
        what = "passphrase" if isinstance(secret, Passphrase) else "recovery key"
        # The check depends on the passphrase, the salt and the costs: a changed header lands here too.
        raise WrongSecretError(f"The {what} does not open this export (or its header was changed).")
    packed, cipher, done = header.pack(), AESGCM(key), 0
    for index in range(header.chunk_count()):
        size = min(header.chunk_size, header.length - done)
        sealed = _read_exactly(src, size + TAG_BYTES)
        if len(sealed) < size + TAG_BYTES:
            raise TruncatedError(f"The encrypted export ends early: it should hold {header.length} bytes, and "
                                 f"only about {done + max(len(sealed) - TAG_BYTES, 0)} are there.")
        try:
            dst.write(cipher.decrypt(_nonce(header.nonce_prefix, index), sealed, packed))
        except InvalidTag:
            raise TamperedError(f"The encrypted export was changed after it was written (at chunk {index + 1} "
                                f"of {header.chunk_count()}).") from None
        done += size
    if src.read(1):
        raise TamperedError("The encrypted export has extra bytes after its end: it was changed.")
    return header


def encrypt_file(source: Path, target: Path, secret: ExportSecret, *, params: Argon2Parameters = PRODUCTION,
                 chunk_exponent: int = DEFAULT_CHUNK_EXPONENT) -> None:
    """Encrypt the file ``source`` into ``target`` (written atomically, mode 0600)."""
    with open(source, "rb") as src, private_writer(target) as dst:
        length = src.seek(0, io.SEEK_END)
        src.seek(0)
        encrypt_stream(src, dst, secret, length, params=params, chunk_exponent=chunk_exponent)


def decrypt_file(source: Path, target: Path, secret: ExportSecret) -> Header:
    """Decrypt ``source`` into ``target``; ``target`` appears only if every byte checked out."""
    with open(source, "rb") as src, private_writer(target) as dst:
        return decrypt_stream(src, dst, secret)


def encrypt_bytes(data: bytes, secret: ExportSecret, *, params: Argon2Parameters = PRODUCTION,
                  chunk_exponent: int = DEFAULT_CHUNK_EXPONENT) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, secret, len(data), params=params, chunk_exponent=chunk_exponent)
    return out.getvalue()


def decrypt_bytes(blob: bytes, secret: ExportSecret) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), out, secret)
    return out.getvalue()
