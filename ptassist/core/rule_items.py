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
    "fibular_pattern": ("strength.ankle_inversion", "strength.hip_abduction", "sensory_loss"),
    "root_pattern_deficit": ("sensory_loss", "reflexes.patellar", "reflexes.achilles"),
    "single_root": ("sensory_loss", "reflexes.patellar", "reflexes.achilles"),
    "sensory_loss_found": ("sensory_loss",),
    "reflex_change_found": ("reflexes.patellar", "reflexes.achilles"),
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


def _stable(node: Node, ctx: Context, ruleset: Ruleset, seen: frozenset[str]) -> bool:
    """Whether no answer to a question not yet asked can change this node's value.

    Kleene logic is monotone (answering an unknown never flips a decided and/or/not), except for
    ``unconfirmed(x)``: true while x is unknown, false once x is answered yes.
    """
    value = node.value(ctx)
    if value is None:
        return False
    if isinstance(node, Unconfirmed):
        return node.child.value(ctx) is not None and _stable(node.child, ctx, ruleset, seen)
    if isinstance(node, Leaf):
        if node.name in ruleset.facts and node.name not in seen:
            return _stable(ruleset.facts[node.name], ctx, ruleset, seen | {node.name})
        return True
    if isinstance(node, Call | Compare):
        return True
    if isinstance(node, Not):
        return _stable(node.child, ctx, ruleset, seen)
    children = _children(node)
    settled = [c for c in children if c.value(ctx) is value and _stable(c, ctx, ruleset, seen)]
    if isinstance(node, AndNode):
        return bool(settled) if value is False else len(settled) == len(children)
    if isinstance(node, OrNode):
        return bool(settled) if value is True else len(settled) == len(children)
    if isinstance(node, AtLeast):
        if value is True:
            return len(settled) >= node.count
        return len(children) - len(settled) < node.count
    return True


def open_items(expression: Node, ctx: Context, ruleset: Ruleset, vocab: Vocabulary) -> tuple[str, ...]:
    """The unasked items whose answer could still change the expression, in the order it names them.

    Parts already decided are skipped: after "no night pain", whether it is eased by position no
    longer matters.
    """
    found: dict[str, None] = {}

    def visit(node: Node, seen: frozenset[str]) -> None:
        if _stable(node, ctx, ruleset, seen):
            return
        if isinstance(node, Leaf) and node.name in ruleset.facts and node.name not in seen:
            visit(ruleset.facts[node.name], seen | {node.name})
        elif isinstance(node, Leaf | Call | Compare):
            for key in _items_of(node, vocab):
                found.setdefault(key, None)
        else:
            for child in _children(node):
                visit(child, seen)

    visit(expression, frozenset())
    return tuple(found)


def screen_triggers(ruleset: Ruleset, suspects: str | None = None) -> frozenset[str]:
    """The findings whose presence makes a red flag "partly positive": the questions of the screen
    groups that screen for ``suspects`` (all groups when None), and for cauda equina bilateral
    radicular symptoms on the body chart. Osteoporosis opens the fracture flags, not a hop test."""
    keys = {key for group in ruleset.screen if suspects is None or suspects in group.suspects
            for item in group.items for key in item.keys}
    if suspects in (None, "cauda_equina"):
        keys.add("bilateral_radicular")
    return frozenset(keys)


def trigger_leaves(expression: Node, ruleset: Ruleset, suspects: str) -> tuple[str, ...]:
    """The red-flag questions the expression asks for, not negated: answered yes, they make a flag
    whose outcome is still open "partly positive".

    Body-chart context, examination findings and demographics (age) are not among them: they would
    make almost every flag "partly positive" for every patient with back pain, a weak muscle or over 50.
    """
    triggers = screen_triggers(ruleset, suspects)
    names: dict[str, None] = {}
    for node, negated in _walk(expression, ruleset):
        if not negated and isinstance(node, Leaf) and node.name in triggers:
            names.setdefault(node.name, None)
    return tuple(names)


def partly_positive(leaves: tuple[str, ...], ctx: Context) -> bool:
    """Whether any of the trigger ``leaves`` of a flag is answered yes."""
    return any(ctx.leaf(name) is True for name in leaves)
