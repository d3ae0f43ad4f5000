"""What a rule expression asks of the intake: its items, and whether it is already partly positive.

"Assess next" uses these to put first the questions that would complete or escalate a red flag
that is partly positive (trauma is recorded, osteoporosis and steroids are not), and to keep the
list on an emergency once one has fired.
"""

from __future__ import annotations

from collections.abc import Iterator

from ptassist.core.expressions import And as AndNode
from ptassist.core.expressions import AtLeast, Call, Compare, Context, Leaf, Node, Not, Unconfirmed
from ptassist.core.expressions import Or as OrNode
from ptassist.core.ruleset import Ruleset
from ptassist.core.vocabulary import Vocabulary

# Facts computed in code and the intake items they read.
_CODE_FACT_ITEMS = {
    "bilateral_radicular": ("symptoms", "sensory_loss"),
    "stocking_pattern": ("symptoms", "sensory_loss"),
    "lfcn_bilateral": ("symptoms", "sensory_loss"),
    "female": ("sex",),
    "male": ("sex",),
}
_CALL_ITEMS = {"pain": "symptoms", "symptom": "symptoms", "neuro_symptom": "symptoms", "sensory_loss": "sensory_loss",
               "distal_response": "repeated_movements", "local_response": "repeated_movements"}


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Not | Unconfirmed):
        return (node.child,)
    if isinstance(node, AndNode | OrNode | AtLeast):
        return tuple(node.children)
    return ()


def _walk(node: Node, ruleset: Ruleset, negated: bool = False, seen: frozenset[str] = frozenset()) -> Iterator[
        tuple[Node, bool]]:
    """Every leaf, call and comparison in order, through named facts, with whether it is negated."""
    if isinstance(node, Leaf) and node.name in ruleset.facts and node.name not in seen:
        yield from _walk(ruleset.facts[node.name], ruleset, negated, seen | {node.name})
        return
    if isinstance(node, Leaf | Call | Compare):
        yield node, negated
        return
    flip = isinstance(node, Not | Unconfirmed)
    for child in _children(node):
        yield from _walk(child, ruleset, negated != flip, seen)


def _items_of(node: Node, vocab: Vocabulary) -> tuple[str, ...]:
    if isinstance(node, Leaf):
        if node.name in vocab.findings:
            return (node.name,)
        return _CODE_FACT_ITEMS.get(node.name, ())
    if isinstance(node, Compare):
        return (node.name,)
    if isinstance(node, Call):
        if node.func in ("weak", "grade_at_most"):
            muscles = node.args[1:] if node.func == "grade_at_most" else node.args
            return tuple(f"strength.{m}" for m in muscles)
        if node.func == "reflex_reduced":
            return tuple(f"reflexes.{r}" for r in node.args)
        item = _CALL_ITEMS.get(node.func)
        return (item,) if item else ()
    return ()


def flag_items(expression: Node, ruleset: Ruleset, vocab: Vocabulary) -> tuple[str, ...]:
    """The intake items an expression reads, in the order it names them (``strength.ehl``, ``fever``)."""
    items: dict[str, None] = {}
    for node, _ in _walk(expression, ruleset):
        for key in _items_of(node, vocab):
            items.setdefault(key, None)
    return tuple(items)


def screen_triggers(ruleset: Ruleset) -> frozenset[str]:
    """The findings whose presence makes a red flag "partly positive": the screen's own questions,
    and bilateral radicular symptoms on the body chart."""
    keys = {key for group in ruleset.screen for item in group.items for key in item.keys}
    return frozenset(keys | {"bilateral_radicular"})


def trigger_leaves(expression: Node, ruleset: Ruleset) -> tuple[str, ...]:
    """The red-flag questions the expression asks for, not negated: answered yes, they make a flag
    whose outcome is still open "partly positive".

    Body-chart context, examination findings and demographics (age) are not among them: they would
    make almost every flag "partly positive" for every patient with back pain, a weak muscle or over 50.
    """
    triggers = screen_triggers(ruleset)
    names: dict[str, None] = {}
    for node, negated in _walk(expression, ruleset):
        if not negated and isinstance(node, Leaf) and node.name in triggers:
            names.setdefault(node.name, None)
    return tuple(names)


def partly_positive(leaves: tuple[str, ...], ctx: Context) -> bool:
    """Whether any of the trigger ``leaves`` of a flag is answered yes."""
    return any(ctx.leaf(name) is True for name in leaves)
