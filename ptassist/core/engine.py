"""The differential engine: red flags first, then the weighed conditions, root level and next steps."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Any

from ptassist.core.assessment import (
    Assessment,
    ConditionResult,
    Evidence,
    RedFlag,
    SafetyNote,
    Screen,
    ScreenGroupStatus,
    Suggestion,
)
from ptassist.core.facts import Facts
from ptassist.core.intake import Intake, parse_intake
from ptassist.core.neuro import NeuroMap, analyse, load_neuro_map
from ptassist.core.rule_items import flag_items, open_items, partly_positive, screen_triggers, trigger_leaves
from ptassist.core.ruleset import (
    URGENCY_RANK,
    ConditionRule,
    EvidenceGroup,
    EvidenceRule,
    RedFlagRule,
    Ruleset,
    describe_lr,
    load_ruleset,
)
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

    @cached_property
    def _flag_questions(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        """Per red flag: its trigger questions, and every item it reads. Walked once per engine."""
        return {
            flag.id: (trigger_leaves(flag.when, self.ruleset, flag.suspects),
                      flag_items(flag.when, self.ruleset, self.vocabulary))
            for flag in self.ruleset.red_flags
        }

    def _open_flags(self, facts: Facts) -> list[tuple[RedFlagRule, tuple[str, ...]]]:
        """Partly positive flags not yet decided, most urgent first, with the unasked items that could
        decide them: the screen's yes/no questions first (saddle, bladder and bowel before the
        examination items)."""
        questions = screen_triggers(self.ruleset)
        found: list[tuple[RedFlagRule, tuple[str, ...]]] = []
        for flag in sorted(self.ruleset.red_flags, key=lambda r: -URGENCY_RANK[r.urgency]):
            if not partly_positive(self._flag_questions[flag.id][0], facts) or flag.when.value(facts) is not None:
                continue
            items = [k for k in open_items(flag.when, facts, self.ruleset, self.vocabulary)
                     if not self._answered(facts.intake, k)]
            asked_first = [k for k in items if k in questions and k in self.vocabulary.findings]
            found.append((flag, (*asked_first, *(k for k in items if k not in asked_first))))
        return found

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
        verdicts, working, mixed_note, safety = self._verdicts(weighed, facts)
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
        safety += self._warnings(facts, working, root)
        open_flags = self._open_flags(facts)
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
            assess_next=self._assess_next(facts, conditions, red_flags, open_flags),
            suggested_measures=self._measures(working, conditions),
            screen=self._screen(facts, open_flags),
            safety=safety,
        )

    def _warnings(self, facts: Facts, working: tuple[str, ...], root: str | None) -> tuple[SafetyNote, ...]:
        """The safety rules' warnings for the other conditions of the working diagnosis."""
        labels = {rule.id: rule.label for rule in self.ruleset.conditions}
        return tuple(
            SafetyNote(
                id=f"{rule.id}.warning",
                note=rule.warning.format(condition=labels[cid], root=f" ({root})" if root else ""),
                source=rule.source,
            )
            for rule in self.ruleset.safety
            if rule.warning and rule.when.value(facts) is True
            for cid in working
            if cid != rule.keep
        )

    # ------------------------------------------------------------------ the red-flag screen
    def _screen(self, facts: Facts, open_flags: list[tuple[RedFlagRule, tuple[str, ...]]]) -> Screen:
        intake = facts.intake
        groups = tuple(
            ScreenGroupStatus(
                id=group.id,
                label=group.label,
                not_asked=tuple(
                    item.key for item in group.items if not any(intake.is_assessed(k) for k in item.keys)
                ),
            )
            for group in self.ruleset.screen
        )
        not_asked = tuple(dict.fromkeys(key for group in groups for key in group.not_asked))
        # A yes answer opens its flag: until the questions that decide it are answered, nothing says "none".
        follow_up = tuple(dict.fromkeys(k for _, items in open_flags for k in items if k not in not_asked))
        positive = tuple(
            key for group in self.ruleset.screen for item in group.items for key in item.keys
            if facts.intake.findings.get(key) is True
        )
        return Screen(complete=not not_asked, not_asked=not_asked, groups=groups,
                      positive=tuple(dict.fromkeys(positive)), follow_up=follow_up)

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
        items = self._counted(items)
        score = sum(e.counted_weight if e.direction == "for" else -e.counted_weight for e in items)
        gate = rule.requires.value(facts) if rule.requires is not None else True
        items.sort(key=lambda e: (e.direction != "for", -e.weight))
        return rule, score, tuple(items), gate

    def _counted(self, items: list[Evidence]) -> list[Evidence]:
        """Apply the evidence groups and the pattern cap: correlated items count once."""
        counted = [e.weight for e in items]
        members: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, item in enumerate(items):
            if item.group is not None:
                members[(item.group, item.direction)].append(index)
        for (gid, _), indices in members.items():
            _cap_group(self.ruleset.evidence_groups[gid], indices, counted)
        groups = self.ruleset.evidence_groups
        pattern_for = [
            i for i, e in enumerate(items)
            if e.basis == "pattern" and e.direction == "for" and (e.group is None or groups[e.group].in_pattern_cap)
        ]
        _scale_to(self.ruleset.scoring.pattern_cap, pattern_for, counted)
        return [
            item if counted[i] == item.weight else replace(item, counted=round(counted[i], 2))
            for i, item in enumerate(items)
        ]

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
                group=item.group,
                quality=item.quality,
            )
        if item.when.value(facts) is True and item.lr_pos is not None:
            ratio, node, label = item.lr_pos, item.when, "LR+"
        elif item.when_negative is not None and item.when_negative.value(facts) is True and item.lr_neg is not None:
            ratio, node, label = item.lr_neg, item.when_negative, "LR-"
        else:
            return None
        weight = _capped_log(ratio, scoring.lr_cap)
        shrunk = ""
        if item.small_study:
            weight *= scoring.small_study_factor
            shrunk = f" Weighted x{scoring.small_study_factor:g}: figures from one small study ({item.quality})."
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
            note=f"{prefix}{item.note} {shown}{detail}.{shrunk}",
            source=item.source,
            because=tuple(node.because(facts)),
            group=item.group,
            quality=item.quality,
        )

    def _verdicts(
        self, weighed: list[tuple[ConditionRule, float, tuple[Evidence, ...], Any]], facts: Facts
    ) -> tuple[dict[str, str], tuple[str, ...], str | None, tuple[SafetyNote, ...]]:
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
        notes: list[SafetyNote] = []
        for safety in self.ruleset.safety:
            if safety.when.value(facts) is True and safety.keep not in working:
                # Beside the leading other condition at most: never displaced by it.
                working = [safety.keep, *[c for c in working if c != safety.keep][:1]]
                notes.append(SafetyNote(safety.id, safety.note, safety.source, kind="rule"))
        for cid, verdict in list(verdicts.items()):
            if cid in working:
                verdicts[cid] = "favoured"
            elif verdict == "favoured":
                verdicts[cid] = "possible"  # favoured on its own, but not part of the working diagnosis
        return verdicts, tuple(working), mixed_note, tuple(notes)

    # ------------------------------------------------------------------ what next
    def _assess_next(
        self, facts: Facts, conditions: tuple[ConditionResult, ...], red_flags: tuple[RedFlag, ...],
        open_flags: list[tuple[RedFlagRule, tuple[str, ...]]],
    ) -> tuple[Suggestion, ...]:
        intake = facts.intake
        chosen: dict[str, Suggestion] = {}
        # First the questions that would complete or escalate a partly positive red flag.
        for flag, items in open_flags:
            for key in items:
                if key not in chosen:
                    why = (f"Could complete a partly positive red flag ({flag.suspects.replace('_', ' ')}, "
                           f"{flag.urgency} if it fires). [{flag.sources[0]}]")
                    chosen[key] = Suggestion(key, why, flag.sources[0])
        for rule in self.ruleset.assess_next:
            if rule.when.value(facts) is not True:
                continue
            for key in rule.findings:
                if key not in chosen and not self._answered(intake, key):
                    chosen[key] = Suggestion(key, f"{rule.why} [{rule.source}]", rule.source)
        fired = {f.id for f in red_flags}
        avoid = {key for rule in self.ruleset.red_flags if rule.id in fired for key in rule.avoid}
        for key in avoid:
            chosen.pop(key, None)
        emergencies = {f.suspects for f in red_flags if f.urgency == "emergency"}
        if emergencies:
            # After an emergency flag, only what bears on the emergency.
            relevant = self._items_bearing_on(emergencies)
            return tuple(s for s in chosen.values() if s.finding in relevant)[:MAX_SUGGESTIONS]
        # Then any un-assessed finding that would count for or against a condition still in play.
        extra: list[tuple[float, Suggestion]] = []
        in_play = {c.id: c for c in conditions if c.verdict != "unlikely"}
        for condition in self.ruleset.conditions:
            if condition.id not in in_play:
                continue
            for item in condition.evidence:
                key = item.finding
                if key in chosen or key not in self.vocabulary.findings or self._answered(intake, key):
                    continue
                weight = self._potential(item)
                lean = "for or against" if item.tier is None else item.direction
                why = f"Would count {lean} {condition.label} ({item.note.rstrip('.')}). [{item.source}]"
                boost = 1.0 if in_play[condition.id].verdict == "favoured" else 0.0
                extra.append((weight + boost, Suggestion(key, why, item.source)))
        for _, suggestion in sorted(extra, key=lambda pair: -pair[0]):
            if suggestion.finding not in avoid:
                chosen.setdefault(suggestion.finding, suggestion)
        return tuple(chosen.values())[:MAX_SUGGESTIONS]

    @cached_property
    def _alternatives(self) -> dict[str, tuple[str, ...]]:
        """Screen items that answer each other: a measured temperature answers "fever"."""
        return {key: item.keys for group in self.ruleset.screen for item in group.items for key in item.keys
                if len(item.keys) > 1}

    def _answered(self, intake: Intake, key: str) -> bool:
        return any(intake.is_assessed(k) for k in self._alternatives.get(key, (key,)))

    def _items_bearing_on(self, suspects: set[str]) -> set[str]:
        """Every item that the red flags and screen groups for these suspected conditions read."""
        keys: set[str] = set()
        for flag in self.ruleset.red_flags:
            if flag.suspects in suspects:
                keys.update(self._flag_questions[flag.id][1])
        for group in self.ruleset.screen:
            if suspects & set(group.suspects):
                keys.update(k for item in group.items for k in item.keys)
        return keys

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


def _cap_group(group: EvidenceGroup, indices: list[int], counted: list[float]) -> None:
    """One direction of one group: only the strongest item, or the sum capped at the group's cap."""
    if group.combine == "strongest":
        best = max(indices, key=lambda i: counted[i])
        for index in indices:
            if index != best:
                counted[index] = 0.0
        _scale_to(group.cap, [best], counted)
    else:
        _scale_to(group.cap, indices, counted)


def _scale_to(cap: float, indices: list[int], counted: list[float]) -> None:
    """Scale the items down in proportion so that together they count at most ``cap``."""
    total = sum(counted[i] for i in indices)
    if total > cap:
        for index in indices:
            counted[index] *= cap / total


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
