"""The words for urgency and the red-flag screen, shared by the report, the GUI and the sheets.

"No red flag fired" and "the red-flag screen was done and was negative" are different statements:
nothing here says the second unless the assessment's screen is complete. Works on the assessment
JSON (``ptassist-assessment/1``), so visits signed before rule set 1.1.0, whose assessment has no
``screen``, still display truthfully.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

URGENCY_MEANING = {
    "emergency": "now, same day: emergency department or on-call team; no treatment today",
    "urgent": "contact the responsible doctor or pathway within 24 hours; imaging within days",
    "routine": "routine medical referral or letter",
    "none": "no red flag fired: treat and monitor",
}


@dataclass(frozen=True)
class ScreenSummary:
    """What may be said about the red-flag screen of one assessment."""

    recorded: bool  # False for assessments made before the screen existed (rule set < 1.1.0)
    complete: bool
    not_asked: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # (group label, items not asked) with gaps only
    positive: tuple[str, ...] = ()  # screen questions answered yes
    follow_up: tuple[str, ...] = ()  # questions that decide a flag a yes answer opened

    @property
    def line(self) -> str:
        """'Red-flag screen incomplete: 12 questions not asked' and the like."""
        if not self.recorded:
            return "Red-flag screen: not recorded by the rule set this visit was assessed with"
        if self.complete and self.follow_up:
            count = len(self.follow_up)
            return f"Red-flag screen complete; a yes answer needs {count} follow-up question{'s' if count != 1 else ''}"
        if self.complete:
            return "Red-flag screen complete"
        count = len(self.not_asked)
        return f"Red-flag screen incomplete: {count} question{'s' if count != 1 else ''} not asked"


def screen_summary(assessment: Mapping[str, Any]) -> ScreenSummary:
    """The screen of an assessment JSON object (``{}`` or a pre-1.1.0 one: not recorded)."""
    screen = assessment.get("screen")
    if not isinstance(screen, Mapping):
        return ScreenSummary(recorded=False, complete=False, not_asked=(), groups=())
    groups = tuple(
        (str(g.get("label", g.get("id", ""))), tuple(g.get("not_asked", ())))
        for g in screen.get("groups", ())
        if g.get("not_asked")
    )
    return ScreenSummary(
        recorded=True,
        complete=bool(screen.get("complete")),
        not_asked=tuple(screen.get("not_asked", ())),
        groups=groups,
        positive=tuple(screen.get("positive", ())),
        follow_up=tuple(screen.get("follow_up", ())),
    )


def urgency_headline(assessment: Mapping[str, Any]) -> str:
    """The first line a clinician reads: never a plain "none" before the screen is complete."""
    urgency = str(assessment.get("urgency", "none"))
    if urgency != "none":
        return f"{urgency.upper()}: {URGENCY_MEANING[urgency]}"
    summary = screen_summary(assessment)
    if summary.recorded and summary.complete and summary.follow_up:
        return f"NOT ESTABLISHED: {summary.line} (no red flag has fired so far)"
    if summary.recorded and summary.complete and summary.positive:
        count = len(summary.positive)
        return (f"NONE: no red flag fired; red-flag screen complete, {count} answer{'s' if count != 1 else ''} "
                "yes (reviewed by the rules, none fired)")
    if summary.recorded and summary.complete:
        return "NONE: red-flag screen complete and negative; treat and monitor"
    if summary.recorded:
        return f"NOT ESTABLISHED: {summary.line} (no red flag has fired so far)"
    return "NONE: no red flag fired (the red-flag screen was not recorded)"
