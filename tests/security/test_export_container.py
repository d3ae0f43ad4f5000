from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptassist.security import export_container as ec
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.security.errors import (
    NotAContainerError,
    TamperedError,
    TruncatedError,
    UnsupportedVersionError,
    WrongSecretError,
)
from ptassist.security.files import POSIX
from ptassist.security.recovery import RecoveryKey

PASSPHRASE = ec.Passphrase("a passphrase for the export")
SYNTHETIC = ("Patient: Zyxwq Testpatient, 12 Synthetic Lane. Note: pain lateral knee on running. " * 400).encode()


def _encrypt(data: bytes, secret: ec.ExportSecret, fast, exponent: int = 10) -> bytes:
    return ec.encrypt_bytes(data, secret, params=fast, chunk_exponent=exponent)


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 5000, 4096])
def test_round_trip_across_chunk_boundaries(fast, size):
    data = bytes(i % 251 for i in range(size))
    blob = _encrypt(data, PASSPHRASE, fast)
    assert len(blob) == ec.HEADER_BYTES + size + 16 * max(1, -(-size // 1024))
    assert ec.decrypt_bytes(blob, PASSPHRASE) == data


def test_ciphertext_holds_no_plaintext(fast):
    blob = _encrypt(SYNTHETIC, PASSPHRASE, fast)
    assert b"Zyxwq" not in blob and b"Testpatient" not in blob
    assert blob[:8] == ec.MAGIC


def test_recovery_key_round_trip_and_kinds_are_not_confused(fast):
    recovery = RecoveryKey.generate()
    blob = _encrypt(SYNTHETIC, recovery, fast)
    assert ec.decrypt_bytes(blob, RecoveryKey.parse(recovery.display())) == SYNTHETIC
    with pytest.raises(WrongSecretError, match="recovery key, not a passphrase"):
        ec.decrypt_bytes(blob, PASSPHRASE)
    with pytest.raises(WrongSecretError, match="does not open"):
        ec.decrypt_bytes(blob, RecoveryKey.generate())
    with pytest.raises(WrongSecretError, match="passphrase, not the recovery key"):
        ec.decrypt_bytes(_encrypt(SYNTHETIC, PASSPHRASE, fast), recovery)


def test_wrong_passphrase_is_refused_as_such(fast):
    blob = _encrypt(SYNTHETIC, PASSPHRASE, fast)
    with pytest.raises(WrongSecretError, match="The passphrase does not open this export"):
        ec.decrypt_bytes(blob, ec.Passphrase("a passphrase for the exporT"))


def test_every_flipped_byte_is_refused(fast):
    data = bytes(range(256)) * 10  # three chunks of 1 KiB
    blob = _encrypt(data, PASSPHRASE, fast)
    for index in range(len(blob)):
        damaged = blob[:index] + bytes([blob[index] ^ 0x04]) + blob[index + 1:]
        with pytest.raises((TamperedError, WrongSecretError, TruncatedError, UnsupportedVersionError,
                            NotAContainerError)):
            ec.decrypt_bytes(damaged, PASSPHRASE)


def test_a_flipped_ciphertext_byte_is_reported_as_tampering(fast):
    blob = bytearray(_encrypt(SYNTHETIC, PASSPHRASE, fast))
    blob[ec.HEADER_BYTES + 1500] ^= 0xFF
    with pytest.raises(TamperedError, match="changed after it was written"):
        ec.decrypt_bytes(bytes(blob), PASSPHRASE)


def test_reordered_or_dropped_chunks_are_refused(fast):
    data = b"A" * 1024 + b"B" * 1024 + b"C" * 1024
    blob = _encrypt(data, PASSPHRASE, fast)
    head, body = blob[:ec.HEADER_BYTES], blob[ec.HEADER_BYTES:]
    chunks = [body[i:i + 1040] for i in range(0, len(body), 1040)]
    with pytest.raises(TamperedError):
        ec.decrypt_bytes(head + chunks[1] + chunks[0] + chunks[2], PASSPHRASE)
    with pytest.raises(TamperedError, match="at chunk 2 of 3"):
        ec.decrypt_bytes(head + chunks[0] + chunks[2], PASSPHRASE)
    with pytest.raises(TamperedError):
        ec.decrypt_bytes(head + chunks[0] + chunks[0] + chunks[2], PASSPHRASE)


def test_truncation_anywhere_is_refused(fast):
    blob = _encrypt(SYNTHETIC[:5000], PASSPHRASE, fast)
    for cut in [len(blob) - 1, len(blob) - 16, ec.HEADER_BYTES + 1040, ec.HEADER_BYTES + 1, ec.HEADER_BYTES]:
        with pytest.raises(TruncatedError, match="ends early"):
            ec.decrypt_bytes(blob[:cut], PASSPHRASE)
    for cut in (9, 40, ec.HEADER_BYTES - 1):
        with pytest.raises(TruncatedError, match="inside its header"):
            ec.decrypt_bytes(blob[:cut], PASSPHRASE)


def test_extra_bytes_are_refused(fast):
    blob = _encrypt(b"short", PASSPHRASE, fast)
    with pytest.raises(TamperedError, match="extra bytes"):
        ec.decrypt_bytes(blob + b"\x00", PASSPHRASE)


def test_changed_header_fields_are_refused(fast):
    blob = _encrypt(SYNTHETIC, PASSPHRASE, fast)
    # The declared length is authenticated: a shorter claim does not cut the plaintext silently.
    shorter = blob[:20] + struct.pack(">Q", 100) + blob[28:]
    with pytest.raises(TamperedError):
        ec.decrypt_bytes(shorter, PASSPHRASE)
    hostile = blob[:16] + struct.pack(">I", 2**31) + blob[20:]
    with pytest.raises(TamperedError, match="implausible"):
        ec.decrypt_bytes(hostile, PASSPHRASE)


def test_unknown_version_and_foreign_files_get_clear_messages(fast):
    blob = _encrypt(b"data", PASSPHRASE, fast)
    with pytest.raises(UnsupportedVersionError, match="format version 2; this ptassist reads version 1"):
        ec.decrypt_bytes(blob[:8] + b"\x02" + blob[9:], PASSPHRASE)
    for foreign in (b"", b"SQLite format 3\x00" + bytes(100), b"PK\x03\x04", b"\x89PNG\r\n\x1a\n" + bytes(100)):
        with pytest.raises(NotAContainerError, match="not a ptassist encrypted export"):
            ec.decrypt_bytes(foreign, PASSPHRASE)


def test_files_are_written_private_and_a_failed_decryption_leaves_no_output(fast, tmp_path):
    source = tmp_path / "export.json"
    source.write_bytes(SYNTHETIC)
    (tmp_path / "out").mkdir(mode=0o755)
    sealed = tmp_path / "out" / "export.json.ptx"
    ec.encrypt_file(source, sealed, PASSPHRASE, params=fast, chunk_exponent=12)
    assert b"Zyxwq" not in sealed.read_bytes()
    restored = tmp_path / "restored.json"
    ec.decrypt_file(sealed, restored, PASSPHRASE)
    assert restored.read_bytes() == SYNTHETIC
    if POSIX:
        assert sealed.stat().st_mode & 0o777 == 0o600
        assert restored.stat().st_mode & 0o777 == 0o600
    damaged = tmp_path / "damaged.ptx"
    damaged.write_bytes(sealed.read_bytes()[:-10])
    target = tmp_path / "never.json"
    with pytest.raises(TruncatedError):
        ec.decrypt_file(damaged, target, PASSPHRASE)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    if POSIX:  # a folder the user chose keeps its own mode
        assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755


def test_empty_passphrase_is_refused(fast):
    with pytest.raises(ValueError, match="empty passphrase"):
        _encrypt(b"x", ec.Passphrase(""), fast)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=5000), exponent=st.integers(min_value=10, max_value=12),
       cut=st.integers(min_value=1, max_value=6000))
def test_round_trip_and_any_truncation_property(data, exponent, cut):
    blob = ec.encrypt_bytes(data, PASSPHRASE, params=TEST_ONLY, chunk_exponent=exponent)
    assert ec.decrypt_bytes(blob, PASSPHRASE) == data
    if cut < len(blob):
        with pytest.raises(TruncatedError):
            ec.decrypt_bytes(blob[:len(blob) - cut], PASSPHRASE)
