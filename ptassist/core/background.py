"""A patient's background (conditions, medications, allergies) and the intake answers it implies.

The flags the engine cares about are data (resources/clinical/background.toml). Background items
that carry a flag with a finding answer that finding "yes" for each visit, unless the visit's own
intake answers it (the clinician's override for that visit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ptassist.core.errors import ResourceError
from ptassist.core.resources import load_toml
from ptassist.core.validation import MAX_SHORT, ValidationError, check_id_list, clean_text

BACKGROUND_FORMAT = "ptassist-background/1"
ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")
MAX_ITEMS = 100


@dataclass(frozen=True)
class Flag:
    """A background flag: what it means, the finding it answers (if any) and its source."""

    id: str
    label: str
    finding: str | None
    source: str
    words: tuple[str, ...] = ()
    icd10_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BackgroundRules:
    """The condition and medication flags of background.toml."""

    version: str
    condition_flags: dict[str, Flag]
    medication_flags: dict[str, Flag]

    def suggest_condition_flags(self, text: str, code: str) -> tuple[str, ...]:
        words = text.casefold()
        return tuple(fid for fid, flag in self.condition_flags.items()
                     if (code and code.upper().startswith(flag.icd10_prefixes))
                     or any(word in words for word in flag.words))

    def suggest_medication_flags(self, name: str) -> tuple[str, ...]:
        words = name.casefold()
        return tuple(fid for fid, flag in self.medication_flags.items() if any(w in words for w in flag.words))

    def flag(self, flag_id: str) -> Flag | None:
        return self.condition_flags.get(flag_id) or self.medication_flags.get(flag_id)


@dataclass(frozen=True)
class Condition:
    """A condition in the patient's history, with an optional ICD-10-CM code."""

    text: str
    icd10: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Medication:
    """A medication the patient takes."""

    name: str
    dose: str = ""
    frequency: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Allergy:
    """An allergy or intolerance."""

    substance: str
    reaction: str = ""


@dataclass(frozen=True)
class Background:
    """A patient's background as one version of it."""

    conditions: tuple[Condition, ...] = ()
    medications: tuple[Medication, ...] = ()
    allergies: tuple[Allergy, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.conditions or self.medications or self.allergies)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": BACKGROUND_FORMAT,
            "conditions": [{"text": c.text, "icd10": c.icd10, "flags": list(c.flags)} for c in self.conditions],
            "medications": [{"name": m.name, "dose": m.dose, "frequency": m.frequency, "flags": list(m.flags)}
                            for m in self.medications],
            "allergies": [{"substance": a.substance, "reaction": a.reaction} for a in self.allergies],
        }


@dataclass(frozen=True)
class BackgroundAnswer:
    """One intake finding answered by the background, and the items that answer it."""

    finding: str
    because: tuple[str, ...] = field(default_factory=tuple)


def _flags(raw: Any, where: str, allowed: Mapping[str, Flag]) -> tuple[str, ...]:
    return check_id_list(raw, where, allowed, "flag", "known: " + ", ".join(allowed))


def check_icd10(value: Any, where: str) -> str:
    code = clean_text(value, where, limit=10).upper()
    if code and not ICD10.match(code):
        raise ValidationError(where, "is not an ICD-10-CM code (a letter, two characters, then an optional "
                                     "dot and up to four characters, e.g. M81.0)")
    return code


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise ValidationError(f"background.{key}", "must be a list of objects")
    if len(raw) > MAX_ITEMS:
        raise ValidationError(f"background.{key}", f"at most {MAX_ITEMS} items")
    return raw


def parse_background(data: Any, rules: BackgroundRules) -> Background:
    """Validate a background object (as :meth:`Background.to_json` writes it); raises ValidationError."""
    if not isinstance(data, dict):
        raise ValidationError("background", "must be an object")
    unknown = set(data) - {"format", "version", "conditions", "medications", "allergies"}
    if unknown:
        raise ValidationError("background", f"unknown key '{sorted(unknown)[0][:40]}'")
    conditions = tuple(
        Condition(clean_text(c.get("text"), f"background.conditions[{i}].text", required=True, limit=MAX_SHORT),
                  check_icd10(c.get("icd10", ""), f"background.conditions[{i}].icd10"),
                  _flags(c.get("flags", []), f"background.conditions[{i}].flags", rules.condition_flags))
        for i, c in enumerate(_items(data, "conditions")))
    medications = tuple(
        Medication(clean_text(m.get("name"), f"background.medications[{i}].name", required=True),
                   clean_text(m.get("dose", ""), f"background.medications[{i}].dose"),
                   clean_text(m.get("frequency", ""), f"background.medications[{i}].frequency"),
                   _flags(m.get("flags", []), f"background.medications[{i}].flags", rules.medication_flags))
        for i, m in enumerate(_items(data, "medications")))
    allergies = tuple(
        Allergy(clean_text(a.get("substance"), f"background.allergies[{i}].substance", required=True),
                clean_text(a.get("reaction", ""), f"background.allergies[{i}].reaction"))
        for i, a in enumerate(_items(data, "allergies")))
    return Background(conditions, medications, allergies)


def background_answers(background: Background, rules: BackgroundRules) -> dict[str, BackgroundAnswer]:
    """The intake findings the background answers "yes", each with the items behind it."""
    reasons: dict[str, list[str]] = {}
    for condition in background.conditions:
        for flag_id in condition.flags:
            flag = rules.condition_flags.get(flag_id)
            if flag and flag.finding:
                reasons.setdefault(flag.finding, []).append(condition.text)
    for medication in background.medications:
        for flag_id in medication.flags:
            flag = rules.medication_flags.get(flag_id)
            if flag and flag.finding:
                reasons.setdefault(flag.finding, []).append(medication.name)
    return {finding: BackgroundAnswer(finding, tuple(items)) for finding, items in reasons.items()}


def with_background(intake: dict[str, Any] | None, answers: Mapping[str, BackgroundAnswer]) -> dict[str, Any] | None:
    """The intake the engine assesses: the background's answers fill findings the visit left open.

    An answer the visit gives itself (true or false) is the clinician's override and wins.
    """
    if intake is None or not answers:
        return intake
    findings = dict(intake.get("findings") or {})
    for finding in answers:
        findings.setdefault(finding, True)
    return {**intake, "findings": findings}


def _flag_table(raw: Any, section: str, vocabulary_findings: frozenset[str] | None) -> dict[str, Flag]:
    if not isinstance(raw, dict):
        raise ResourceError("clinical/background.toml", section, "must be a table of flags")
    flags = {}
    for fid, spec in raw.items():
        finding = spec.get("finding")
        if finding is not None and vocabulary_findings is not None and finding not in vocabulary_findings:
            raise ResourceError("clinical/background.toml", f"{section}.{fid}", f"unknown finding '{finding}'")
        if finding is not None and not spec.get("source"):
            raise ResourceError("clinical/background.toml", f"{section}.{fid}", "a flag with a finding needs a source")
        flags[fid] = Flag(fid, str(spec["label"]), finding, str(spec.get("source", "")),
                          tuple(w.casefold() for w in spec.get("words", [])),
                          tuple(p.upper() for p in spec.get("icd10_prefixes", [])))
    return flags


def load_background_rules(vocabulary_findings: frozenset[str] | None = None) -> BackgroundRules:
    """Read background.toml; with the vocabulary's finding ids, check each flag's finding exists."""
    data = load_toml("clinical", "background.toml")
    if data.get("format") != BACKGROUND_FORMAT:
        raise ResourceError("clinical/background.toml", "format", f"expected {BACKGROUND_FORMAT}")
    return BackgroundRules(str(data.get("version", "")),
                           _flag_table(data.get("condition_flags", {}), "condition_flags", vocabulary_findings),
                           _flag_table(data.get("medication_flags", {}), "medication_flags", vocabulary_findings))


@cache
def default_background_rules() -> BackgroundRules:
    return load_background_rules()


def _parts(text: str, where: str, count: int) -> list[str]:
    parts = [p.strip() for p in text.split(";")]
    if len(parts) > count:
        raise ValidationError(where, f"at most {count} parts separated by ';'")
    return parts + [""] * (count - len(parts))


def condition_from_text(text: str, rules: BackgroundRules) -> Condition:
    """``"Osteoporosis; M81.0"``: a condition, optional code; flags suggested from both."""
    name, code = _parts(text, "condition", 2)
    name = clean_text(name, "condition", required=True)
    code = check_icd10(code, "condition (ICD-10-CM code)")
    return Condition(name, code, rules.suggest_condition_flags(name, code))


def medication_from_text(text: str, rules: BackgroundRules) -> Medication:
    """``"Prednisolone; 5 mg; once daily"``: name, dose, frequency; flags suggested from the name."""
    name, dose, frequency = _parts(text, "medication", 3)
    name = clean_text(name, "medication", required=True)
    return Medication(name, clean_text(dose, "medication dose"), clean_text(frequency, "medication frequency"),
                      rules.suggest_medication_flags(name))


def allergy_from_text(text: str) -> Allergy:
    """``"Penicillin; rash"``: substance and optional reaction."""
    substance, reaction = _parts(text, "allergy", 2)
    return Allergy(clean_text(substance, "allergy", required=True), clean_text(reaction, "allergy reaction"))
