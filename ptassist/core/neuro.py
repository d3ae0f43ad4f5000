"""Root-level consistency: do the sensory, motor and reflex findings map to one root or nerve?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ptassist.core.errors import ResourceError
from ptassist.core.intake import Intake
from ptassist.core.resources import load_toml
from ptassist.core.vocabulary import Reader, Vocabulary, load_vocabulary

NEURO_FILE = "clinical/neuro.toml"
ROOTS = ("L3", "L4", "L5", "S1")
# A root level is named only when at least this many deficits (sensory regions, weak muscles,
# reduced reflexes) map to it: one finding on its own is common with age or other causes.
MIN_ROOT_ITEMS = 2
_WEIGHT = {"primary": 1.0, "secondary": 0.5}
Tri = bool | None


@dataclass(frozen=True)
class Root:
    """What one nerve root supplies, with a weight per item (primary 1.0, secondary 0.5)."""

    name: str
    sensory: frozenset[str]
    muscles: Mapping[str, float]
    reflexes: Mapping[str, float]
    referral: frozenset[str]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Nerve:
    """A peripheral nerve that mimics a root, with the muscles that separate it from one."""

    name: str
    label: str
    sensory: frozenset[str]
    muscles: frozenset[str]
    spared: frozenset[str]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class NeuroMap:
    """The roots and nerves of ``neuro.toml``."""

    roots: Mapping[str, Root]
    nerves: Mapping[str, Nerve]

    @property
    def dermatomal_regions(self) -> frozenset[str]:
        regions: set[str] = set()
        for root in self.roots.values():
            regions |= root.sensory
        for nerve in self.nerves.values():
            regions |= nerve.sensory
        return frozenset(regions)


@dataclass(frozen=True)
class NeuroAnalysis:
    """The result of the consistency check for one intake."""

    examined: bool
    deficits: tuple[str, ...]  # intake keys: sensory_loss.lateral_leg, strength.ehl, reflexes.achilles
    root: str | None
    single_root: Tri
    fibular_pattern: Tri
    lfcn_pattern: Tri
    # An objective deficit of root pattern: a consistent root, or myotomal weakness with sensory
    # loss or a reflex change of the same root, not confined to the common fibular nerve.
    root_pattern_deficit: Tri = None


def _weights(reader: Reader, key: str, allowed: Mapping[str, str]) -> dict[str, float]:
    table = reader.table_of(key)
    result: dict[str, float] = {}
    for name, level in table.items():
        if name not in allowed:
            raise reader.fail(f"{key}: unknown name '{name}'")
        if level not in _WEIGHT:
            raise reader.fail(f"{key}.{name} must be 'primary' or 'secondary'")
        result[name] = _WEIGHT[level]
    return result


def _regions(reader: Reader, key: str, vocab: Vocabulary) -> frozenset[str]:
    regions = reader.text_list(key)
    for region in regions:
        if region not in vocab.regions:
            raise reader.fail(f"{key}: unknown region '{region}'")
    return frozenset(regions)


def parse_neuro_map(data: Mapping[str, Any], vocab: Vocabulary) -> NeuroMap:
    """Validate ``neuro.toml`` against the vocabulary."""
    top = Reader(NEURO_FILE, "(top level)", dict(data))
    roots: dict[str, Root] = {}
    for name, raw in top.table_of("roots").items():
        reader = Reader(NEURO_FILE, f"roots.{name}", raw)
        reader.check_keys({"sensory", "muscles", "reflexes", "referral", "sources"})
        if name not in ROOTS:
            raise reader.fail(f"root must be one of {', '.join(ROOTS)}")
        roots[name] = Root(
            name=name,
            sensory=_regions(reader, "sensory", vocab),
            muscles=_weights(reader, "muscles", vocab.strength),
            reflexes=_weights(reader, "reflexes", vocab.reflexes),
            referral=_regions(reader, "referral", vocab),
            sources=tuple(reader.text_list("sources")),
        )
    nerves: dict[str, Nerve] = {}
    for name, raw in top.table_of("nerves").items():
        reader = Reader(NEURO_FILE, f"nerves.{name}", raw)
        reader.check_keys({"label", "sensory", "muscles", "spared", "sources"})
        muscles = frozenset(reader.text_list("muscles"))
        spared = frozenset(reader.text_list("spared"))
        for muscle in muscles | spared:
            if muscle not in vocab.strength:
                raise reader.fail(f"unknown muscle '{muscle}'")
        nerves[name] = Nerve(
            name=name,
            label=reader.text("label"),
            sensory=_regions(reader, "sensory", vocab),
            muscles=muscles,
            spared=spared,
            sources=tuple(reader.text_list("sources")),
        )
    for required in ("common_fibular", "lateral_femoral_cutaneous"):
        if required not in nerves:
            raise ResourceError(NEURO_FILE, f"nerves.{required}", "missing")
    if set(roots) != set(ROOTS):
        raise ResourceError(NEURO_FILE, "roots", f"must define {', '.join(ROOTS)}")
    return NeuroMap(roots=roots, nerves=nerves)


@cache
def load_neuro_map() -> NeuroMap:
    """The shipped root and nerve map."""
    return parse_neuro_map(load_toml(*NEURO_FILE.split("/")), load_vocabulary())


def on_affected_side(side: str | None, complaint_side: str | None) -> bool:
    """Whether a mark with ``side`` (None: the complaint's side) belongs to the affected leg."""
    if side is None or complaint_side in (None, "bilateral") or side == "bilateral":
        return True
    return side == complaint_side


def analyse(intake: Intake, neuro: NeuroMap) -> NeuroAnalysis:
    """Map the neurological deficits on the affected side to one root or one nerve."""
    dermatomal = neuro.dermatomal_regions
    lost: set[str] = set()
    if intake.sensory_loss is not None:
        lost = {
            s.region
            for s in intake.sensory_loss
            if s.region in dermatomal and on_affected_side(s.side, intake.side)
        }
    weak = {m for m, grade in intake.strength.items() if grade.weak}
    reflexes = {r for r, v in intake.reflexes.items() if v in ("reduced", "absent")}
    examined = intake.sensory_loss is not None or bool(intake.strength) or bool(intake.reflexes)
    deficits = (
        tuple(f"sensory_loss.{r}" for r in sorted(lost))
        + tuple(f"strength.{m}" for m in sorted(weak))
        + tuple(f"reflexes.{r}" for r in sorted(reflexes))
    )
    fibular = _fibular_pattern(intake, neuro.nerves["common_fibular"], lost, weak, reflexes, examined)
    lfcn = _lfcn_pattern(intake, neuro.nerves["lateral_femoral_cutaneous"], lost, weak, reflexes)
    root, single = _single_root(neuro, lost, weak, reflexes, examined)
    if fibular is True:
        root, single = None, False
    pattern: Tri = None
    if examined:
        pattern = fibular is not True and (single is True or _matching_root(neuro, lost, weak, reflexes))
    return NeuroAnalysis(
        examined=examined,
        deficits=deficits,
        root=root,
        single_root=single,
        fibular_pattern=fibular,
        lfcn_pattern=lfcn,
        root_pattern_deficit=pattern,
    )


def _matching_root(neuro: NeuroMap, lost: set[str], weak: set[str], reflexes: set[str]) -> bool:
    """Myotomal weakness with sensory loss or a reflex change of the same root."""
    return any(
        weak & set(root.muscles) and (lost & root.sensory or reflexes & set(root.reflexes))
        for root in neuro.roots.values()
    )


def _single_root(
    neuro: NeuroMap, lost: set[str], weak: set[str], reflexes: set[str], examined: bool
) -> tuple[str | None, Tri]:
    if not examined:
        return None, None
    if len(lost) + len(weak) + len(reflexes) < MIN_ROOT_ITEMS:
        return None, False
    scores: dict[str, float] = {}
    for root in neuro.roots.values():
        explains_all = lost <= root.sensory and weak <= set(root.muscles) and reflexes <= set(root.reflexes)
        if not explains_all:
            continue
        scores[root.name] = (
            len(lost & root.sensory)
            + sum(root.muscles[m] for m in weak)
            + sum(root.reflexes[r] for r in reflexes)
        )
    if not scores:
        return None, False  # no single root explains every deficit
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, False  # two roots explain it equally well: not one root
    return ranked[0][0], True


def _fibular_pattern(
    intake: Intake, nerve: Nerve, lost: set[str], weak: set[str], reflexes: set[str], examined: bool
) -> Tri:
    if not examined:
        return None
    fibular_motor = weak & nerve.muscles
    fibular_sensory = lost & nerve.sensory
    if not (fibular_motor or fibular_sensory):
        return False
    if (weak - nerve.muscles) or (lost - nerve.sensory) or reflexes:
        return False  # deficits outside the nerve's territory
    spared = [intake.strength.get(m) for m in sorted(nerve.spared)]
    if any(grade is not None and grade.weak for grade in spared):
        return False
    if not fibular_motor:
        return None  # sensory only: an L5 root can look the same
    dense = any(intake.strength[m].value <= 3 for m in fibular_motor)
    if len(fibular_motor) + len(fibular_sensory) < MIN_ROOT_ITEMS and not dense:
        return None  # one mild finding (EHL 4/5 alone) does not localise: EHL is also the commonest L5 sign
    if all(grade is not None for grade in spared):
        return True
    return None  # the muscles that separate it from L5 were not tested


def _lfcn_pattern(
    intake: Intake, nerve: Nerve, lost: set[str], weak: set[str], reflexes: set[str]
) -> Tri:
    neural_marks: set[str] | None = None
    if intake.symptoms is not None:
        neural_marks = {
            s.region
            for s in intake.symptoms
            if s.kind in ("paraesthesia", "numbness") and on_affected_side(s.side, intake.side)
        }
    in_patch = bool(lost & nerve.sensory) or bool(neural_marks and neural_marks & nerve.sensory)
    outside = bool(lost - nerve.sensory) or bool(neural_marks and (neural_marks - nerve.sensory))
    if outside or weak or reflexes:
        return False
    if not in_patch:
        if intake.symptoms is not None and intake.sensory_loss is not None:
            return False
        return None
    if intake.strength and intake.reflexes:
        return True
    return None  # motor and reflex examination not done: cannot confirm a purely sensory nerve
