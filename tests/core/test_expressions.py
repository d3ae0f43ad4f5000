"""The rule language: three-valued logic, parsing errors, and the explanation of a true result."""

from __future__ import annotations

import re

import pytest

from ptassist.core.expressions import ExpressionError, Schema, compile_expression

SCHEMA = Schema(
    leaves=frozenset({"a", "b", "c"}),
    numbers=frozenset({"age"}),
    functions={"weak": frozenset({"ehl", "hip"})},
    numeric_first=frozenset(),
)


class FakeContext:
    def __init__(self, leaves, age=None, weak=None):
        self.leaves = leaves
        self.age = age
        self.weak = weak or {}

    def leaf(self, name):
        return self.leaves.get(name)

    def leaf_because(self, name):
        return [name]

    def number(self, name):
        return self.age

    def call(self, func, args):
        values = [self.weak.get(a) for a in args]
        return True if True in values else (None if None in values else False)

    def call_because(self, func, args):
        return [f"strength.{a}" for a in args if self.weak.get(a)]


def value(text, **leaves):
    return compile_expression(text, SCHEMA).value(FakeContext(leaves))


@pytest.mark.parametrize(
    ("a", "b", "conj", "disj"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (True, None, None, True),
        (False, None, False, None),
        (None, None, None, None),
        (False, False, False, False),
    ],
)
def test_kleene_and_or(a, b, conj, disj):
    assert value("a and b", a=a, b=b) is conj
    assert value("a or b", a=a, b=b) is disj


def test_not_of_unknown_stays_unknown():
    assert value("not a") is None
    assert value("not a", a=False) is True


def test_at_least_is_true_false_or_undecided():
    assert value("at_least(2, a, b, c)", a=True, b=True) is True
    assert value("at_least(2, a, b, c)", a=True, b=False) is None  # c could still make it
    assert value("at_least(2, a, b, c)", a=True, b=False, c=False) is False


def test_unconfirmed_is_never_unknown():
    assert value("unconfirmed(a)") is True
    assert value("unconfirmed(a)", a=False) is True
    assert value("unconfirmed(a)", a=True) is False


def test_comparisons_and_precedence():
    node = compile_expression("a or b and age >= 55", SCHEMA)
    assert node.value(FakeContext({"a": False, "b": True}, age=55)) is True
    assert node.value(FakeContext({"a": False, "b": True}, age=54)) is False
    assert node.value(FakeContext({"a": False, "b": True})) is None


def test_because_names_what_made_it_true():
    node = compile_expression("(a or b) and not c and weak(ehl, hip)", SCHEMA)
    ctx = FakeContext({"a": True, "b": False, "c": False}, weak={"ehl": True, "hip": False})
    assert node.value(ctx) is True
    assert node.because(ctx) == ["a", "c", "strength.ehl"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("a and", "unexpected end"),
        ("a b", "after a complete expression"),
        ("d", "unknown name 'd'"),
        ("weak(knee)", "not a valid argument"),
        ("nothing(a)", "unknown function"),
        ("age", "is a number"),
        ("at_least(3, a, b)", "fewer items"),
        ("a & b", "unexpected character"),
        ("(a or b", "expected ')'"),
    ],
)
def test_parse_errors_say_what_is_wrong(text, words):
    with pytest.raises(ExpressionError, match=re.escape(words)):
        compile_expression(text, SCHEMA)
