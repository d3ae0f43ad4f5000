"""The differential engine: red flags first, then the weighed conditions, root level and next steps."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from ptassist.core.assessment import (
    Assessment,
    ConditionResult,
    Evidence,
    RedFlag,
    Suggestion,
)
from ptassist.core.facts import Facts
from ptassist.core.intake import Intake, parse_intake
from ptassist.core.neuro import NeuroMap, analyse, load_neuro_map
from ptassist.core.ruleset import URGENCY_RANK, ConditionRule, EvidenceRule, Ruleset, describe_lr, load_ruleset
from ptassist.core.vocabulary import Vocabulary, load_vocabulary

VERDICT_RANK = {"favoured": 0, "possible": 1, "unlikely": 2}
DEFAULT_MEASURES = ("NPRS", "LEFS", "PSFS")
MAX_SUGGESTIONS = 10


@dataclass(frozen=True)
class Engine:
    """A compiled rule set with its vocabulary and nerve map, ready to assess intakes."""

    vocabulary: Vocabulary
    ruleset: Ruleset
    neuro: NeuroMap

    def assess_json(self, data: Any) -> Assessment:
        """Validate a decoded ``ptassist-intake/1`` object and assess it."""
        return self.assess(parse_intake(data, self.vocabulary))

    def assess(self, intake: Intake) -> Assessment:
        """Assess one validated intake."""
        facts = Facts(intake, self.ruleset, analyse(intake, self.neuro))
        red_flags = self._red_flags(facts)
        urgency = max((f.urgency for f in red_flags), key=URGENCY_RANK.__getitem__, default="none")
        side = intake.side or "unspecified"
        weighed = [self._weigh(rule, facts) for rule in self.ruleset.conditions]
        verdicts, working, mixed_note = self._verdicts(weighed, facts)
        conditions = tuple(
            sorted(
                (
                    ConditionResult(
                        id=rule.id,
                        label=rule.label,
                        verdict=verdicts[rule.id],
                        score=round(score, 2),
                        side=side,
                        evidence=evidence,
                        icd10=rule.icd10.get(side, rule.icd10.get("unspecified", ())),
                        icd10_note=rule.icd10_note,
                    )
                    for rule, score, evidence, _ in weighed
                ),
                key=lambda c: (VERDICT_RANK[c.verdict], -c.score, c.id),
            )
        )
        facts.verdicts = verdicts
        root = facts.neuro.root if verdicts["lumbar_radicular"] != "unlikely" else None
        nerve = None
        if facts.neuro.fibular_pattern is True:
            nerve = "common_fibular"
        elif facts.neuro.lfcn_pattern is True:
            nerve = "lateral_femoral_cutaneous"
        return Assessment(
            ruleset_name=self.ruleset.name,
            ruleset_version=self.ruleset.version,
            urgency=urgency,
            red_flags=red_flags,
            working_diagnosis=working,
            conditions=conditions,
            root_level=root,
            peripheral_nerve=nerve,
            mixed_note=mixed_note,
            assess_next=self._assess_next(facts, conditions),
            suggested_measures=self._measures(working, conditions),
        )

    # ------------------------------------------------------------------ red flags
    def _red_flags(self, facts: Facts) -> tuple[RedFlag, ...]:
        fired = [
            RedFlag(
                id=rule.id,
                suspects=rule.suspects,
                urgency=rule.urgency,
                because=tuple(rule.when.because(facts)),
                action=rule.action,
                sources=rule.sources,
            )
            for rule in self.ruleset.red_flags
            if rule.when.value(facts) is True
        ]
        # For one suspected condition show only the most urgent flag(s): the others say less.
        top: dict[str, int] = {}
        for flag in fired:
            top[flag.suspects] = max(top.get(flag.suspects, -1), URGENCY_RANK[flag.urgency])
        kept = [f for f in fired if URGENCY_RANK[f.urgency] == top[f.suspects]]
        return tuple(sorted(kept, key=lambda f: -URGENCY_RANK[f.urgency]))

    # ------------------------------------------------------------------ conditions
    def _weigh(self, rule: ConditionRule, facts: Facts) -> tuple[ConditionRule, float, tuple[Evidence, ...], Any]:
        items: list[Evidence] = []
        for item in rule.evidence:
            evidence = self._evidence(item, facts)
            if evidence is not None:
                items.append(evidence)
        score = sum(e.weight if e.direction == "for" else -e.weight for e in items)
        gate = rule.requires.value(facts) if rule.requires is not None else True
        items.sort(key=lambda e: (e.direction != "for", -e.weight))
        return rule, score, tuple(items), gate

    def _evidence(self, item: EvidenceRule, facts: Facts) -> Evidence | None:
        scoring = self.ruleset.scoring
        if item.tier is not None:
            if item.when.value(facts) is not True:
                return None
            assert item.direction is not None
            return Evidence(
                finding=item.finding,
                direction=item.direction,
                weight=scoring.tiers[item.tier],
                basis="pattern",
                note=f"{item.note} {item.accuracy}",
                source=item.source,
                because=tuple(item.when.because(facts)),
            )
        if item.when.value(facts) is True and item.lr_pos is not None:
            ratio, node, label = item.lr_pos, item.when, "LR+"
        elif item.when_negative is not None and item.when_negative.value(facts) is True and item.lr_neg is not None:
            ratio, node, label = item.lr_neg, item.when_negative, "LR-"
        else:
            return None
        weight = _capped_log(ratio, scoring.lr_cap)
        if weight == 0:
            return None
        detail = f" ({item.accuracy})" if item.accuracy else ""
        shown = describe_lr(ratio if label == "LR+" else None, ratio if label == "LR-" else None)
        prefix = "" if label == "LR+" else "Negative: "
        return Evidence(
            finding=item.finding,
            direction="for" if weight > 0 else "against",
            weight=round(abs(weight), 2),
            basis="lr",
            note=f"{prefix}{item.note} {shown}{detail}.",
            source=item.source,
            because=tuple(node.because(facts)),
        )

    def _verdicts(
        self, weighed: list[tuple[ConditionRule, float, tuple[Evidence, ...], Any]], facts: Facts
    ) -> tuple[dict[str, str], tuple[str, ...], str | None]:
        scoring = self.ruleset.scoring
        verdicts: dict[str, str] = {}
        scores: dict[str, float] = {}
        for rule, score, _, gate in weighed:
            scores[rule.id] = score
            if gate is False or score < scoring.possible_min:
                verdicts[rule.id] = "unlikely"
            elif score >= scoring.favoured_min and gate is True:
                verdicts[rule.id] = "favoured"
            else:
                verdicts[rule.id] = "possible"
        favoured = sorted((c for c, v in verdicts.items() if v == "favoured"), key=lambda c: -scores[c])
        working = favoured[:1]
        if len(favoured) > 1 and scores[favoured[1]] >= scores[favoured[0]] - scoring.second_within:
            working.append(favoured[1])
        mixed_note = None
        for mixed in self.ruleset.mixed:
            if mixed.when.value(facts) is True and all(verdicts[c] != "unlikely" for c in mixed.conditions):
                working = sorted(mixed.conditions, key=lambda c: -scores[c])
                mixed_note = f"{mixed.note} [{mixed.source}]"
                break
        for cid, verdict in list(verdicts.items()):
            if cid in working:
                verdicts[cid] = "favoured"
            elif verdict == "favoured":
                verdicts[cid] = "possible"  # favoured on its own, but not part of the working diagnosis
        return verdicts, tuple(working), mixed_note

    # ------------------------------------------------------------------ what next
    def _assess_next(self, facts: Facts, conditions: tuple[ConditionResult, ...]) -> tuple[Suggestion, ...]:
        intake = facts.intake
        chosen: dict[str, Suggestion] = {}
        for rule in self.ruleset.assess_next:
            if len(chosen) >= MAX_SUGGESTIONS:
                break
            if rule.when.value(facts) is not True:
                continue
            for key in rule.findings:
                if key not in chosen and not intake.is_assessed(key) and len(chosen) < MAX_SUGGESTIONS:
                    chosen[key] = Suggestion(key, f"{rule.why} [{rule.source}]", rule.source)
        # Then any un-assessed finding that would count for or against a condition still in play.
        extra: list[tuple[float, Suggestion]] = []
        in_play = {c.id: c for c in conditions if c.verdict != "unlikely"}
        for condition in self.ruleset.conditions:
            if condition.id not in in_play:
                continue
            for item in condition.evidence:
                key = item.finding
                if key in chosen or key not in self.vocabulary.findings or intake.is_assessed(key):
                    continue
                weight = self._potential(item)
                lean = "for or against" if item.tier is None else item.direction
                why = f"Would count {lean} {condition.label} ({item.note.rstrip('.')}). [{item.source}]"
                boost = 1.0 if in_play[condition.id].verdict == "favoured" else 0.0
                extra.append((weight + boost, Suggestion(key, why, item.source)))
        for _, suggestion in sorted(extra, key=lambda pair: -pair[0]):
            if len(chosen) >= MAX_SUGGESTIONS:
                break
            chosen.setdefault(suggestion.finding, suggestion)
        return tuple(chosen.values())

    def _potential(self, item: EvidenceRule) -> float:
        scoring = self.ruleset.scoring
        if item.tier is not None:
            return scoring.tiers[item.tier]
        ratios = [r for r in (item.lr_pos, item.lr_neg) if r is not None]
        return max(abs(_capped_log(r, scoring.lr_cap)) for r in ratios)

    def _measures(self, working: tuple[str, ...], conditions: tuple[ConditionResult, ...]) -> tuple[str, ...]:
        by_id = {rule.id: rule for rule in self.ruleset.conditions}
        basis = list(working) or [c.id for c in conditions if c.verdict == "possible"][:2]
        measures: dict[str, None] = {}
        for cid in basis:
            for measure in by_id[cid].measures:
                measures.setdefault(measure, None)
        return tuple(measures) or DEFAULT_MEASURES


def _capped_log(ratio: float, cap: float) -> float:
    if ratio <= 0:
        return -cap
    if math.isinf(ratio):
        return cap
    return max(-cap, min(cap, math.log(ratio)))


@cache
def default_engine() -> Engine:
    """The engine over the shipped vocabulary, rule set and nerve map (built once)."""
    return Engine(vocabulary=load_vocabulary(), ruleset=load_ruleset(), neuro=load_neuro_map())
