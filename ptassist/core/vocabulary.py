"""The findings vocabulary: every key an intake may carry, with labels, help and accuracy."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from ptassist.core.errors import ResourceError
from ptassist.core.resources import load_toml

VOCABULARY_FILE = "clinical/vocabulary.toml"
SOURCES_FILE = "clinical/sources.toml"

FindingType = Literal["bool", "number"]
GROUPS_ORDER = ("history", "medical_screen", "examination", "neurodynamic")


@dataclass(frozen=True)
class Accuracy:
    """Published diagnostic accuracy of a test, or an explicit statement that none exists."""

    source: str
    note: str
    validated: bool
    sensitivity: float | None = None
    specificity: float | None = None
    lr_pos: float | None = None
    lr_neg: float | None = None
    lr_computed: bool = False
    n: int | None = None  # patients in the study the figures come from (None: pooled or not stated)
    design: str | None = None  # "pilot", "cohort", "meta-analysis", ...

    @property
    def quality(self) -> str:
        """Evidence quality in a few words: 'pilot, n = 33', 'meta-analysis'."""
        if not self.validated:
            return "no validated accuracy"
        parts = [self.design] if self.design else []
        if self.n is not None:
            parts.append(f"n = {self.n:,}")
        return ", ".join(parts) or "published accuracy"

    def summary(self) -> str:
        """One line for a clinician: the figures, or 'no validated accuracy'."""
        if not self.validated:
            return f"No validated accuracy. {self.note} [{self.source}]".strip()
        parts = []
        if self.sensitivity is not None and self.specificity is not None:
            parts.append(f"sensitivity {self.sensitivity:.2f}, specificity {self.specificity:.2f}")
        if self.lr_pos is not None:
            parts.append(f"LR+ {format_lr(self.lr_pos)}")
        if self.lr_neg is not None:
            parts.append(f"LR- {format_lr(self.lr_neg)}")
        computed = " (LRs computed from sensitivity and specificity)" if self.lr_computed else ""
        return f"{'; '.join(parts)}{computed}. {self.note} [{self.source}]"


def format_lr(value: float) -> str:
    """Likelihood ratios to two significant decimals; infinity where specificity is 1."""
    if math.isinf(value):
        return "∞"
    return f"{value:.2f}"


@dataclass(frozen=True)
class Finding:
    """One finding id of the intake format."""

    id: str
    group: str
    label: str
    type: FindingType
    help: str
    ask: str | None = None
    source: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    accuracy: Accuracy | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Everything an intake may name: regions, symptom kinds, muscles, reflexes and findings."""

    version: str
    groups: Mapping[str, str]
    regions: Mapping[str, str]
    region_views: Mapping[str, str]
    symptom_kinds: Mapping[str, str]
    strength: Mapping[str, str]
    reflexes: Mapping[str, str]
    findings: Mapping[str, Finding]
    sources: Mapping[str, str]

    def by_group(self, group: str) -> list[Finding]:
        """The findings of one group, in file order."""
        return [f for f in self.findings.values() if f.group == group]


class Reader:
    """Typed access to one table of a resource file; every problem names file and entry."""

    def __init__(self, filename: str, entry: str, table: Any) -> None:
        if not isinstance(table, dict):
            raise ResourceError(filename, entry, "expected a table")
        self.filename = filename
        self.entry = entry
        self.table: dict[str, Any] = table

    def fail(self, message: str) -> ResourceError:
        return ResourceError(self.filename, self.entry, message)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' must be a non-empty string")
        return value

    def opt_text(self, key: str) -> str | None:
        if key not in self.table:
            return None
        return self.text(key)

    def number(self, key: str) -> float:
        value = self.table.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"'{key}' must be a number")
        return float(value)

    def opt_number(self, key: str) -> float | None:
        return None if key not in self.table else self.number(key)

    def text_list(self, key: str, default: list[str] | None = None) -> list[str]:
        value = self.table.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"'{key}' must be a list of strings")
        return list(value)

    def table_of(self, key: str) -> dict[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"'{key}' must be a table")
        return value

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.table) - allowed)
        if unknown:
            raise self.fail(f"unknown key(s) {', '.join(unknown)}")


def _accuracy(reader: Reader, sources: Mapping[str, str]) -> Accuracy | None:
    raw = reader.table.get("accuracy")
    if raw is None:
        return None
    acc = Reader(reader.filename, f"{reader.entry}.accuracy", raw)
    acc.check_keys({"none", "note", "source", "sensitivity", "specificity", "lr_pos", "lr_neg", "n", "design"})
    source = acc.text("source")
    if source not in sources:
        raise acc.fail(f"unknown source key '{source}'")
    note = acc.text("note", "") if "note" in acc.table else ""
    if acc.table.get("none") is True:
        if any(k in acc.table for k in ("sensitivity", "specificity", "lr_pos", "lr_neg")):
            raise acc.fail("'none = true' cannot carry figures")
        return Accuracy(source=source, note=note, validated=False)
    sens, spec = acc.opt_number("sensitivity"), acc.opt_number("specificity")
    for name, value in (("sensitivity", sens), ("specificity", spec)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise acc.fail(f"'{name}' must lie between 0 and 1")
    lr_pos, lr_neg = acc.opt_number("lr_pos"), acc.opt_number("lr_neg")
    size = acc.opt_number("n")
    if size is not None and (size < 1 or size != int(size)):
        raise acc.fail("'n' must be a whole number of patients")
    design = acc.opt_text("design")
    computed = False
    if sens is not None and spec is not None:
        if lr_pos is None:
            lr_pos = sens / (1.0 - spec) if spec < 1.0 else math.inf
            computed = True
        if lr_neg is None:
            lr_neg = (1.0 - sens) / spec if spec > 0.0 else math.inf
            computed = True
    if lr_pos is None and lr_neg is None:
        raise acc.fail("give figures (sensitivity and specificity, or likelihood ratios) or none = true")
    return Accuracy(
        source=source,
        note=note,
        validated=True,
        sensitivity=sens,
        specificity=spec,
        lr_pos=lr_pos,
        lr_neg=lr_neg,
        lr_computed=computed,
        n=int(size) if size is not None else None,
        design=design,
    )


_FINDING_KEYS = {"id", "group", "label", "type", "help", "ask", "source", "min", "max", "unit", "accuracy"}


def _finding(raw: Any, index: int, groups: Mapping[str, str], sources: Mapping[str, str]) -> Finding:
    entry_name = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    reader = Reader(VOCABULARY_FILE, f"findings.{entry_name}", raw)
    reader.check_keys(_FINDING_KEYS)
    fid = reader.text("id")
    if not fid.isidentifier() or not fid.islower():
        raise reader.fail("id must be lower_snake_case")
    group = reader.text("group")
    if group not in groups:
        raise reader.fail(f"unknown group '{group}'")
    ftype = reader.text("type", "bool")
    if ftype not in ("bool", "number"):
        raise reader.fail("type must be 'bool' or 'number'")
    source = reader.opt_text("source")
    if source is not None and source not in sources:
        raise reader.fail(f"unknown source key '{source}'")
    minimum = reader.opt_number("min")
    maximum = reader.opt_number("max")
    if ftype == "number" and (minimum is None or maximum is None or minimum >= maximum):
        raise reader.fail("a number finding needs min < max")
    accuracy = _accuracy(reader, sources)
    # Examination tests must state their accuracy or its absence, except signs that are
    # observations rather than tests (effusion, percussion tenderness).
    is_test = group in ("examination", "neurodynamic") and ftype == "bool" and fid not in _OBSERVATIONS
    if is_test and accuracy is None:
        raise reader.fail("examination tests need an accuracy table (figures or none = true)")
    return Finding(
        id=fid,
        group=group,
        label=reader.text("label"),
        type="number" if ftype == "number" else "bool",
        help=reader.text("help"),
        ask=reader.opt_text("ask"),
        source=source,
        minimum=minimum,
        maximum=maximum,
        unit=reader.opt_text("unit"),
        accuracy=accuracy,
    )


# Examination observations that are signs rather than diagnostic tests: no accuracy applies.
_OBSERVATIONS = frozenset({"knee_effusion", "spinal_percussion_tenderness"})


def _labels(reader: Reader, key: str) -> tuple[dict[str, str], dict[str, str]]:
    """A table of id = "label" or id = { label = ..., view = ... }."""
    labels: dict[str, str] = {}
    views: dict[str, str] = {}
    for rid, value in reader.table_of(key).items():
        if isinstance(value, str):
            labels[rid] = value
        elif isinstance(value, dict):
            sub = Reader(reader.filename, f"{key}.{rid}", value)
            labels[rid] = sub.text("label")
            if "view" in value:
                views[rid] = sub.text("view")
        else:
            raise reader.fail(f"{key}.{rid} must be a label or a table")
    if not labels:
        raise reader.fail(f"'{key}' is empty")
    return labels, views


def parse_vocabulary(data: Mapping[str, Any], sources: Mapping[str, str]) -> Vocabulary:
    """Build and validate the vocabulary from the parsed TOML; fails fast on the first problem."""
    reader = Reader(VOCABULARY_FILE, "(top level)", dict(data))
    groups, _ = _labels(reader, "groups")
    regions, views = _labels(reader, "regions")
    kinds, _ = _labels(reader, "symptom_kinds")
    strength, _ = _labels(reader, "strength")
    reflexes, _ = _labels(reader, "reflexes")
    raw_findings = data.get("findings")
    if not isinstance(raw_findings, list) or not raw_findings:
        raise reader.fail("'findings' must be a non-empty array of tables")
    findings: dict[str, Finding] = {}
    for index, raw in enumerate(raw_findings):
        finding = _finding(raw, index, groups, sources)
        if finding.id in findings:
            raise ResourceError(VOCABULARY_FILE, f"findings.{finding.id}", "duplicate id")
        findings[finding.id] = finding
    return Vocabulary(
        version=reader.text("version"),
        groups=groups,
        regions=regions,
        region_views=views,
        symptom_kinds=kinds,
        strength=strength,
        reflexes=reflexes,
        findings=findings,
        sources=sources,
    )


def parse_sources(data: Mapping[str, Any]) -> dict[str, str]:
    """The source keys and their citations."""
    table = data.get("sources")
    if not isinstance(table, dict) or not table:
        raise ResourceError(SOURCES_FILE, "sources", "must be a non-empty table")
    for key, value in table.items():
        if not isinstance(value, str):
            raise ResourceError(SOURCES_FILE, f"sources.{key}", "citation must be a string")
    return dict(table)


@cache
def load_sources() -> dict[str, str]:
    """The shipped source list."""
    return parse_sources(load_toml(*SOURCES_FILE.split("/")))


@cache
def load_vocabulary() -> Vocabulary:
    """The shipped vocabulary (loaded once per process)."""
    return parse_vocabulary(load_toml(*VOCABULARY_FILE.split("/")), load_sources())
