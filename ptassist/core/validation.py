"""Field validation for records, with messages that name the field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from ptassist.core.records import PAPER_SIZES, VISIT_KINDS
from ptassist.core.text_rules import text_problem

SEXES = ("female", "male", "other", "unknown")
MAX_NAME = 200
MAX_SHORT = 300
MAX_TEXT = 20000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CHART = re.compile(r"^[\w\-/.]{1,40}$", re.UNICODE)


class ValidationError(ValueError):
    """A value a record field cannot take."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def clean_text(
    value: Any, field: str, *, required: bool = False, limit: int = MAX_SHORT, multiline: bool = False
) -> str:
    """Strip, normalise to NFC, refuse what :mod:`ptassist.core.text_rules` refuses and over-long values.

    Only ``multiline`` fields (notes, narrative, addresses, addenda) may hold line breaks and tabs.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValidationError(field, problem)
    text = unicodedata.normalize("NFC", value.strip())
    if required and not text:
        raise ValidationError(field, "is required")
    if len(text) > limit:
        raise ValidationError(field, f"is {len(text)} characters long; at most {limit} are allowed")
    return text


def parse_date(value: Any, field: str) -> date:
    """A date of birth: YYYY-MM-DD, not in the future, not before 1900."""
    if isinstance(value, date):
        day = value
    else:
        if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
            raise ValidationError(field, "must be a date as YYYY-MM-DD")
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(field, "is not a real date") from None
    if day > date.today():
        raise ValidationError(field, "is in the future")
    if day.year < 1900:
        raise ValidationError(field, "is before 1900")
    return day


def check_choice(value: Any, field: str, choices: tuple[str, ...], *, optional: bool = False) -> str | None:
    if value in (None, "") and optional:
        return None
    if value not in choices:
        raise ValidationError(field, f"must be one of {', '.join(choices)}")
    return str(value)


def check_email(value: Any, field: str = "email") -> str:
    text = clean_text(value, field)
    if text and not _EMAIL.match(text):
        raise ValidationError(field, "is not an email address")
    return text


def check_chart_number(value: Any) -> str:
    text = clean_text(value, "chart_number", required=True, limit=40)
    if not _CHART.match(text):
        raise ValidationError("chart_number", "use letters, digits, '-', '/' or '.' (no spaces), up to 40 characters")
    return text


def check_kind(value: Any) -> str:
    kind = check_choice(value, "kind", VISIT_KINDS)
    assert kind is not None
    return kind


def check_paper(value: Any) -> str:
    paper = check_choice(value, "paper_size", PAPER_SIZES)
    assert paper is not None
    return paper


def search_key(*parts: str) -> str:
    """Names folded for search: accents and case removed in any script ('Zoë' -> 'zoe')."""
    text = " ".join(parts)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def check_id_list(value: Any, field: str, known: Iterable[str], what: str, hint: str = "") -> tuple[str, ...]:
    """A list of known ids (duplicates dropped, order kept); raises ValidationError naming the first unknown."""
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValidationError(field, f"must be a list of {what} ids")
    allowed = set(known)
    for item in value:
        if item not in allowed:
            raise ValidationError(field, f"unknown {what} '{item[:40]}'" + (f" ({hint})" if hint else ""))
    return tuple(dict.fromkeys(value))
