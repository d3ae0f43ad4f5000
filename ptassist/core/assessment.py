"""The assessment ``ptassist-assessment/1``: what the engine concludes, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ASSESSMENT_FORMAT = "ptassist-assessment/1"


@dataclass(frozen=True)
class RedFlag:
    """A fired red flag."""

    id: str
    suspects: str
    urgency: str
    because: tuple[str, ...]
    action: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """One finding that weighed for or against a condition, with its note and source."""

    finding: str
    direction: str  # for | against
    weight: float
    basis: str  # lr | pattern
    note: str
    source: str
    because: tuple[str, ...]
    group: str | None = None  # evidence group: correlated items that count once
    quality: str = ""  # "pilot, n = 33", "meta-analysis", "pattern evidence, no validated accuracy"
    counted: float | None = None  # how much of ``weight`` the score counts after group and pattern caps

    @property
    def counted_weight(self) -> float:
        return self.weight if self.counted is None else self.counted


@dataclass(frozen=True)
class ConditionResult:
    """One condition of the differential, weighed."""

    id: str
    label: str
    verdict: str  # favoured | possible | unlikely
    score: float
    side: str
    evidence: tuple[Evidence, ...]
    icd10: tuple[str, ...]
    icd10_note: str | None


@dataclass(frozen=True)
class Suggestion:
    """An item not yet assessed that would change the picture."""

    finding: str
    why: str
    source: str


@dataclass(frozen=True)
class ScreenGroupStatus:
    """One group of the red-flag screen and the questions of it not yet asked."""

    id: str
    label: str
    not_asked: tuple[str, ...]


@dataclass(frozen=True)
class Screen:
    """The red-flag screen: complete only when every question of every group has an answer."""

    complete: bool
    not_asked: tuple[str, ...]
    groups: tuple[ScreenGroupStatus, ...]
    positive: tuple[str, ...] = ()  # screen questions answered yes (a complete screen is then not "negative")
    follow_up: tuple[str, ...] = ()  # unasked questions that decide a flag a yes answer opened


@dataclass(frozen=True)
class SafetyNote:
    """A safety rule that changed the working diagnosis, or a warning the clinician must see."""

    id: str
    note: str
    source: str
    kind: str = "warning"  # "rule": a safety rule of the rule set changed the working diagnosis


@dataclass(frozen=True)
class Assessment:
    """The whole result for one intake."""

    ruleset_name: str
    ruleset_version: str
    urgency: str
    red_flags: tuple[RedFlag, ...]
    working_diagnosis: tuple[str, ...]
    conditions: tuple[ConditionResult, ...]
    root_level: str | None
    peripheral_nerve: str | None
    mixed_note: str | None
    assess_next: tuple[Suggestion, ...]
    suggested_measures: tuple[str, ...]
    screen: Screen = Screen(complete=False, not_asked=(), groups=())
    safety: tuple[SafetyNote, ...] = ()

    def condition(self, cid: str) -> ConditionResult:
        """The result for one condition id."""
        for result in self.conditions:
            if result.id == cid:
                return result
        raise KeyError(cid)

    def to_json(self) -> dict[str, Any]:
        """The ``ptassist-assessment/1`` object (JSON-ready)."""
        return {
            "format": ASSESSMENT_FORMAT,
            "ruleset": {"name": self.ruleset_name, "version": self.ruleset_version},
            "urgency": self.urgency,
            "red_flags": [
                {
                    "id": f.id,
                    "suspects": f.suspects,
                    "urgency": f.urgency,
                    "because": list(f.because),
                    "action": f.action,
                    "sources": list(f.sources),
                }
                for f in self.red_flags
            ],
            "working_diagnosis": list(self.working_diagnosis),
            "conditions": [
                {
                    "id": c.id,
                    "label": c.label,
                    "verdict": c.verdict,
                    "score": c.score,
                    "side": c.side,
                    "evidence": [
                        {
                            "finding": e.finding,
                            "direction": e.direction,
                            "weight": e.weight,
                            "basis": e.basis,
                            "note": e.note,
                            "source": e.source,
                            "because": list(e.because),
                            "group": e.group,
                            "quality": e.quality,
                            "counted": round(e.counted_weight, 2),
                        }
                        for e in c.evidence
                    ],
                    "icd10": list(c.icd10),
                    **({"icd10_note": c.icd10_note} if c.icd10_note else {}),
                }
                for c in self.conditions
            ],
            "root_level": self.root_level,
            "peripheral_nerve": self.peripheral_nerve,
            "mixed_note": self.mixed_note,
            "assess_next": [{"finding": s.finding, "why": s.why, "source": s.source} for s in self.assess_next],
            "suggested_measures": list(self.suggested_measures),
            "screen": {
                "complete": self.screen.complete,
                "not_asked": list(self.screen.not_asked),
                "positive": list(self.screen.positive),
                "follow_up": list(self.screen.follow_up),
                "groups": [
                    {"id": g.id, "label": g.label, "not_asked": list(g.not_asked)} for g in self.screen.groups
                ],
            },
            "safety": [{"id": n.id, "kind": n.kind, "note": n.note, "source": n.source} for n in self.safety],
        }
