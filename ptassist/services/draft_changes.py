"""What differs between the changes a user had not saved and the version saved elsewhere, in words,
so that after loading the other version nothing the user typed is out of sight."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ptassist.core.records import Visit
from ptassist.core.vocabulary import Vocabulary


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys; lists (symptom marks) are compared whole."""
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flat(inner, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value}


def _words(value: Any) -> str:
    if value is None:
        return "not recorded"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(_words(v) if not isinstance(v, Mapping) else " ".join(str(x) for x in v.values())
                         for v in value) or "none"
    return str(value)


def _label(key: str, vocabulary: Vocabulary | None) -> str:
    if vocabulary is not None:
        head, _, tail = key.partition(".")
        if head == "findings" and tail in vocabulary.findings:
            return vocabulary.findings[tail].label
        if head == "strength" and tail in vocabulary.strength:
            return vocabulary.strength[tail]
        if head == "reflexes" and tail in vocabulary.reflexes:
            return vocabulary.reflexes[tail]
    return key.replace("_", " ")


def describe_unsaved(mine: Mapping[str, Any], theirs: Visit, vocabulary: Vocabulary | None = None) -> list[str]:
    """One line per field where the user's unsaved value differs from the other version."""
    lines: list[str] = []
    for section, text in (mine.get("narrative") or {}).items():
        if text.strip() != theirs.narrative.get(section, "").strip():
            lines.append(f"{section.capitalize()} (yours):\n{text}")
    for group, stored in (("intake", theirs.intake or {}), ("measures", theirs.measures)):
        if group not in mine:
            continue
        yours, other = _flat(mine[group] or {}), _flat(stored)
        for key in sorted(set(yours) | set(other)):
            if key in ("format", "age", "sex") or yours.get(key) == other.get(key):
                continue
            lines.append(f"{_label(key, vocabulary)}: yours {_words(yours.get(key))}, "
                         f"theirs {_words(other.get(key))}")
    if "prescription" in mine and mine["prescription"] != theirs.prescription:
        lines.append("Home exercise programme: yours " + (", ".join(i["exercise"] for i in mine["prescription"])
                                                          or "empty"))
    return lines
