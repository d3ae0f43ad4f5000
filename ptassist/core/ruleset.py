"""Load, validate and compile the versioned rule set (``resources/clinical/ruleset.toml``)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from ptassist.core.conditions import CONDITION_IDS
from ptassist.core.errors import ResourceError
from ptassist.core.expressions import ExpressionError, Node, Schema, compile_expression
from ptassist.core.intake import DISTAL_RESPONSES, LOCAL_RESPONSES
from ptassist.core.resources import load_toml
from ptassist.core.vocabulary import Accuracy, Reader, Vocabulary, format_lr, load_vocabulary

RULESET_FILE = "clinical/ruleset.toml"
URGENCIES = ("emergency", "urgent", "routine", "none")
URGENCY_RANK = {name: rank for rank, name in enumerate(reversed(URGENCIES))}
SUSPECTS = (
    "cauda_equina",
    "spinal_malignancy",
    "spinal_infection",
    "spinal_fracture",
    "knee_fracture",
    "bone_stress_injury",
    "septic_arthritis",
    "dvt",
    "compartment_syndrome",
    "severe_root_compression",
    "peripheral_nerve_lesion",
    "peripheral_arterial_disease",
    "inflammatory_arthritis",
    "peripheral_polyneuropathy",
    "knee_internal_derangement",
)
MEASURES = ("NPRS", "LEFS", "ODI", "PSFS", "STarTBack")
# Facts computed in code (see facts.py); the rule file may use them like findings.
CODE_FACTS = (
    "bilateral_radicular",
    "single_root",
    "fibular_pattern",
    "lfcn_pattern",
    "weakness_found",
    "reflex_change_found",
    "sensory_loss_found",
    "root_pattern_deficit",
    "stocking_pattern",
    "lfcn_bilateral",
    "female",
    "male",
)
ICD_SIDES = ("right", "left", "bilateral", "unspecified")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")

Direction = Literal["for", "against"]


@dataclass(frozen=True)
class Scoring:
    """Weights and thresholds of the rule set (design choices, documented in the file)."""

    tiers: Mapping[str, float]
    lr_cap: float
    favoured_min: float
    possible_min: float
    second_within: float
    pattern_cap: float
    small_study_n: int
    small_study_factor: float


@dataclass(frozen=True)
class EvidenceGroup:
    """Correlated evidence items that count once: a capped sum, or only the strongest item."""

    id: str
    label: str
    combine: Literal["sum", "strongest"]
    cap: float
    in_pattern_cap: bool = True


@dataclass(frozen=True)
class RedFlagRule:
    """A red flag: when it fires, what it suspects, how urgent it is and what to do."""

    id: str
    suspects: str
    urgency: str
    when: Node
    action: str
    sources: tuple[str, ...]
    avoid: tuple[str, ...] = ()  # tests not to suggest while this flag stands (loading a locked knee)


@dataclass(frozen=True)
class EvidenceRule:
    """One piece of evidence for or against a condition.

    ``lr_pos``/``lr_neg`` are set for items weighted by a published likelihood ratio; ``tier``
    for pattern evidence. ``when_negative`` is the expression for the LR- side ("both" items).
    """

    finding: str
    when: Node
    when_negative: Node | None
    tier: str | None
    direction: Direction | None
    lr_pos: float | None
    lr_neg: float | None
    accuracy: str
    note: str
    source: str
    group: str | None = None
    quality: str = "pattern evidence, no validated accuracy"
    small_study: bool = False


@dataclass(frozen=True)
class ConditionRule:
    """A condition of the differential with its gate, evidence, codes and measures."""

    id: str
    label: str
    requires: Node | None
    evidence: tuple[EvidenceRule, ...]
    icd10: Mapping[str, tuple[str, ...]]
    icd10_note: str | None
    measures: tuple[str, ...]


@dataclass(frozen=True)
class MixedRule:
    """A picture that is genuinely two problems: both conditions join the working diagnosis."""

    when: Node
    conditions: tuple[str, ...]
    note: str
    source: str


@dataclass(frozen=True)
class SafetyRule:
    """A rule the weights cannot overrule: when it holds, ``keep`` is in the working diagnosis."""

    id: str
    when: Node
    keep: str
    note: str
    source: str
    warning: str | None = None  # shown beside every other working diagnosis while the rule holds


@dataclass(frozen=True)
class ScreenItem:
    """One question of the red-flag screen; any of ``keys`` answers it (fever or a temperature)."""

    keys: tuple[str, ...]

    @property
    def key(self) -> str:
        """The id shown when it was not asked."""
        return self.keys[0]


@dataclass(frozen=True)
class ScreenGroup:
    """A group of the minimum red-flag screen and the red flags it screens for."""

    id: str
    label: str
    items: tuple[ScreenItem, ...]
    suspects: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class AssessNextRule:
    """Items to suggest, in a context, with the reason."""

    findings: tuple[str, ...]
    when: Node
    priority: float
    why: str
    source: str


@dataclass(frozen=True)
class Ruleset:
    """The compiled rule set."""

    name: str
    version: str
    scoring: Scoring
    facts: Mapping[str, Node]
    red_flags: tuple[RedFlagRule, ...]
    conditions: tuple[ConditionRule, ...]
    mixed: tuple[MixedRule, ...]
    assess_next: tuple[AssessNextRule, ...]
    evidence_groups: Mapping[str, EvidenceGroup]
    safety: tuple[SafetyRule, ...]
    screen: tuple[ScreenGroup, ...]


def build_schema(vocab: Vocabulary, fact_names: list[str]) -> Schema:
    """The names a rule expression may use."""
    bools = [f.id for f in vocab.findings.values() if f.type == "bool"]
    numbers = [f.id for f in vocab.findings.values() if f.type == "number"]
    regions = frozenset(vocab.regions)
    muscles = frozenset(vocab.strength)
    return Schema(
        leaves=frozenset(bools) | frozenset(fact_names) | frozenset(CODE_FACTS),
        numbers=frozenset(numbers) | {"age"},
        functions={
            "pain": regions,
            "symptom": regions,
            "neuro_symptom": regions,
            "sensory_loss": regions,
            "weak": muscles,
            "grade_at_most": muscles,
            "reflex_reduced": frozenset(vocab.reflexes),
            "distal_response": frozenset(DISTAL_RESPONSES),
            "local_response": frozenset(LOCAL_RESPONSES),
            "considered": frozenset(CONDITION_IDS),
        },
        numeric_first=frozenset({"grade_at_most"}),
    )


class _Compiler:
    def __init__(self, vocab: Vocabulary, schema: Schema) -> None:
        self.vocab = vocab
        self.schema = schema

    def expr(self, reader: Reader, key: str, default: str | None = None) -> Node:
        text = reader.table.get(key, default)
        if not isinstance(text, str):
            raise reader.fail(f"'{key}' must be an expression string")
        try:
            return compile_expression(text, self.schema)
        except ExpressionError as exc:
            raise reader.fail(f"{key}: {exc}") from None

    def source(self, reader: Reader, key: str = "source") -> str:
        source = reader.text(key)
        if source not in self.vocab.sources:
            raise reader.fail(f"unknown source key '{source}'")
        return source

    def sources(self, reader: Reader) -> tuple[str, ...]:
        keys = reader.text_list("sources")
        if not keys:
            raise reader.fail("'sources' must not be empty")
        for key in keys:
            if key not in self.vocab.sources:
                raise reader.fail(f"unknown source key '{key}'")
        return tuple(keys)


def _scoring(top: Reader) -> Scoring:
    reader = Reader(RULESET_FILE, "scoring", top.table_of("scoring"))
    reader.check_keys({
        "weak", "moderate", "strong", "lr_cap", "favoured_min", "possible_min", "second_within", "pattern_cap",
        "small_study_n", "small_study_factor",
    })
    tiers = {name: reader.number(name) for name in ("weak", "moderate", "strong")}
    if not 0 < tiers["weak"] < tiers["moderate"] < tiers["strong"]:
        raise reader.fail("tiers must satisfy 0 < weak < moderate < strong")
    scoring = Scoring(
        tiers=tiers,
        lr_cap=reader.number("lr_cap"),
        favoured_min=reader.number("favoured_min"),
        possible_min=reader.number("possible_min"),
        second_within=reader.number("second_within"),
        pattern_cap=reader.number("pattern_cap"),
        small_study_n=int(reader.number("small_study_n")),
        small_study_factor=reader.number("small_study_factor"),
    )
    if not 0 < scoring.possible_min < scoring.favoured_min:
        raise reader.fail("thresholds must satisfy 0 < possible_min < favoured_min")
    if not 0 < scoring.small_study_factor <= 1:
        raise reader.fail("small_study_factor must lie in (0, 1]")
    if scoring.pattern_cap < scoring.favoured_min:
        raise reader.fail("pattern_cap must not be below favoured_min")
    return scoring


def _entry(raw: Any, index: int, section: str) -> Reader:
    """A reader for one entry of an array of tables, named by its id (or its position)."""
    name = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    return Reader(RULESET_FILE, f"{section}.{name}", raw)


def _red_flag(compiler: _Compiler, raw: Any, index: int) -> RedFlagRule:
    reader = _entry(raw, index, "red_flags")
    reader.check_keys({"id", "suspects", "urgency", "when", "action", "sources", "avoid"})
    suspects = reader.text("suspects")
    if suspects not in SUSPECTS:
        raise reader.fail(f"unknown 'suspects' value '{suspects}'")
    urgency = reader.text("urgency")
    if urgency not in URGENCIES[:3]:
        raise reader.fail("urgency must be emergency, urgent or routine")
    avoid = tuple(reader.text_list("avoid")) if "avoid" in reader.table else ()
    for key in avoid:
        if key not in compiler.vocab.findings:
            raise reader.fail(f"avoid: unknown finding '{key}'")
    return RedFlagRule(
        id=reader.text("id"),
        suspects=suspects,
        urgency=urgency,
        when=compiler.expr(reader, "when"),
        action=reader.text("action"),
        sources=compiler.sources(reader),
        avoid=avoid,
    )


_EVIDENCE_KEYS = {
    "finding", "when", "for", "against", "lr", "lr_pos", "lr_neg", "sensitivity", "specificity",
    "note", "accuracy_note", "source", "group", "n", "design",
}


def _lr_figures(reader: Reader, vocab_accuracy: Accuracy | None) -> tuple[float | None, float | None, str]:
    """Likelihood ratios for an "lr" item: inline figures first, else the vocabulary's."""
    sens, spec = reader.opt_number("sensitivity"), reader.opt_number("specificity")
    lr_pos, lr_neg = reader.opt_number("lr_pos"), reader.opt_number("lr_neg")
    if sens is not None and spec is not None:
        lr_pos = sens / (1 - spec) if spec < 1 else math.inf
        lr_neg = (1 - sens) / spec if spec > 0 else math.inf
        return lr_pos, lr_neg, f"sensitivity {sens:.2f}, specificity {spec:.2f}"
    if lr_pos is not None or lr_neg is not None:
        return lr_pos, lr_neg, ""
    if vocab_accuracy is None or not vocab_accuracy.validated:
        raise reader.fail("an 'lr' item needs figures here or a finding with validated accuracy")
    detail = ""
    if vocab_accuracy.sensitivity is not None and vocab_accuracy.specificity is not None:
        detail = f"sensitivity {vocab_accuracy.sensitivity:.2f}, specificity {vocab_accuracy.specificity:.2f}"
    return vocab_accuracy.lr_pos, vocab_accuracy.lr_neg, detail


def _quality(reader: Reader, vocab_accuracy: Accuracy | None, small_study_n: int) -> tuple[str, bool]:
    """'pilot, n = 33' and whether the figures come from one study below ``small_study_n``."""
    size = reader.opt_number("n")
    design = reader.opt_text("design")
    if size is None and design is None and vocab_accuracy is not None and vocab_accuracy.validated:
        return vocab_accuracy.quality, vocab_accuracy.n is not None and vocab_accuracy.n < small_study_n
    parts = [design] if design else []
    if size is not None:
        parts.append(f"n = {int(size):,}")
    return ", ".join(parts) or "published accuracy", size is not None and size < small_study_n


def _evidence(compiler: _Compiler, raw: Any, where: str, scoring: Scoring,
              groups: Mapping[str, EvidenceGroup]) -> EvidenceRule:
    reader = Reader(RULESET_FILE, where, raw)
    reader.check_keys(_EVIDENCE_KEYS)
    group = reader.opt_text("group")
    if group is not None and group not in groups:
        raise reader.fail(f"unknown evidence group '{group}'")
    finding = reader.text("finding")
    head = finding.split(".")[0]
    known_heads = {
        "symptoms", "sensory_loss", "strength", "reflexes", "repeated_movements", "sex", "neurological examination"
    }
    if finding not in compiler.vocab.findings and head not in known_heads:
        raise reader.fail(f"unknown finding '{finding}'")
    default_when = finding if finding in compiler.vocab.findings else None
    when = compiler.expr(reader, "when", default_when)
    note = reader.text("note")
    source = compiler.source(reader)
    modes = [k for k in ("for", "against", "lr") if k in reader.table]
    if len(modes) != 1:
        raise reader.fail("give exactly one of 'for', 'against' or 'lr'")
    mode = modes[0]
    if mode == "lr":
        lr_mode = reader.text("lr")
        if lr_mode not in ("both", "pos", "neg"):
            raise reader.fail("lr must be 'both', 'pos' or 'neg'")
        vocab_acc = compiler.vocab.findings[finding].accuracy if finding in compiler.vocab.findings else None
        lr_pos, lr_neg, detail = _lr_figures(reader, vocab_acc)
        if lr_mode in ("both", "pos") and lr_pos is None:
            raise reader.fail("no positive likelihood ratio available")
        if lr_mode in ("both", "neg") and lr_neg is None:
            raise reader.fail("no negative likelihood ratio available")
        when_negative = None
        if lr_mode == "both":
            when_negative = compile_expression(f"not ({reader.table.get('when', finding)})", compiler.schema)
        elif lr_mode == "neg":
            when_negative, when, lr_pos = when, compile_expression("false", compiler.schema), None
        if lr_mode == "pos":
            lr_neg = None
        quality, small = _quality(reader, vocab_acc, scoring.small_study_n)
        return EvidenceRule(
            finding=finding,
            when=when,
            when_negative=when_negative,
            tier=None,
            direction=None,
            lr_pos=lr_pos,
            lr_neg=lr_neg,
            accuracy=detail,
            note=note,
            source=source,
            group=group,
            quality=quality,
            small_study=small,
        )
    if "n" in reader.table or "design" in reader.table:
        raise reader.fail("'n' and 'design' describe published figures: only for 'lr' items")
    tier = reader.text(mode)
    if tier not in ("weak", "moderate", "strong"):
        raise reader.fail(f"'{mode}' must be weak, moderate or strong")
    accuracy = reader.opt_text("accuracy_note") or "Pattern evidence, no validated accuracy."
    return EvidenceRule(
        finding=finding,
        when=when,
        when_negative=None,
        tier=tier,
        direction="for" if mode == "for" else "against",
        lr_pos=None,
        lr_neg=None,
        accuracy=accuracy,
        note=note,
        source=source,
        group=group,
    )


def _icd10(reader: Reader) -> dict[str, tuple[str, ...]]:
    table = reader.table_of("icd10")
    codes: dict[str, tuple[str, ...]] = {}
    for side, values in table.items():
        if side not in ICD_SIDES:
            raise reader.fail(f"icd10: unknown side '{side}'")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise reader.fail(f"icd10.{side} must be a list of codes")
        for code in values:
            if not re.match(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$", code):
                raise reader.fail(f"icd10.{side}: '{code}' is not an ICD-10-CM code")
        codes[side] = tuple(values)
    return codes


def _condition(compiler: _Compiler, raw: Any, index: int, scoring: Scoring,
               groups: Mapping[str, EvidenceGroup]) -> ConditionRule:
    reader = _entry(raw, index, "conditions")
    reader.check_keys({"id", "label", "requires", "icd10", "icd10_note", "measures", "evidence"})
    cid = reader.text("id")
    if cid not in CONDITION_IDS:
        raise reader.fail(f"unknown condition id '{cid}'")
    raw_evidence = reader.table.get("evidence")
    if not isinstance(raw_evidence, list) or not raw_evidence:
        raise reader.fail("'evidence' must be a non-empty list")
    evidence = tuple(
        _evidence(compiler, item, f"conditions.{cid}.evidence[{i}]", scoring, groups)
        for i, item in enumerate(raw_evidence)
    )
    measures = tuple(reader.text_list("measures"))
    for measure in measures:
        if measure not in MEASURES:
            raise reader.fail(f"unknown measure '{measure}'")
    return ConditionRule(
        id=cid,
        label=reader.text("label"),
        requires=compiler.expr(reader, "requires") if "requires" in reader.table else None,
        evidence=evidence,
        icd10=_icd10(reader),
        icd10_note=reader.opt_text("icd10_note"),
        measures=measures,
    )


def _known_item(key: str, vocab: Vocabulary) -> bool:
    """Whether ``key`` names an intake item (``slr``, ``strength.ehl``, ``age`` ...)."""
    head, _, tail = key.partition(".")
    return (
        key in vocab.findings
        or key in ("repeated_movements", "sensory_loss", "symptoms", "age", "sex", "side")
        or (head == "strength" and tail in vocab.strength)
        or (head == "reflexes" and tail in vocab.reflexes)
    )


def _assess_next(compiler: _Compiler, raw: Any, index: int, vocab: Vocabulary) -> AssessNextRule:
    reader = Reader(RULESET_FILE, f"assess_next[{index}]", raw)
    reader.check_keys({"findings", "when", "priority", "why", "source"})
    findings = tuple(reader.text_list("findings"))
    for key in findings:
        if not _known_item(key, vocab):
            raise reader.fail(f"unknown item '{key}'")
    return AssessNextRule(
        findings=findings,
        when=compiler.expr(reader, "when"),
        priority=reader.number("priority"),
        why=reader.text("why"),
        source=compiler.source(reader),
    )


def _evidence_groups(top: Reader) -> dict[str, EvidenceGroup]:
    groups: dict[str, EvidenceGroup] = {}
    for gid, raw in top.table_of("evidence_groups").items():
        reader = Reader(RULESET_FILE, f"evidence_groups.{gid}", raw)
        reader.check_keys({"label", "combine", "cap", "in_pattern_cap"})
        combine = reader.text("combine")
        if combine not in ("sum", "strongest"):
            raise reader.fail("combine must be 'sum' or 'strongest'")
        cap = reader.number("cap")
        if cap <= 0:
            raise reader.fail("cap must be positive")
        in_cap = reader.table.get("in_pattern_cap", True)
        if not isinstance(in_cap, bool):
            raise reader.fail("in_pattern_cap must be true or false")
        groups[gid] = EvidenceGroup(gid, reader.text("label"), "sum" if combine == "sum" else "strongest", cap, in_cap)
    return groups


def _safety(compiler: _Compiler, raw: Any, index: int) -> SafetyRule:
    reader = Reader(RULESET_FILE, f"safety[{index}]", raw)
    reader.check_keys({"id", "when", "keep", "note", "source", "warning"})
    keep = reader.text("keep")
    if keep not in CONDITION_IDS:
        raise reader.fail(f"unknown condition id '{keep}'")
    warning = reader.opt_text("warning")
    if warning is not None:
        try:
            warning.format(condition="", root="")
        except (KeyError, IndexError, ValueError):
            raise reader.fail("warning may use only {condition} and {root}") from None
    return SafetyRule(reader.text("id"), compiler.expr(reader, "when"), keep, reader.text("note"),
                      compiler.source(reader), warning)


def _screen(compiler: _Compiler, raw: Any, index: int, vocab: Vocabulary) -> ScreenGroup:
    reader = _entry(raw, index, "screen")
    reader.check_keys({"id", "label", "items", "suspects", "source"})
    items: list[ScreenItem] = []
    for text in reader.text_list("items"):
        keys = tuple(part.strip() for part in text.split("|"))
        for key in keys:
            if not _known_item(key, vocab):
                raise reader.fail(f"unknown item '{key}'")
        items.append(ScreenItem(keys))
    if not items:
        raise reader.fail("'items' must not be empty")
    suspects = tuple(reader.text_list("suspects"))
    for suspect in suspects:
        if suspect not in SUSPECTS:
            raise reader.fail(f"unknown 'suspects' value '{suspect}'")
    return ScreenGroup(reader.text("id"), reader.text("label"), tuple(items), suspects, compiler.source(reader))


def parse_ruleset(data: Mapping[str, Any], vocab: Vocabulary) -> Ruleset:
    """Validate and compile the rule set; the first problem raises :class:`ResourceError`."""
    top = Reader(RULESET_FILE, "(top level)", dict(data))
    top.check_keys({
        "name", "version", "scoring", "facts", "mixed", "red_flags", "conditions", "assess_next", "evidence_groups",
        "safety", "screen",
    })
    version = top.text("version")
    if not _SEMVER.match(version):
        raise top.fail("version must be semantic (MAJOR.MINOR.PATCH)")
    fact_table = top.table_of("facts")
    compiler = _Compiler(vocab, build_schema(vocab, list(fact_table)))
    facts_reader = Reader(RULESET_FILE, "facts", fact_table)
    facts = {name: compiler.expr(facts_reader, name) for name in fact_table}
    _check_fact_cycles(facts)

    def array(key: str) -> list[Any]:
        value = top.table.get(key, [])
        if not isinstance(value, list):
            raise top.fail(f"'{key}' must be an array of tables")
        return value

    scoring = _scoring(top)
    groups = _evidence_groups(top)
    red_flags = tuple(_red_flag(compiler, raw, i) for i, raw in enumerate(array("red_flags")))
    conditions = tuple(_condition(compiler, raw, i, scoring, groups) for i, raw in enumerate(array("conditions")))
    ids = [c.id for c in conditions]
    if sorted(ids) != sorted(CONDITION_IDS):
        missing = sorted(set(CONDITION_IDS) - set(ids))
        raise top.fail(f"conditions must define each id once; missing: {', '.join(missing) or 'none'}")
    flag_ids = [f.id for f in red_flags]
    if len(set(flag_ids)) != len(flag_ids):
        raise top.fail("red flag ids must be unique")
    mixed = []
    for i, raw in enumerate(array("mixed")):
        reader = Reader(RULESET_FILE, f"mixed[{i}]", raw)
        reader.check_keys({"when", "conditions", "note", "source"})
        listed = tuple(reader.text_list("conditions"))
        if len(listed) != 2 or not set(listed) <= set(CONDITION_IDS):
            raise reader.fail("'conditions' must name two condition ids")
        mixed.append(MixedRule(compiler.expr(reader, "when"), listed, reader.text("note"), compiler.source(reader)))
    assess = tuple(_assess_next(compiler, raw, i, vocab) for i, raw in enumerate(array("assess_next")))
    safety = tuple(_safety(compiler, raw, i) for i, raw in enumerate(array("safety")))
    screen = tuple(_screen(compiler, raw, i, vocab) for i, raw in enumerate(array("screen")))
    if len({g.id for g in screen}) != len(screen):
        raise top.fail("screen group ids must be unique")
    return Ruleset(
        name=top.text("name"),
        version=version,
        scoring=scoring,
        facts=facts,
        red_flags=red_flags,
        conditions=conditions,
        mixed=tuple(mixed),
        assess_next=tuple(sorted(assess, key=lambda rule: -rule.priority)),
        evidence_groups=groups,
        safety=safety,
        screen=screen,
    )


def _check_fact_cycles(facts: Mapping[str, Node]) -> None:
    state: dict[str, int] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ResourceError(RULESET_FILE, f"facts.{name}", f"circular definition: {' -> '.join((*trail, name))}")
        state[name] = 1
        for used in facts[name].names():
            if used in facts:
                visit(used, (*trail, name))
        state[name] = 2

    for name in facts:
        visit(name, ())


def describe_lr(lr_pos: float | None, lr_neg: float | None) -> str:
    """'LR+ 2.80, LR- 0.80' for notes."""
    parts = []
    if lr_pos is not None:
        parts.append(f"LR+ {format_lr(lr_pos)}")
    if lr_neg is not None:
        parts.append(f"LR- {format_lr(lr_neg)}")
    return ", ".join(parts)


@cache
def load_ruleset() -> Ruleset:
    """The shipped rule set (compiled once per process)."""
    return parse_ruleset(load_toml(*RULESET_FILE.split("/")), load_vocabulary())
