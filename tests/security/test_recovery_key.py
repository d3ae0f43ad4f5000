from __future__ import annotations

import re

import pytest

from ptassist.security.encoding import CROCKFORD
from ptassist.security.errors import RecoveryKeyError
from ptassist.security.recovery import RecoveryKey

SHAPE = re.compile(r"^([0-9A-HJKMNP-TV-Z]{5}-){7}[0-9A-HJKMNP-TV-Z]{5}$")


def test_display_shape_and_round_trip():
    for _ in range(50):
        key = RecoveryKey.generate()
        shown = key.display()
        assert SHAPE.match(shown), shown
        assert RecoveryKey.parse(shown) == key


def test_parsing_is_tolerant_of_case_spaces_dashes_and_look_alikes():
    key = RecoveryKey(bytes(range(20)))
    shown = key.display()
    assert RecoveryKey.parse(shown.lower()) == key
    assert RecoveryKey.parse(shown.replace("-", " ")) == key
    assert RecoveryKey.parse(" " + shown.replace("-", "") + "\n") == key
    assert RecoveryKey.parse(shown.replace("0", "o").replace("1", "l")) == key


def test_repr_hides_the_secret():
    key = RecoveryKey(bytes(range(20)))
    assert key.display()[:5] not in repr(key) and bytes(range(20)).hex() not in repr(key)


def test_every_single_character_typo_is_refused_and_names_its_group():
    key = RecoveryKey.generate()
    compact = key.display().replace("-", "")
    for position in range(len(compact)):
        for symbol in CROCKFORD:
            if symbol == compact[position]:
                continue
            typo = compact[:position] + symbol + compact[position + 1:]
            with pytest.raises(RecoveryKeyError, match=f"typo in group {position // 5 + 1} "):
                RecoveryKey.parse(typo)


def test_every_swap_of_neighbours_within_a_group_is_refused():
    for _ in range(20):
        compact = RecoveryKey.generate().display().replace("-", "")
        for position in range(len(compact) - 1):
            if position % 5 == 4 or compact[position] == compact[position + 1]:
                continue  # across a group boundary, or no change
            swapped = compact[:position] + compact[position + 1] + compact[position] + compact[position + 2:]
            with pytest.raises(RecoveryKeyError, match="typo"):
                RecoveryKey.parse(swapped)


def test_groups_in_the_wrong_order_are_refused():
    groups = RecoveryKey.generate().display().split("-")
    groups[2], groups[5] = groups[5], groups[2]
    with pytest.raises(RecoveryKeyError, match=r"typo in groups 3, 6"):
        RecoveryKey.parse("-".join(groups))


@pytest.mark.parametrize(("typed", "fragment"), [
    ("", "has 40 characters in 8 groups of 5; this has 0"),
    ("ABCDE-FGHJK", "this has 10"),
    ("ABCDE-FGHJK-MNPQR-STVWX-YZ012-34567-89ABC-DEFGH-J", "this has 41"),
    ("ABCDE-FGHJK-MNPQR-STVWX-YZ012-34567-89ABC-DEFGU", "'U' is not one of them"),
    ("ABCDE-FGHJK-MNPQR-STVWX-YZ012-34567-89ABC-DEFG*", "'*' is not one of them"),
])
def test_wrong_shapes_get_a_clear_message(typed, fragment):
    with pytest.raises(RecoveryKeyError, match=re.escape(fragment)):
        RecoveryKey.parse(typed)


def test_key_encryption_key_is_deterministic_and_distinct():
    key = RecoveryKey(bytes(20))
    assert key.key_encryption_key() == RecoveryKey.parse(key.display()).key_encryption_key()
    assert key.key_encryption_key() != RecoveryKey(bytes(19) + b"\x01").key_encryption_key()
    assert len(key.key_encryption_key()) == 32
