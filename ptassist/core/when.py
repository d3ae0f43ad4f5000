"""Times as the clinician reads them: records keep UTC (ISO 8601 with offset); screens show local time."""

from __future__ import annotations

from datetime import datetime, tzinfo


def local_minute(stamp: str, zone: tzinfo | None = None) -> str:
    """'2026-03-01T22:30:00+00:00' as 'YYYY-MM-DD HH:MM' in ``zone`` (default: this computer's zone).

    A stamp without an offset is taken as already local; text that is not a time is shown as it is.
    """
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M")


def local_day(stamp: str, zone: tzinfo | None = None) -> str:
    """The local calendar day of a stamp: 'YYYY-MM-DD'."""
    return local_minute(stamp, zone)[:10]


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def machine_zone_name() -> str:
    """This computer's IANA time-zone name ('Pacific/Auckland'), or 'UTC' when it cannot be told."""
    import os
    from pathlib import Path

    named = os.environ.get("TZ", "").lstrip(":")
    if named and _is_zone(named):
        return named
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target and _is_zone(target.split("zoneinfo/", 1)[1]):
            return target.split("zoneinfo/", 1)[1]
        text = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if _is_zone(text):
            return text
    except OSError:
        pass
    return "UTC"


def _is_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_zone(name: str) -> str:
    """An IANA zone name as given, or ValueError naming what is wrong."""
    if not _is_zone(name):
        raise ValueError(f"'{name}' is not an IANA time-zone name (e.g. Europe/London, Pacific/Auckland)")
    return name


def in_zone(stamp: str, zone_name: str) -> datetime | None:
    """A stored stamp as a time in the named zone (None for text that is not a time)."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone_name if _is_zone(zone_name) else "UTC"))


def long_day(moment: datetime) -> str:
    """'2 December 2026', the same on every machine (no locale)."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
