"""The home-exercise library (``resources/exercises/library.toml``) and prescriptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ptassist.core.conditions import CONDITION_IDS
from ptassist.core.resources import load_toml, resource_path
from ptassist.core.vocabulary import Reader, load_sources

LIBRARY_FILE = "exercises/library.toml"
DOSAGE_KEYS = ("sets", "reps", "hold_seconds", "per_day", "per_week", "duration_minutes")


@dataclass(frozen=True)
class Exercise:
    """One exercise or advice item."""

    id: str
    name: str
    purpose: str
    steps: tuple[str, ...]
    dosage: Mapping[str, int]
    dosage_note: str
    cautions: tuple[str, ...]
    conditions: tuple[str, ...]
    source: str
    illustration: str
    kind: str = "exercise"  # exercise | advice


@dataclass(frozen=True)
class PrescribedItem:
    """An exercise as prescribed for one patient: the library item with this patient's dosage."""

    exercise: Exercise
    dosage: Mapping[str, int]
    notes: str = ""

    @property
    def dosage_text(self) -> str:
        return dosage_text(self.dosage)


@dataclass(frozen=True)
class Library:
    """All exercises, by id, in file order."""

    version: str
    exercises: Mapping[str, Exercise] = field(default_factory=dict)
    starters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def for_condition(self, condition: str) -> list[Exercise]:
        return [e for e in self.exercises.values() if condition in e.conditions]

    def search(self, text: str) -> list[Exercise]:
        """Exercises whose name, purpose or id contains every word of ``text``."""
        words = text.casefold().split()
        return [
            e for e in self.exercises.values()
            if all(w in f"{e.id} {e.name} {e.purpose}".casefold() for w in words)
        ]


def dosage_text(dosage: Mapping[str, int]) -> str:
    """'3 sets of 10 · 3 times a week' in plain words."""
    parts = []
    sets, reps, hold = dosage.get("sets"), dosage.get("reps"), dosage.get("hold_seconds")
    if sets and reps:
        parts.append(f"{sets} {'set' if sets == 1 else 'sets'} of {reps}")
    elif reps:
        parts.append(f"{reps} repetitions")
    if hold:
        parts.append(f"hold {hold} seconds, {sets} times" if sets else f"hold {hold} seconds")
    elif sets and not reps:
        parts.append(f"{sets} sets")
    if dosage.get("duration_minutes"):
        parts.append(f"{dosage['duration_minutes']} minutes")
    if dosage.get("per_day"):
        parts.append("once a day" if dosage["per_day"] == 1 else f"{dosage['per_day']} times a day")
    if dosage.get("per_week"):
        parts.append("once a week" if dosage["per_week"] == 1 else f"{dosage['per_week']} times a week")
    return " · ".join(parts)


def _dosage(reader: Reader, raw: Any, where: str) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise reader.fail(f"{where} must be a table")
    result = {}
    for key, value in raw.items():
        if key not in DOSAGE_KEYS:
            raise reader.fail(f"{where}: unknown dosage key '{key}'")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 500:
            raise reader.fail(f"{where}.{key} must be a whole number from 1 to 500")
        result[key] = value
    return result


def parse_library(data: Mapping[str, Any], sources: Mapping[str, str]) -> Library:
    """Validate the library; every illustration file must exist."""
    top = Reader(LIBRARY_FILE, "(top level)", dict(data))
    raw_items = top.table.get("exercises")
    if not isinstance(raw_items, list) or not raw_items:
        raise top.fail("'exercises' must be a non-empty array")
    exercises: dict[str, Exercise] = {}
    for index, raw in enumerate(raw_items):
        name = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        reader = Reader(LIBRARY_FILE, f"exercises.{name}", raw)
        reader.check_keys({"id", "name", "kind", "purpose", "steps", "dosage", "dosage_note", "cautions", "conditions",
                           "source", "illustration"})
        eid = reader.text("id")
        if eid in exercises:
            raise reader.fail("duplicate id")
        steps = tuple(reader.text_list("steps"))
        if not steps:
            raise reader.fail("'steps' must not be empty")
        conditions = tuple(reader.text_list("conditions"))
        for condition in conditions:
            if condition not in CONDITION_IDS:
                raise reader.fail(f"unknown condition '{condition}'")
        source = reader.text("source")
        if source not in sources:
            raise reader.fail(f"unknown source key '{source}'")
        illustration = reader.text("illustration")
        if not resource_path("exercises", illustration).is_file():
            raise reader.fail(f"illustration '{illustration}' is missing")
        kind = reader.table.get("kind", "exercise")
        if kind not in ("exercise", "advice"):
            raise reader.fail("kind must be 'exercise' or 'advice'")
        exercises[eid] = Exercise(
            id=eid,
            name=reader.text("name"),
            purpose=reader.text("purpose"),
            steps=steps,
            dosage=_dosage(reader, reader.table.get("dosage", {}), "dosage"),
            dosage_note=reader.table.get("dosage_note", ""),
            cautions=tuple(reader.text_list("cautions", [])),
            conditions=conditions,
            source=source,
            illustration=illustration,
            kind=kind,
        )
    starters: dict[str, tuple[str, ...]] = {}
    for condition, ids in top.table_of("starter").items():
        if condition not in CONDITION_IDS:
            raise top.fail(f"starter: unknown condition '{condition}'")
        if not isinstance(ids, list) or any(i not in exercises for i in ids):
            raise top.fail(f"starter.{condition} must list exercise ids of this library")
        starters[condition] = tuple(ids)
    return Library(version=top.text("version"), exercises=exercises, starters=starters)


@cache
def load_library() -> Library:
    """The shipped exercise library."""
    return parse_library(load_toml(*LIBRARY_FILE.split("/")), load_sources())


def suggested_for(working_diagnosis: Sequence[str], library: Library | None = None) -> list[Exercise]:
    """The starter programme for the working diagnosis (every matching item when a condition has
    no starter set), without duplicates."""
    library = library or load_library()
    chosen: dict[str, Exercise] = {}
    for condition in working_diagnosis:
        ids = library.starters.get(condition)
        items = [library.exercises[i] for i in ids] if ids else library.for_condition(condition)
        for exercise in items:
            chosen.setdefault(exercise.id, exercise)
    return list(chosen.values())


def prescribe(items: Sequence[Mapping[str, Any]], library: Library | None = None) -> list[PrescribedItem]:
    """A stored prescription ([{"exercise": id, "sets": 3, ..., "notes": ""}]) as library items.

    Dosage keys given override the library defaults; unknown ids raise ResourceError-free
    ValueError naming the item.
    """
    library = library or load_library()
    prescribed = []
    for index, item in enumerate(items):
        eid = item.get("exercise")
        exercise = library.exercises.get(str(eid))
        if exercise is None:
            raise ValueError(f"prescription[{index}]: unknown exercise '{eid}'")
        dosage = dict(exercise.dosage)
        for key in DOSAGE_KEYS:
            value = item.get(key)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 500:
                    raise ValueError(f"prescription[{index}].{key}: must be a whole number from 1 to 500")
                dosage[key] = value
        notes = item.get("notes", "")
        prescribed.append(PrescribedItem(exercise, dosage, notes if isinstance(notes, str) else ""))
    return prescribed
