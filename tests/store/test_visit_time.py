"""The visit's date and time: editable on a draft, not before birth, not signed in the future."""

from __future__ import annotations

from datetime import date

import pytest

from ptassist.core.records import ClinicSettings
from ptassist.core.validation import ValidationError
from ptassist.core.visit_time import check_after_birth, normalise_visit_time
from tests.helpers import TEST_PASSWORD


def test_a_time_without_offset_is_the_clinics_local_time():
    assert normalise_visit_time("2026-03-01T09:30", "Pacific/Auckland") == "2026-02-28T20:30:00+00:00"
    assert normalise_visit_time("2026-03-01T09:30-05:00", "Pacific/Auckland") == "2026-03-01T14:30:00+00:00"


def test_the_birth_check_uses_the_local_day():
    # 11:30 UTC on 31 December is already 1 January in Auckland: the day of birth, allowed
    check_after_birth("1979-12-31T11:30:00+00:00", date(1980, 1, 1), "Pacific/Auckland")
    with pytest.raises(ValidationError, match="before the patient's date of birth"):
        check_after_birth("1979-12-31T11:30:00+00:00", date(1980, 1, 1), "Europe/London")


def test_new_visits_default_to_now_and_a_draft_time_can_be_changed(records, patient):
    records.settings.save(ClinicSettings(time_zone="Europe/Berlin"), "t")
    visit = records.new_visit(patient.id, "follow_up")
    assert visit.visit_time.endswith("+00:00")
    moved = records.save_draft(visit, visit_time="2026-06-01T08:00")
    assert moved.visit_time == "2026-06-01T06:00:00+00:00"
    with pytest.raises(ValidationError, match="before the patient's date of birth"):
        records.save_draft(moved, visit_time="1979-05-01T08:00")
    assert records.visits.get(visit.id).visit_time == "2026-06-01T06:00:00+00:00"


def test_a_future_visit_cannot_be_signed_until_it_is_moved(records, patient):
    visit = records.new_visit(patient.id, "follow_up", visit_time="2999-01-01T09:00:00+00:00")
    with pytest.raises(ValidationError, match="in the future"):
        records.sign(visit.id, TEST_PASSWORD)
    visit = records.save_draft(visit, visit_time="2026-01-01T09:00:00+00:00")
    assert records.sign(visit.id, TEST_PASSWORD).signed
