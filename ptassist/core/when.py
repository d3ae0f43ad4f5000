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
