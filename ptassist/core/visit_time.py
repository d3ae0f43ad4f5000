"""The date and time of a visit: as the clinician gives it, kept as UTC, checked against the patient.

A time without an offset is a wall-clock time in the clinic's zone (the visit's zone), as issue 11's
local dates are read; the birth-date check compares the visit's local day with the date of birth.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ptassist.core.validation import ValidationError

FIELD = "visit_time"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def normalise_visit_time(text: str, zone_name: str) -> str:
    """``text`` (ISO 8601, with or without an offset) as a UTC stamp 'YYYY-MM-DDTHH:MM:SS+00:00'."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(FIELD, "is required (ISO 8601, e.g. 2026-03-01T09:30 or 2026-03-01T09:30+13:00)")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(FIELD, "is not an ISO 8601 date and time (e.g. 2026-03-01T09:30)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(zone_name))
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def check_after_birth(visit_time: str, date_of_birth: date, zone_name: str) -> None:
    """Refuse a visit whose local day in the clinic's zone is before the patient's birth."""
    local = datetime.fromisoformat(visit_time).astimezone(_zone(zone_name)).date()
    if local < date_of_birth:
        raise ValidationError(FIELD, f"is before the patient's date of birth ({date_of_birth.isoformat()})")


def check_not_future(visit_time: str, now: datetime) -> None:
    """A visit cannot be signed before it has happened."""
    if datetime.fromisoformat(visit_time) > now:
        raise ValidationError(FIELD, "is in the future: a visit can be signed once it has taken place")
