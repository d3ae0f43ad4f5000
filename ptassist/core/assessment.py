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
        }
