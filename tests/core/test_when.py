"""Stored UTC stamps are shown in local time."""

from __future__ import annotations

from datetime import timedelta, timezone

from ptassist.core.when import local_day, local_minute

PACIFIC = timezone(timedelta(hours=-8))
TOKYO = timezone(timedelta(hours=9))


def test_utc_stamps_are_shown_in_the_local_zone():
    assert local_minute("2026-03-01T22:30:00+00:00", TOKYO) == "2026-03-02 07:30"
    assert local_minute("2026-03-01T05:15:00.123456+00:00", PACIFIC) == "2026-02-28 21:15"
    assert local_day("2026-03-01T05:15:00+00:00", PACIFIC) == "2026-02-28"


def test_stamps_without_an_offset_are_already_local_and_junk_is_shown_as_is():
    assert local_minute("2026-03-01T09:00:00", TOKYO) == "2026-03-01 09:00"
    assert local_minute("not a time") == "not a time"
