"""The small rule language of ``ruleset.toml``, compiled once and evaluated per assessment.

Three-valued logic (Kleene): every expression is ``True``, ``False`` or ``None`` (not assessed).
``not x`` is true only when x was assessed and is negative; ``a and b`` is false as soon as
either is false; ``a or b`` is true as soon as either is true. Each node can also say *because of
what* it is true, as a list of intake keys, for the evidence shown to the clinician.

Grammar::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := atom [(">=" | "<=" | ">" | "<" | "==") NUMBER]
    atom       := "(" expr ")" | "true" | "false" | NAME | NAME "(" args ")"
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

Tri = bool | None


class Context(Protocol):
    """What an expression reads while it is evaluated."""

    def leaf(self, name: str) -> Tri: ...
    def leaf_because(self, name: str) -> list[str]: ...
    def number(self, name: str) -> float | None: ...
    def call(self, func: str, args: tuple[str, ...]) -> Tri: ...
    def call_because(self, func: str, args: tuple[str, ...]) -> list[str]: ...


class ExpressionError(ValueError):
    """A rule expression that does not parse or names something unknown."""


@dataclass(frozen=True)
class Schema:
    """The names an expression may use, checked when a rule set is compiled."""

    leaves: frozenset[str]
    numbers: frozenset[str]
    # function name -> the set of names its arguments may take (None: any number then names)
    functions: Mapping[str, frozenset[str]]
    numeric_first: frozenset[str] = field(default_factory=frozenset)


class Node(ABC):
    """A compiled expression."""

    __slots__ = ()

    @abstractmethod
    def value(self, ctx: Context) -> Tri:
        """True, False, or None when it depends on something not assessed."""

    @abstractmethod
    def because(self, ctx: Context) -> list[str]:
        """The intake keys that make this node true (call only when it is true)."""

    @abstractmethod
    def names(self) -> set[str]:
        """Every leaf and function argument it mentions (for assess-next and docs)."""


class Const(Node):
    __slots__ = ("constant",)

    def __init__(self, constant: bool) -> None:
        self.constant = constant

    def value(self, ctx: Context) -> Tri:
        return self.constant

    def because(self, ctx: Context) -> list[str]:
        return []

    def names(self) -> set[str]:
        return set()


class Leaf(Node):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def value(self, ctx: Context) -> Tri:
        return ctx.leaf(self.name)

    def because(self, ctx: Context) -> list[str]:
        return ctx.leaf_because(self.name)

    def names(self) -> set[str]:
        return {self.name}


class Call(Node):
    __slots__ = ("args", "func")

    def __init__(self, func: str, args: tuple[str, ...]) -> None:
        self.func = func
        self.args = args

    def value(self, ctx: Context) -> Tri:
        return ctx.call(self.func, self.args)

    def because(self, ctx: Context) -> list[str]:
        return ctx.call_because(self.func, self.args)

    def names(self) -> set[str]:
        return {f"{self.func}({','.join(self.args)})"}


class Compare(Node):
    __slots__ = ("name", "op", "operand", "test")

    _OPS: Mapping[str, Callable[[float, float], bool]] = {
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
        "==": lambda a, b: a == b,
    }

    def __init__(self, name: str, op: str, operand: float) -> None:
        self.name = name
        self.op = op
        self.operand = operand
        self.test = self._OPS[op]

    def value(self, ctx: Context) -> Tri:
        number = ctx.number(self.name)
        return None if number is None else self.test(number, self.operand)

    def because(self, ctx: Context) -> list[str]:
        return [self.name]

    def names(self) -> set[str]:
        return {self.name}


class Not(Node):
    __slots__ = ("child",)

    def __init__(self, child: Node) -> None:
        self.child = child

    def value(self, ctx: Context) -> Tri:
        inner = self.child.value(ctx)
        return None if inner is None else not inner

    def because(self, ctx: Context) -> list[str]:
        # True because the child was assessed and negative: name what was negative.
        return sorted(self.child.names()) if isinstance(self.child, Leaf | Compare) else _leaves_of(self.child)

    def names(self) -> set[str]:
        return self.child.names()


class And(Node):
    __slots__ = ("children",)

    def __init__(self, children: Sequence[Node]) -> None:
        self.children = tuple(children)

    def value(self, ctx: Context) -> Tri:
        result: Tri = True
        for child in self.children:
            inner = child.value(ctx)
            if inner is False:
                return False
            if inner is None:
                result = None
        return result

    def because(self, ctx: Context) -> list[str]:
        return _merge(child.because(ctx) for child in self.children)

    def names(self) -> set[str]:
        return set().union(*(c.names() for c in self.children))


class Or(Node):
    __slots__ = ("children",)

    def __init__(self, children: Sequence[Node]) -> None:
        self.children = tuple(children)

    def value(self, ctx: Context) -> Tri:
        result: Tri = False
        for child in self.children:
            inner = child.value(ctx)
            if inner is True:
                return True
            if inner is None:
                result = None
        return result

    def because(self, ctx: Context) -> list[str]:
        return _merge(c.because(ctx) for c in self.children if c.value(ctx) is True)

    def names(self) -> set[str]:
        return set().union(*(c.names() for c in self.children))


class AtLeast(Node):
    """``at_least(n, a, b, ...)``: true when n items are true, false when n can no longer be reached."""

    __slots__ = ("children", "count")

    def __init__(self, count: int, children: Sequence[Node]) -> None:
        self.count = count
        self.children = tuple(children)

    def value(self, ctx: Context) -> Tri:
        true = unknown = 0
        for child in self.children:
            inner = child.value(ctx)
            if inner is True:
                true += 1
            elif inner is None:
                unknown += 1
        if true >= self.count:
            return True
        return None if true + unknown >= self.count else False

    def because(self, ctx: Context) -> list[str]:
        return _merge(c.because(ctx) for c in self.children if c.value(ctx) is True)

    def names(self) -> set[str]:
        return set().union(*(c.names() for c in self.children))


class Unconfirmed(Node):
    """``unconfirmed(x)``: x is negative or not assessed (never unknown itself)."""

    __slots__ = ("child",)

    def __init__(self, child: Node) -> None:
        self.child = child

    def value(self, ctx: Context) -> Tri:
        return self.child.value(ctx) is not True

    def because(self, ctx: Context) -> list[str]:
        return []

    def names(self) -> set[str]:
        return self.child.names()


def _merge(groups: object) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:  # type: ignore[attr-defined]
        for item in group:
            seen.setdefault(item, None)
    return list(seen)


def _leaves_of(node: Node) -> list[str]:
    return sorted(n for n in node.names() if "(" not in n)


_TOKEN = re.compile(r"\s*(?:(>=|<=|==|>|<)|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([(),]))")
_KEYWORDS = frozenset({"and", "or", "not", "true", "false"})


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ExpressionError(f"unexpected character at position {pos}: {text[pos:pos + 12]!r}")
        tokens.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, schema: Schema) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.schema = schema

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"unexpected end of expression{f', expected {expected!r}' if expected else ''}")
        if expected is not None and token != expected:
            raise ExpressionError(f"expected {expected!r} but found {token!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()!r} after a complete expression")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek() == "or":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(items)

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.peek() == "and":
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(items)

    def not_expr(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        token = self.peek()
        if token is not None and token in self.schema.numbers:
            self.take()
            op = self.peek()
            if op is None or op not in Compare._OPS:
                raise ExpressionError(f"'{token}' is a number: compare it, e.g. '{token} >= 55'")
            self.take()
            return Compare(token, op, self.number())
        return self.atom()

    def number(self) -> float:
        token = self.take()
        try:
            return float(token)
        except ValueError:
            raise ExpressionError(f"expected a number but found {token!r}") from None

    def atom(self) -> Node:
        token = self.take()
        if token == "(":
            node = self.or_expr()
            self.take(")")
            return node
        if token in ("true", "false"):
            return Const(token == "true")
        if not re.match(r"[A-Za-z_]", token) or token in _KEYWORDS:
            raise ExpressionError(f"unexpected {token!r}")
        if self.peek() == "(":
            return self.call(token)
        if token not in self.schema.leaves:
            raise ExpressionError(f"unknown name '{token}'")
        return Leaf(token)

    def call(self, func: str) -> Node:
        self.take("(")
        if func in ("at_least", "unconfirmed"):
            return self.logic_call(func)
        domain = self.schema.functions.get(func)
        if domain is None:
            raise ExpressionError(f"unknown function '{func}'")
        args: list[str] = []
        if func in self.schema.numeric_first:
            args.append(str(self.number()))
            self.take(",")
        while True:
            name = self.take()
            if name not in domain:
                raise ExpressionError(f"'{name}' is not a valid argument of {func}()")
            args.append(name)
            if self.peek() == ",":
                self.take()
                continue
            self.take(")")
            return Call(func, tuple(args))

    def logic_call(self, func: str) -> Node:
        if func == "unconfirmed":
            node = self.or_expr()
            self.take(")")
            return Unconfirmed(node)
        count = self.number()
        if count < 1 or not count.is_integer():
            raise ExpressionError("at_least() needs a whole count of 1 or more")
        items: list[Node] = []
        while self.peek() == ",":
            self.take()
            items.append(self.or_expr())
        self.take(")")
        if len(items) < count:
            raise ExpressionError("at_least() lists fewer items than its count")
        return AtLeast(int(count), items)


def compile_expression(text: str, schema: Schema) -> Node:
    """Parse and check one expression; raises :class:`ExpressionError` with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression")
    return _Parser(text, schema).parse()
