"""The background and the care record of a visit as the lines a sheet prints (no layout here).

A signed visit prints the background it was signed with; a draft the one it is assessed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ptassist.core.background import (
    Background,
    background_answers,
    default_background_rules,
    parse_background,
    with_background,
)
from ptassist.core.care import Care, intervention_labels, parse_care
from ptassist.core.records import Visit
from ptassist.core.validation import ValidationError


@dataclass(frozen=True)
class RecordLines:
    """Background, goals, plan of care, the session and consent, each as printable lines."""

    conditions: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    allergies: tuple[str, ...] = ()
    background_recorded: bool = False
    goals: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()
    session: tuple[str, ...] = ()
    consent: str = ""


def _background(data: dict[str, Any] | None) -> Background | None:
    if data is None:
        return None
    try:
        return parse_background(data, default_background_rules())
    except ValidationError:
        return None


def _care(data: dict[str, Any]) -> Care:
    try:
        return parse_care(data) if data else Care()
    except ValidationError:
        return Care()


def _labels(ids: tuple[str, ...]) -> str:
    known = intervention_labels()
    return ", ".join(known.get(i, i) for i in ids)


def record_lines(visit: Visit) -> RecordLines:
    """The lines of ``visit.background`` and ``visit.care``."""
    rules = default_background_rules()
    background = _background(visit.background)
    conditions: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    allergies: tuple[str, ...] = ()
    if background is not None:
        conditions = tuple(c.text + (f" (ICD-10-CM {c.icd10})" if c.icd10 else "") for c in background.conditions)

        def flags(ids: tuple[str, ...]) -> str:
            names = [flag.label for flag in (rules.flag(f) for f in ids) if flag is not None]
            return f" [{', '.join(names)}]" if names else ""

        medications = tuple(" ".join(x for x in (m.name, m.dose, m.frequency) if x) + flags(m.flags)
                            for m in background.medications)
        allergies = tuple(a.substance + (f": {a.reaction}" if a.reaction else "") for a in background.allergies)
    care = _care(visit.care)
    goals = tuple(f"{g.term.capitalize()} term: {g.text}" + (f" (by {g.target_date.isoformat()})" if g.target_date
                                                               else "") for g in care.goals)
    plan = tuple(line for line in (
        f"Frequency: {care.frequency}" if care.frequency else "",
        f"Duration: {care.duration}" if care.duration else "",
        f"Planned interventions: {_labels(care.planned_interventions)}" if care.planned_interventions else "",
    ) if line)
    session = tuple(line for line in (
        _labels(care.delivered) if care.delivered else "",
        care.delivered_notes,
    ) if line)
    consent = ""
    if care.consent_given is not None:
        consent = ("Consent to assessment and treatment given" if care.consent_given
                   else "Consent to treatment NOT given") + (f" by {care.consent_by}" if care.consent_by else "")
    return RecordLines(conditions, medications, allergies, background is not None, goals, plan, session, consent)


def assessed_intake(visit: Visit) -> dict[str, Any] | None:
    """The visit's intake as the engine assessed it: the background's answers fill what it left open."""
    background = _background(visit.background)
    if background is None:
        return visit.intake
    rules = default_background_rules()
    return with_background(visit.intake, background_answers(background, rules))
