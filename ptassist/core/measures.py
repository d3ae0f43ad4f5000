"""Outcome measures: published scoring rules and minimal clinically important differences.

NPRS, LEFS (no pro-rating: an incomplete form is flagged), ODI (the denominator shrinks by 5 per
unanswered section; at least 8 sections), PSFS (mean of the activities) and STarT Back (total and
distress subscale). Figures and sources are in ``resources/clinical/measures.toml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ptassist.core.errors import ResourceError
from ptassist.core.resources import load_toml
from ptassist.core.vocabulary import Reader, load_sources

MEASURES_FILE = "clinical/measures.toml"


class MeasureError(ValueError):
    """Item scores that a measure cannot take; the message names the item."""


@dataclass(frozen=True)
class MeasureDefinition:
    """One outcome measure as defined in ``measures.toml``."""

    id: str
    label: str
    low: float
    high: float
    better: str | None  # "higher", "lower", or None for a risk tool
    unit: str
    mcid_points: float | None
    mcid_percent: float | None
    mcid_note: str
    sources: tuple[str, ...]
    items: int | None = None
    item_low: int | None = None
    item_high: int | None = None
    min_answered: int | None = None
    item_topics: tuple[str, ...] = ()
    bands: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True)
class Score:
    """A scored form. ``value`` is None when the form cannot be scored (see ``message``)."""

    measure: str
    value: float | None
    answered: int
    complete: bool
    message: str = ""
    band: str | None = None
    subscale: int | None = None


@dataclass(frozen=True)
class Change:
    """Baseline versus current, judged against the minimal clinically important difference."""

    measure: str
    baseline: float
    current: float
    difference: float  # current - baseline
    improvement: float  # positive when the patient is better, in the measure's units
    percent_improvement: float | None
    passes_mcid: bool
    threshold: str
    sources: tuple[str, ...]


def parse_measures(data: Mapping[str, Any], sources: Mapping[str, str]) -> dict[str, MeasureDefinition]:
    """Validate ``measures.toml``."""
    result: dict[str, MeasureDefinition] = {}
    for mid in ("NPRS", "LEFS", "ODI", "PSFS", "STarTBack"):
        if mid not in data:
            raise ResourceError(MEASURES_FILE, mid, "missing")
        reader = Reader(MEASURES_FILE, mid, data[mid])
        span = reader.table.get("range")
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(v, int | float) for v in span)):
            raise reader.fail("'range' must be [low, high]")
        keys = reader.text_list("sources")
        for key in keys:
            if key not in sources:
                raise reader.fail(f"unknown source key '{key}'")
        item_range = reader.table.get("item_range", [None, None])
        band_readers = [Reader(MEASURES_FILE, f"{mid}.bands", b) for b in reader.table.get("bands", [])]
        bands = tuple((band.number("max"), band.text("label")) for band in band_readers)
        better = reader.table.get("better")
        if better not in (None, "higher", "lower"):
            raise reader.fail("'better' must be 'higher' or 'lower'")
        result[mid] = MeasureDefinition(
            id=mid,
            label=reader.text("label"),
            low=float(span[0]),
            high=float(span[1]),
            better=better,
            unit=reader.table.get("unit", ""),
            mcid_points=reader.opt_number("mcid_points"),
            mcid_percent=reader.opt_number("mcid_percent"),
            mcid_note=reader.text("mcid_note"),
            sources=tuple(keys),
            items=int(reader.number("items")) if "items" in reader.table else None,
            item_low=item_range[0],
            item_high=item_range[1],
            min_answered=int(reader.number("min_answered")) if "min_answered" in reader.table else None,
            item_topics=tuple(reader.text_list("item_topics", [])),
            bands=bands,
        )
        defined = result[mid]
        if defined.items is not None and defined.item_topics and len(defined.item_topics) != defined.items:
            raise reader.fail("'item_topics' must list one topic per item")
    return result


@cache
def load_measures() -> dict[str, MeasureDefinition]:
    """The shipped measure definitions."""
    return parse_measures(load_toml(*MEASURES_FILE.split("/")), load_sources())


def _items(values: Sequence[int | None], definition: MeasureDefinition) -> list[int | None]:
    assert definition.items is not None and definition.item_low is not None and definition.item_high is not None
    if len(values) != definition.items:
        raise MeasureError(f"{definition.id} has {definition.items} items; got {len(values)}")
    checked: list[int | None] = []
    for number, value in enumerate(values, start=1):
        if value is None:
            checked.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise MeasureError(f"{definition.id} item {number}: must be a whole number or blank")
        if not definition.item_low <= value <= definition.item_high:
            raise MeasureError(
                f"{definition.id} item {number}: {value} is outside {definition.item_low}-{definition.item_high}"
            )
        checked.append(value)
    return checked


def score_nprs(value: float | None) -> Score:
    """NPRS 0-10 (whole points)."""
    if value is None:
        return Score("NPRS", None, 0, False, "not recorded")
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 10:
        raise MeasureError("NPRS must be a number from 0 to 10")
    return Score("NPRS", float(value), 1, True)


def score_lefs(items: Sequence[int | None]) -> Score:
    """LEFS: sum of 20 items scored 0-4 (0-80, higher is better). Never pro-rated."""
    definition = load_measures()["LEFS"]
    checked = _items(items, definition)
    answered = [v for v in checked if v is not None]
    if len(answered) < len(checked):
        missing = [str(i) for i, v in enumerate(checked, start=1) if v is None]
        return Score(
            "LEFS",
            None,
            len(answered),
            False,
            f"incomplete: item(s) {', '.join(missing)} unanswered; the LEFS has no rule for missing items, "
            "so it is not scored (not pro-rated)",
        )
    return Score("LEFS", float(sum(answered)), len(answered), True)


def score_odi(items: Sequence[int | None]) -> Score:
    """ODI: sum / (5 x sections answered) x 100, with at least 8 of 10 sections answered."""
    definition = load_measures()["ODI"]
    checked = _items(items, definition)
    answered = [v for v in checked if v is not None]
    minimum = definition.min_answered or 0
    if len(answered) < minimum:
        return Score(
            "ODI",
            None,
            len(answered),
            False,
            f"only {len(answered)} of 10 sections answered; at least {minimum} are needed to score the ODI",
        )
    value = round(sum(answered) / (5 * len(answered)) * 100, 1)
    band = next((label for top, label in definition.bands if value <= top), None)
    note = "" if len(answered) == 10 else f"{10 - len(answered)} section(s) unanswered: denominator reduced"
    return Score("ODI", value, len(answered), len(answered) == 10, note, band=band)


def score_psfs(activities: Sequence[float]) -> Score:
    """PSFS: mean of 1-5 activity scores, each 0 (unable) to 10 (pre-injury level)."""
    definition = load_measures()["PSFS"]
    if not activities:
        return Score("PSFS", None, 0, False, "no activities recorded")
    if len(activities) > 5:
        raise MeasureError("PSFS takes at most 5 activities")
    for number, value in enumerate(activities, start=1):
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 10:
            raise MeasureError(f"PSFS activity {number}: must be a number from 0 to 10")
    mean = round(sum(activities) / len(activities), 2)
    return Score(definition.id, mean, len(activities), True)


def score_start_back(items: Sequence[int | bool | None]) -> Score:
    """STarT Back: items 1-8 agree (1) / disagree (0); item 9 bothersomeness 0-4, positive at 3-4.

    Total 0-3: low risk. Total 4-9: high risk when the distress subscale (items 5-9) is 4-5,
    otherwise medium risk.
    """
    if len(items) != 9:
        raise MeasureError(f"STarT Back has 9 items; got {len(items)}")
    positives: list[int] = []
    for number, value in enumerate(items, start=1):
        if value is None:
            return Score("STarTBack", None, number - 1, False, f"item {number} unanswered: the tool needs all 9")
        if number < 9:
            if value not in (0, 1) or (not isinstance(value, bool) and not isinstance(value, int)):
                raise MeasureError(f"STarT Back item {number}: must be agree (1) or disagree (0)")
            positives.append(int(value))
        else:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
                raise MeasureError("STarT Back item 9: must be 0 (not at all) to 4 (extremely)")
            positives.append(1 if value >= 3 else 0)
    total = sum(positives)
    subscale = sum(positives[4:9])
    if total <= 3:
        risk = "low risk"
    elif subscale >= 4:
        risk = "high risk"
    else:
        risk = "medium risk"
    return Score("STarTBack", float(total), 9, True, band=risk, subscale=subscale)


def compare(measure: str, baseline: float, current: float) -> Change:
    """Whether the change from baseline passes the minimal clinically important difference.

    Where a source gives both a points and a percentage threshold (NPRS, ODI), reaching either
    counts, as the consensus defines them.
    """
    definition = load_measures().get(measure)
    if definition is None or definition.better is None:
        raise MeasureError(f"{measure} is not a change measure")
    for name, value in (("baseline", baseline), ("current", current)):
        if not definition.low <= value <= definition.high:
            raise MeasureError(f"{measure} {name} {value:g} is outside {definition.low:g}-{definition.high:g}")
    difference = current - baseline
    improvement = difference if definition.better == "higher" else -difference
    percent: float | None = None
    if definition.better == "lower" and baseline > 0:
        percent = round(improvement / baseline * 100, 1)
    elif definition.better == "higher" and definition.high - baseline > 0:
        percent = round(improvement / (definition.high - baseline) * 100, 1)
    passes = False
    parts = []
    if definition.mcid_points is not None:
        passes = improvement >= definition.mcid_points
        parts.append(f"{definition.mcid_points:g} {definition.unit}".strip())
    if definition.mcid_percent is not None and definition.better == "lower":
        passes = passes or (percent is not None and percent >= definition.mcid_percent)
        parts.append(f"{definition.mcid_percent:g}% improvement")
    return Change(
        measure=measure,
        baseline=baseline,
        current=current,
        difference=round(difference, 2),
        improvement=round(improvement, 2),
        percent_improvement=percent,
        passes_mcid=passes,
        threshold=" or ".join(parts),
        sources=definition.sources,
    )


def score_visit_measures(measures: Mapping[str, Any]) -> dict[str, Score]:
    """Score the forms stored with a visit.

    ``measures`` maps a measure id to its answers: ``{"NPRS": {"value": 6}, "LEFS": {"items": [...]},
    "ODI": {"items": [...]}, "PSFS": {"activities": [{"name": "...", "score": 4}]},
    "STarTBack": {"items": [...]}}``. Raises :class:`MeasureError` naming the measure.
    """
    scores: dict[str, Score] = {}
    for name, answers in measures.items():
        if not isinstance(answers, Mapping):
            raise MeasureError(f"{name}: answers must be an object")
        if name == "NPRS":
            scores[name] = score_nprs(answers.get("value"))
        elif name in ("LEFS", "ODI", "STarTBack"):
            items = answers.get("items")
            if not isinstance(items, list):
                raise MeasureError(f"{name}: 'items' must be a list")
            scorer = {"LEFS": score_lefs, "ODI": score_odi, "STarTBack": score_start_back}[name]
            scores[name] = scorer(items)
        elif name == "PSFS":
            activities = answers.get("activities")
            if not isinstance(activities, list) or not all(isinstance(a, Mapping) for a in activities):
                raise MeasureError("PSFS: 'activities' must be a list of {name, score}")
            scores[name] = score_psfs([a.get("score") for a in activities])
        else:
            raise MeasureError(f"unknown measure '{name}'")
    return scores
