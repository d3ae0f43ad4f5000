"""The evaluation context: what the rule expressions read from one intake.

Every value is three-valued: ``True``, ``False`` or ``None`` (not assessed). Lists that were not
recorded (no body chart, no sensory examination) give ``None``, empty lists give ``False``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ptassist.core.expressions import Tri
from ptassist.core.intake import Intake
from ptassist.core.neuro import NeuroAnalysis, on_affected_side
from ptassist.core.ruleset import Ruleset

LEG_REGIONS = frozenset(
    {
        "anterior_thigh", "anterolateral_thigh", "lateral_thigh", "posterior_thigh",
        "anterior_knee", "lateral_knee", "posterolateral_knee",
        "medial_leg", "lateral_leg", "posterior_calf", "dorsum_foot", "great_toe", "lateral_foot", "sole",
    }
)
BELOW_KNEE = frozenset(
    {"medial_leg", "lateral_leg", "posterior_calf", "dorsum_foot", "great_toe", "lateral_foot", "sole"}
)
NEURAL_KINDS = frozenset({"paraesthesia", "numbness"})
FOOT = frozenset({"dorsum_foot", "great_toe", "lateral_foot", "sole"})
LFCN_PATCH = frozenset({"anterolateral_thigh", "lateral_thigh"})


def _any_of(values: Iterable[Tri]) -> Tri:
    """Kleene OR over values."""
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


class Facts:
    """Answers the rule expressions for one intake; values are computed once and cached."""

    def __init__(self, intake: Intake, ruleset: Ruleset, neuro: NeuroAnalysis) -> None:
        self.intake = intake
        self.ruleset = ruleset
        self.neuro = neuro
        self.verdicts: Mapping[str, str] = {}
        self._leaf_cache: dict[str, Tri] = {}
        self._call_cache: dict[tuple[str, tuple[str, ...]], Tri] = {}
        side = intake.side
        marks = intake.symptoms or ()
        affected = [s for s in marks if on_affected_side(s.side, side)]
        self._pain = {s.region for s in affected if s.kind == "pain"}
        self._any = {s.region for s in affected}
        self._neural = {s.region for s in affected if s.kind in NEURAL_KINDS}
        self._lost = {s.region for s in intake.sensory_loss or () if on_affected_side(s.side, side)}
        self._code_facts: Mapping[str, Callable[[], tuple[Tri, list[str]]]] = {
            "bilateral_radicular": self._bilateral_radicular,
            "single_root": lambda: (neuro.single_root, list(neuro.deficits)),
            "fibular_pattern": lambda: (neuro.fibular_pattern, list(neuro.deficits)),
            "lfcn_pattern": self._lfcn,
            "weakness_found": self._weakness_found,
            "reflex_change_found": self._reflex_change_found,
            "sensory_loss_found": self._sensory_loss_found,
            "root_pattern_deficit": lambda: (neuro.root_pattern_deficit, list(neuro.deficits)),
            "stocking_pattern": self._stocking_pattern,
            "lfcn_bilateral": self._lfcn_bilateral,
            "female": lambda: (None if intake.sex in (None, "other", "unknown") else intake.sex == "female", ["sex"]),
            "male": lambda: (None if intake.sex in (None, "other", "unknown") else intake.sex == "male", ["sex"]),
        }

    # ------------------------------------------------------------------ Context protocol
    def leaf(self, name: str) -> Tri:
        if name in self._leaf_cache:
            return self._leaf_cache[name]
        value: Tri
        if name in self.intake.findings:
            raw = self.intake.findings[name]
            value = raw if isinstance(raw, bool) else None
        elif name in self._code_facts:
            value = self._code_facts[name]()[0]
        elif name in self.ruleset.facts:
            value = self.ruleset.facts[name].value(self)
        else:
            value = None  # a finding that was not assessed
        self._leaf_cache[name] = value
        return value

    def leaf_because(self, name: str) -> list[str]:
        if name in self._code_facts:
            return self._code_facts[name]()[1]
        if name in self.ruleset.facts:
            return self.ruleset.facts[name].because(self)
        return [name]

    def number(self, name: str) -> float | None:
        if name == "age":
            return self.intake.age
        raw = self.intake.findings.get(name)
        return None if raw is None or isinstance(raw, bool) else float(raw)

    def call(self, func: str, args: tuple[str, ...]) -> Tri:
        key = (func, args)
        if key not in self._call_cache:
            self._call_cache[key] = self._evaluate_call(func, args)
        return self._call_cache[key]

    def call_because(self, func: str, args: tuple[str, ...]) -> list[str]:
        if func in ("pain", "symptom", "neuro_symptom"):
            regions = {"pain": self._pain, "symptom": self._any, "neuro_symptom": self._neural}[func]
            return [f"symptoms.{r}" for r in args if r in regions]
        if func == "sensory_loss":
            return [f"sensory_loss.{r}" for r in args if r in self._lost]
        if func == "weak":
            return [f"strength.{m}" for m in args if m in self.intake.strength and self.intake.strength[m].weak]
        if func == "grade_at_most":
            limit = float(args[0])
            strength = self.intake.strength
            return [f"strength.{m}" for m in args[1:] if m in strength and strength[m].value <= limit]
        if func == "reflex_reduced":
            return [f"reflexes.{r}" for r in args if self.intake.reflexes.get(r) in ("reduced", "absent")]
        if func in ("distal_response", "local_response"):
            return ["repeated_movements"]
        return []

    # ------------------------------------------------------------------ functions
    def _evaluate_call(self, func: str, args: tuple[str, ...]) -> Tri:
        intake = self.intake
        if func in ("pain", "symptom", "neuro_symptom"):
            if intake.symptoms is None:
                return None
            regions = {"pain": self._pain, "symptom": self._any, "neuro_symptom": self._neural}[func]
            return any(r in regions for r in args)
        if func == "sensory_loss":
            return None if intake.sensory_loss is None else any(r in self._lost for r in args)
        if func == "weak":
            return _any_of(intake.strength[m].weak if m in intake.strength else None for m in args)
        if func == "grade_at_most":
            limit = float(args[0])
            return _any_of(
                intake.strength[m].value <= limit if m in intake.strength else None for m in args[1:]
            )
        if func == "reflex_reduced":
            return _any_of(
                intake.reflexes[r] in ("reduced", "absent") if r in intake.reflexes else None for r in args
            )
        if func in ("distal_response", "local_response"):
            moves = intake.repeated_movements
            if moves is None or not moves.tested:
                return None
            observed = moves.distal_symptoms if func == "distal_response" else moves.local_signs
            if observed is None or observed == "not_applicable":
                return None
            return observed in args
        if func == "considered":
            verdict = self.verdicts.get(args[0])
            return None if verdict is None else verdict in ("favoured", "possible")
        raise KeyError(func)  # the schema prevents this

    # ------------------------------------------------------------------ facts computed in code
    def _weakness_found(self) -> tuple[Tri, list[str]]:
        strength = self.intake.strength
        weak = [f"strength.{m}" for m, g in strength.items() if g.weak]
        return (True if weak else (False if strength else None)), weak

    def _reflex_change_found(self) -> tuple[Tri, list[str]]:
        reflexes = self.intake.reflexes
        changed = [f"reflexes.{r}" for r, v in reflexes.items() if v in ("reduced", "absent")]
        return (True if changed else (False if reflexes else None)), changed

    def _sensory_loss_found(self) -> tuple[Tri, list[str]]:
        if self.intake.sensory_loss is None:
            return None, []
        return bool(self._lost), [f"sensory_loss.{r}" for r in sorted(self._lost)]

    def _lfcn(self) -> tuple[Tri, list[str]]:
        patch = [f"symptoms.{r}" for r in ("anterolateral_thigh", "lateral_thigh") if r in self._neural]
        patch += [f"sensory_loss.{r}" for r in ("anterolateral_thigh", "lateral_thigh") if r in self._lost]
        return self.neuro.lfcn_pattern, patch

    def _bilateral_radicular(self) -> tuple[Tri, list[str]]:
        """Radicular symptoms or signs in both legs.

        Counts paraesthesia or numbness in the leg, sensory loss in the leg, or pain below the knee
        when a spinal source is present (back pain or buttock symptoms), on each side.
        """
        intake = self.intake
        if intake.symptoms is None and intake.sensory_loss is None:
            return None, []
        spinal = any(s.region in ("low_back", "buttock") for s in intake.symptoms or ())
        sides: set[str] = set()
        because: list[str] = []
        for s in intake.symptoms or ():
            radicular = s.region in LEG_REGIONS and (
                s.kind in NEURAL_KINDS or (s.kind == "pain" and s.region in BELOW_KNEE and spinal)
            )
            if radicular:
                sides |= _sides(s.side or intake.side)
                because.append(f"symptoms.{s.region}")
        for loss in intake.sensory_loss or ():
            if loss.region in LEG_REGIONS:
                sides |= _sides(loss.side or intake.side)
                because.append(f"sensory_loss.{loss.region}")
        both = {"left", "right"} <= sides
        return both, sorted(set(because)) if both else []


    def _neural_marks(self) -> list[tuple[str, set[str], str]] | None:
        """(region, sides, intake key) of every neural symptom and sensory loss, both legs."""
        intake = self.intake
        if intake.symptoms is None and intake.sensory_loss is None:
            return None
        marks = [
            (s.region, _sides(s.side or intake.side), f"symptoms.{s.region}")
            for s in intake.symptoms or ()
            if s.kind in NEURAL_KINDS and s.region in LEG_REGIONS
        ]
        marks += [
            (loss.region, _sides(loss.side or intake.side), f"sensory_loss.{loss.region}")
            for loss in intake.sensory_loss or ()
            if loss.region in LEG_REGIONS
        ]
        return marks

    def _bilateral_confined(self, core: frozenset[str], allowed: frozenset[str]) -> tuple[Tri, list[str]]:
        """Neural marks in ``core`` on both sides, and none outside ``allowed``."""
        marks = self._neural_marks()
        if marks is None:
            return None, []
        sides: set[str] = set()
        for region, mark_sides, _ in marks:
            if region in core:
                sides |= mark_sides
        confined = all(region in allowed for region, _, _ in marks)
        if confined and {"left", "right"} <= sides:
            return True, sorted({key for _, _, key in marks})
        return False, []

    def _stocking_pattern(self) -> tuple[Tri, list[str]]:
        """Symmetrical distal sensory symptoms: both feet, nothing above the knee."""
        return self._bilateral_confined(FOOT, BELOW_KNEE)

    def _lfcn_bilateral(self) -> tuple[Tri, list[str]]:
        """Both lateral femoral cutaneous patches, nothing else, no motor or reflex change."""
        value, because = self._bilateral_confined(LFCN_PATCH, LFCN_PATCH)
        if value is True and (self._weakness_found()[0] is True or self._reflex_change_found()[0] is True):
            return False, []
        return value, because


def _sides(side: str | None) -> set[str]:
    if side == "bilateral":
        return {"left", "right"}
    return {side} if side else set()
