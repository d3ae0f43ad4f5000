"""Goals, the plan of care, what was done in the session and consent: one visit's care record.

Kept as one object (``ptassist-care/1``) beside the narrative; every part is optional, so a visit
records only what was done. The intervention list is data (resources/clinical/care.toml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from ptassist.core.errors import ResourceError
from ptassist.core.resources import load_toml
from ptassist.core.validation import MAX_SHORT, MAX_TEXT, ValidationError, check_id_list, clean_text, parse_date

CARE_FORMAT = "ptassist-care/1"
GOAL_TERMS = ("short", "long")
MAX_GOALS = 20


@cache
def intervention_labels() -> dict[str, str]:
    """Intervention id -> label, from care.toml."""
    data = load_toml("clinical", "care.toml")
    if data.get("format") != CARE_FORMAT or not isinstance(data.get("interventions"), dict):
        raise ResourceError("clinical/care.toml", "format", f"expected {CARE_FORMAT} with [interventions]")
    return {str(k): str(v) for k, v in data["interventions"].items()}


@dataclass(frozen=True)
class Goal:
    """A short- or long-term goal, with an optional target date."""

    term: str
    text: str
    target_date: date | None = None


@dataclass(frozen=True)
class Care:
    """One visit's goals, plan of care, interventions delivered and consent."""

    goals: tuple[Goal, ...] = ()
    frequency: str = ""  # e.g. "2 x per week"
    duration: str = ""  # e.g. "6 weeks"
    planned_interventions: tuple[str, ...] = ()
    delivered: tuple[str, ...] = ()
    delivered_notes: str = ""
    consent_given: bool | None = None
    consent_by: str = ""  # the patient, or who consented for them

    @property
    def empty(self) -> bool:
        return self == Care()

    @property
    def has_plan(self) -> bool:
        return bool(self.goals or self.frequency or self.duration or self.planned_interventions)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": CARE_FORMAT}
        if self.goals:
            data["goals"] = [{"term": g.term, "text": g.text,
                              **({"target_date": g.target_date.isoformat()} if g.target_date else {})}
                             for g in self.goals]
        plan: dict[str, Any] = {k: v for k, v in (("frequency", self.frequency), ("duration", self.duration)) if v}
        if self.planned_interventions:
            plan["interventions"] = list(self.planned_interventions)
        if plan:
            data["plan_of_care"] = plan
        session: dict[str, Any] = {}
        if self.delivered:
            session["interventions"] = list(self.delivered)
        if self.delivered_notes:
            session["notes"] = self.delivered_notes
        if session:
            data["session"] = session
        if self.consent_given is not None:
            data["consent"] = {"given": self.consent_given, **({"by": self.consent_by} if self.consent_by else {})}
        return data


def _object(value: Any, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(where, "must be an object")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ValidationError(where, f"unknown key '{unknown[0][:40]}'")
    return value


def _interventions(value: Any, where: str) -> tuple[str, ...]:
    return check_id_list(value, where, intervention_labels(), "intervention", "see resources/clinical/care.toml")


def _goal(value: Any, where: str) -> Goal:
    obj = _object(value, where, ("term", "text", "target_date"))
    term = obj.get("term")
    if term not in GOAL_TERMS:
        raise ValidationError(f"{where}.term", "must be short or long")
    target = obj.get("target_date")
    return Goal(str(term), clean_text(obj.get("text"), f"{where}.text", required=True, limit=MAX_SHORT),
                parse_date(target, f"{where}.target_date") if target else None)


def parse_care(data: Any) -> Care:
    """Validate a care object (as :meth:`Care.to_json` writes it); raises ValidationError naming the key."""
    obj = _object(data, "care", ("format", "goals", "plan_of_care", "session", "consent"))
    if obj.get("format", CARE_FORMAT) != CARE_FORMAT:
        raise ValidationError("care.format", f"expected {CARE_FORMAT}")
    goals_raw = obj.get("goals", [])
    if not isinstance(goals_raw, list) or len(goals_raw) > MAX_GOALS:
        raise ValidationError("care.goals", f"must be a list of at most {MAX_GOALS} goals")
    goals = tuple(_goal(g, f"care.goals[{i}]") for i, g in enumerate(goals_raw))
    plan = _object(obj.get("plan_of_care", {}), "care.plan_of_care", ("frequency", "duration", "interventions"))
    session = _object(obj.get("session", {}), "care.session", ("interventions", "notes"))
    consent = _object(obj.get("consent", {}), "care.consent", ("given", "by"))
    given = consent.get("given")
    if given is not None and not isinstance(given, bool):
        raise ValidationError("care.consent.given", "must be true or false")
    return Care(
        goals=goals,
        frequency=clean_text(plan.get("frequency", ""), "care.plan_of_care.frequency"),
        duration=clean_text(plan.get("duration", ""), "care.plan_of_care.duration"),
        planned_interventions=_interventions(plan.get("interventions", []), "care.plan_of_care.interventions"),
        delivered=_interventions(session.get("interventions", []), "care.session.interventions"),
        delivered_notes=clean_text(session.get("notes", ""), "care.session.notes", limit=MAX_TEXT, multiline=True),
        consent_given=given,
        consent_by=clean_text(consent.get("by", ""), "care.consent.by"),
    )


def carried_forward(care: Care) -> Care:
    """What a follow-up starts with: the goals and the plan of care, not the session or its consent."""
    return Care(goals=care.goals, frequency=care.frequency, duration=care.duration,
                planned_interventions=care.planned_interventions)
