"""The intake format ``ptassist-intake/1``: parsing and validation.

An absent key means *not assessed*; ``false`` (or an empty list) means *asked or tested, and
negative*. The parsed :class:`Intake` keeps that difference: absent values are ``None`` or
missing from the mappings, never defaulted to negative.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ptassist.core.errors import IntakeError
from ptassist.core.vocabulary import Vocabulary

INTAKE_FORMAT = "ptassist-intake/1"
SEXES = ("female", "male", "other", "unknown")
SIDES = ("left", "right", "bilateral")
REFLEX_VALUES = ("normal", "reduced", "absent", "brisk")
DIRECTIONS = ("extension", "flexion", "lateral_shift", "none_tested")
DISTAL_RESPONSES = ("centralised", "abolished", "peripheralised", "no_change", "not_applicable")
LOCAL_RESPONSES = ("abolished", "reduced", "unchanged")
TOP_LEVEL_KEYS = (
    "format",
    "age",
    "sex",
    "side",
    "symptoms",
    "sensory_loss",
    "strength",
    "reflexes",
    "repeated_movements",
    "findings",
)
MAX_LIST_ITEMS = 200
_GRADE = re.compile(r"^([0-5])([+-]?)$")


@dataclass(frozen=True)
class Grade:
    """An MRC grade 0-5 with an optional + or - ("4+"); ``value`` orders them (4- < 4 < 4+)."""

    text: str
    value: float

    @property
    def weak(self) -> bool:
        return self.value < 5.0


@dataclass(frozen=True)
class Symptom:
    """One mark on the body chart."""

    region: str
    kind: str
    side: str | None  # None: the complaint's side


@dataclass(frozen=True)
class SensoryLoss:
    """A region with reduced light touch or pin-prick on examination."""

    region: str
    side: str | None


@dataclass(frozen=True)
class RepeatedMovements:
    """The response to repeated end-range lumbar movements (MDT)."""

    direction: str | None
    distal_symptoms: str | None
    local_signs: str | None

    @property
    def tested(self) -> bool:
        return self.direction not in (None, "none_tested")


@dataclass(frozen=True)
class Intake:
    """A validated intake. ``None`` and missing keys mean *not assessed*."""

    age: float | None
    sex: str | None
    side: str | None
    symptoms: tuple[Symptom, ...] | None
    sensory_loss: tuple[SensoryLoss, ...] | None
    strength: Mapping[str, Grade]
    reflexes: Mapping[str, str]
    repeated_movements: RepeatedMovements | None
    findings: Mapping[str, bool | float]

    def is_assessed(self, key: str) -> bool:
        """Whether an item named as in ``assess_next`` (``slr``, ``strength.ehl``, ...) was assessed."""
        head, _, tail = key.partition(".")
        if head == "strength":
            return tail in self.strength if tail else bool(self.strength)
        if head == "reflexes":
            return tail in self.reflexes if tail else bool(self.reflexes)
        if head == "sensory_loss":
            return self.sensory_loss is not None
        if head == "symptoms":
            return self.symptoms is not None
        if head == "repeated_movements":
            return self.repeated_movements is not None and self.repeated_movements.tested
        if head in ("age", "sex", "side"):
            return getattr(self, head) is not None
        return key in self.findings


def nearest(word: str, choices: Any) -> str:
    """' (did you mean: a, b?)' for a misspelt id, or '' when nothing is close."""
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    if not close and len(word) >= 3:
        close = [c for c in options if c.startswith(word) or word in c][:3]
    return f" (did you mean: {', '.join(close)}?)" if close else ""


def _enum(value: Any, key: str, allowed: tuple[str, ...] | Mapping[str, Any]) -> str:
    options = list(allowed)
    if not isinstance(value, str):
        raise IntakeError(key, f"must be one of {', '.join(options)}; got {_describe(value)}")
    if value not in options:
        raise IntakeError(
            key, f"unknown value '{_clip(value)}'; expected one of {', '.join(options)}{nearest(value, options)}"
        )
    return value


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"the string '{_clip(value)}'"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _number(value: Any, key: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IntakeError(key, f"must be a number from {low:g} to {high:g}; got {_describe(value)}")
    number = float(value)
    if math.isnan(number) or not low <= number <= high:
        raise IntakeError(key, f"must be from {low:g} to {high:g}; got {_clip(repr(value), 30)}")
    return number


def _object(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise IntakeError(key, f"must be an object; got {_describe(value)}")
    return value


def _list(value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise IntakeError(key, f"must be a list; got {_describe(value)}")
    if len(value) > MAX_LIST_ITEMS:
        raise IntakeError(key, f"has {len(value)} entries; at most {MAX_LIST_ITEMS} are allowed")
    return value


def _check_keys(obj: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> None:
    for name in obj:
        if name not in allowed:
            where = f"{key}.{name}" if key else name
            raise IntakeError(where, f"unknown key{nearest(name, allowed)}")


def _grade(value: Any, key: str) -> Grade:
    if isinstance(value, bool):
        raise IntakeError(key, "must be an MRC grade 0-5 such as 4 or \"4+\"; got a boolean")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise IntakeError(key, "must be a whole MRC grade 0-5, or a string such as \"4+\"")
        if not 0 <= value <= 5:
            raise IntakeError(key, f"must be an MRC grade from 0 to 5; got {_clip(repr(value), 30)}")
        return Grade(str(int(value)), float(value))
    if isinstance(value, str):
        match = _GRADE.match(value.strip())
        if match and not (match.group(1) == "5" and match.group(2) == "+") and value.strip() != "0-":
            base = float(match.group(1))
            offset = {"+": 1 / 3, "-": -1 / 3, "": 0.0}[match.group(2)]
            return Grade(value.strip(), base + offset)
        raise IntakeError(key, f"'{_clip(value)}' is not an MRC grade; use 0-5 with an optional + or -")
    raise IntakeError(key, f"must be an MRC grade 0-5; got {_describe(value)}")


def _side(value: Any, key: str) -> str:
    return _enum(value, key, SIDES)


def _symptoms(value: Any, vocab: Vocabulary) -> tuple[Symptom, ...]:
    items = []
    for i, raw in enumerate(_list(value, "symptoms")):
        key = f"symptoms[{i}]"
        obj = _object(raw, key)
        _check_keys(obj, key, ("region", "kind", "side"))
        if "region" not in obj or "kind" not in obj:
            raise IntakeError(key, "needs 'region' and 'kind'")
        items.append(
            Symptom(
                region=_enum(obj["region"], f"{key}.region", vocab.regions),
                kind=_enum(obj["kind"], f"{key}.kind", vocab.symptom_kinds),
                side=_side(obj["side"], f"{key}.side") if "side" in obj else None,
            )
        )
    return tuple(items)


def _sensory_loss(value: Any, vocab: Vocabulary) -> tuple[SensoryLoss, ...]:
    items = []
    for i, raw in enumerate(_list(value, "sensory_loss")):
        key = f"sensory_loss[{i}]"
        obj = _object(raw, key)
        _check_keys(obj, key, ("region", "side"))
        if "region" not in obj:
            raise IntakeError(key, "needs 'region'")
        items.append(
            SensoryLoss(
                region=_enum(obj["region"], f"{key}.region", vocab.regions),
                side=_side(obj["side"], f"{key}.side") if "side" in obj else None,
            )
        )
    return tuple(items)


def _repeated(value: Any) -> RepeatedMovements:
    obj = _object(value, "repeated_movements")
    _check_keys(obj, "repeated_movements", ("direction", "distal_symptoms", "local_signs"))

    def pick(name: str, allowed: tuple[str, ...]) -> str | None:
        return _enum(obj[name], f"repeated_movements.{name}", allowed) if name in obj else None

    return RepeatedMovements(
        direction=pick("direction", DIRECTIONS),
        distal_symptoms=pick("distal_symptoms", DISTAL_RESPONSES),
        local_signs=pick("local_signs", LOCAL_RESPONSES),
    )


def _findings(value: Any, vocab: Vocabulary) -> dict[str, bool | float]:
    obj = _object(value, "findings")
    result: dict[str, bool | float] = {}
    for fid, raw in obj.items():
        key = f"findings.{fid}"
        finding = vocab.findings.get(fid)
        if finding is None:
            raise IntakeError(key, f"unknown finding id{nearest(fid, vocab.findings)}")
        if finding.type == "bool":
            if not isinstance(raw, bool):
                raise IntakeError(key, f"must be true or false (omit it if not assessed); got {_describe(raw)}")
            result[fid] = raw
        else:
            low = finding.minimum if finding.minimum is not None else -math.inf
            high = finding.maximum if finding.maximum is not None else math.inf
            result[fid] = _number(raw, key, low, high)
    return result


def parse_intake(data: Any, vocab: Vocabulary) -> Intake:
    """Validate a decoded JSON value as ``ptassist-intake/1``; raises :class:`IntakeError`."""
    if not isinstance(data, dict):
        raise IntakeError("", f"the intake must be a JSON object; got {_describe(data)}")
    obj: dict[str, Any] = data
    _check_keys(obj, "", TOP_LEVEL_KEYS)
    if "format" not in obj:
        raise IntakeError("format", f"missing; expected \"{INTAKE_FORMAT}\"")
    if obj["format"] != INTAKE_FORMAT:
        shown = _clip(obj["format"]) if isinstance(obj["format"], str) else _describe(obj["format"])
        raise IntakeError("format", f"unsupported format '{shown}'; expected \"{INTAKE_FORMAT}\"")
    strength: dict[str, Grade] = {}
    if "strength" in obj:
        for name, raw in _object(obj["strength"], "strength").items():
            if name not in vocab.strength:
                raise IntakeError(f"strength.{name}", f"unknown muscle group{nearest(name, vocab.strength)}")
            strength[name] = _grade(raw, f"strength.{name}")
    reflexes: dict[str, str] = {}
    if "reflexes" in obj:
        for name, raw in _object(obj["reflexes"], "reflexes").items():
            if name not in vocab.reflexes:
                raise IntakeError(f"reflexes.{name}", f"unknown reflex{nearest(name, vocab.reflexes)}")
            reflexes[name] = _enum(raw, f"reflexes.{name}", REFLEX_VALUES)
    return Intake(
        age=_number(obj["age"], "age", 0, 120) if "age" in obj else None,
        sex=_enum(obj["sex"], "sex", SEXES) if "sex" in obj else None,
        side=_side(obj["side"], "side") if "side" in obj else None,
        symptoms=_symptoms(obj["symptoms"], vocab) if "symptoms" in obj else None,
        sensory_loss=_sensory_loss(obj["sensory_loss"], vocab) if "sensory_loss" in obj else None,
        strength=strength,
        reflexes=reflexes,
        repeated_movements=_repeated(obj["repeated_movements"]) if "repeated_movements" in obj else None,
        findings=_findings(obj["findings"], vocab) if "findings" in obj else {},
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def decode_json(text: str) -> Any:
    """Decode JSON strictly (no NaN/Infinity); raises :class:`IntakeError` with a clear message."""
    if not text.strip():
        raise IntakeError("", "the input is empty; expected a JSON object")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise IntakeError("", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise IntakeError("", "not valid JSON: nested too deeply") from exc
    except ValueError as exc:  # NaN/Infinity, or an integer too long to convert
        raise IntakeError("", f"not valid JSON: {_clip(str(exc), 80)}") from exc
