"""What a restore statement's signature covers: every field, and only a ptassist restore statement's."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from ptassist.security.encoding import b64
from ptassist.security.endorsement import endorsement_message
from ptassist.security.restore_signature import RestoreContent, sign_statement, statement_holds, statement_message
from ptassist.security.signing import SigningKey, is_valid_signature

KEY = SigningKey.generate()
CONTENT = RestoreContent("db-1", "2026-12-03T10:42:00.000000+00:00", "Alex Carter", 1, b64(KEY.public_key()),
                         14, "h14", 120, "a120", 12, "h12", 100, "a100", "ptassist-server-x.dump")


def test_the_signature_covers_every_field():
    signature = sign_statement(KEY, CONTENT)
    assert statement_holds(KEY.public_key(), CONTENT, signature)
    for field in fields(RestoreContent):
        value = getattr(CONTENT, field.name)
        changed = replace(CONTENT, **{field.name: value + 1 if isinstance(value, int) else value + "x"})
        assert not statement_holds(KEY.public_key(), changed, signature), field.name
    assert not statement_holds(SigningKey.generate().public_key(), CONTENT, signature)


def test_fields_cannot_run_into_each_other_and_the_domain_is_its_own():
    with pytest.raises(ValueError, match="NUL"):
        statement_message(replace(CONTENT, actor="Alex\x00Carter"))
    assert not statement_holds(KEY.public_key(), replace(CONTENT, actor="Alex\x00Carter"), bytes(64))
    endorsement = KEY.sign(endorsement_message("Alex Carter", CONTENT.public_key, "administrator"))
    assert not statement_holds(KEY.public_key(), CONTENT, endorsement)
    assert not is_valid_signature(KEY.public_key(), endorsement_message("Alex Carter", CONTENT.public_key,
                                                                        "administrator"), sign_statement(KEY, CONTENT))
