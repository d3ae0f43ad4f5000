from __future__ import annotations

import hashlib

import pytest

from ptassist.security.errors import SignatureError
from ptassist.security.signing import (
    SigningKey,
    check_verification_code,
    fingerprint,
    is_valid_signature,
    verification_code,
    verify_signature,
)

CONTENT_HASH = hashlib.sha256(b"synthetic visit content").hexdigest().encode("ascii")
MESSAGE = b"content=" + CONTENT_HASH + b";prev=" + b"0" * 64


def test_signature_verifies_with_the_signers_public_key_only():
    alice, bob = SigningKey.generate(), SigningKey.generate()
    signature = alice.sign(MESSAGE)
    verify_signature(alice.public_key(), MESSAGE, signature)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(bob.public_key(), MESSAGE, signature)


def test_changing_any_single_byte_of_message_or_signature_fails():
    key = SigningKey.generate()
    signature = key.sign(MESSAGE)
    for index in range(len(MESSAGE)):
        forged = MESSAGE[:index] + bytes([MESSAGE[index] ^ 0x20]) + MESSAGE[index + 1:]
        assert not is_valid_signature(key.public_key(), forged, signature)
    for index in range(len(signature)):
        forged_signature = signature[:index] + bytes([signature[index] ^ 0x01]) + signature[index + 1:]
        assert not is_valid_signature(key.public_key(), MESSAGE, forged_signature)
    assert is_valid_signature(key.public_key(), MESSAGE, signature)


def test_signature_is_domain_separated():
    # A plain Ed25519 signature over the message (as another program would make) is not a ptassist one.
    key = SigningKey.generate()
    raw_signature = key._key.sign(MESSAGE)
    assert not is_valid_signature(key.public_key(), MESSAGE, raw_signature)


def test_wrong_lengths_are_refused():
    key = SigningKey.generate()
    with pytest.raises(SignatureError, match="wrong length"):
        verify_signature(key.public_key()[:31], MESSAGE, key.sign(MESSAGE))
    with pytest.raises(SignatureError):
        verify_signature(key.public_key(), MESSAGE, b"")


def test_private_key_round_trips_through_raw_bytes_and_repr_hides_it():
    key = SigningKey.generate()
    again = SigningKey.from_raw(key.raw())
    assert again.public_key() == key.public_key()
    assert key.raw().hex() not in repr(key)
    assert fingerprint(key.public_key()) in repr(key)


def test_fingerprint_shape_and_distinctness():
    first, second = SigningKey.generate().public_key(), SigningKey.generate().public_key()
    shown = fingerprint(first)
    assert len(shown) == 39 and shown.count("-") == 7
    assert shown == fingerprint(first) and shown != fingerprint(second)


def test_verification_code_checks_the_signature_and_content_it_was_made_for():
    key = SigningKey.generate()
    signature = key.sign(MESSAGE)
    code = verification_code(signature, CONTENT_HASH)
    assert len(code) == 11 and code[5] == "-"
    assert check_verification_code(code, signature, CONTENT_HASH)
    assert check_verification_code(code.lower().replace("-", " "), signature, CONTENT_HASH)
    other_hash = hashlib.sha256(b"other").hexdigest().encode("ascii")
    assert not check_verification_code(code, signature, other_hash)
    assert not check_verification_code(code, key.sign(MESSAGE + b"x"), CONTENT_HASH)


def test_verification_code_refuses_typos_and_wrong_lengths():
    signature = SigningKey.generate().sign(MESSAGE)
    code = verification_code(signature, CONTENT_HASH).replace("-", "")
    for index in range(len(code)):
        replacement = "0" if code[index] != "0" else "1"
        assert not check_verification_code(code[:index] + replacement + code[index + 1:], signature, CONTENT_HASH)
    assert not check_verification_code(code[:-1], signature, CONTENT_HASH)
    assert not check_verification_code(code + "0", signature, CONTENT_HASH)
    assert not check_verification_code("U" * 10, signature, CONTENT_HASH)
