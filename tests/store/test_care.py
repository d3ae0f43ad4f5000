"""The visit's care record: goals, plan of care, interventions delivered, consent."""

from __future__ import annotations

import pytest

from ptassist.core.care import parse_care
from ptassist.core.validation import ValidationError
from ptassist.services.draft_session import DraftSessions
from ptassist.store.verify import verify_chain
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE
from tests.store.test_verify import tamper

CARE = {
    "format": "ptassist-care/1",
    "goals": [{"term": "short", "text": "Run 5 km pain-free", "target_date": "2026-04-01"},
              {"term": "long", "text": "Return to half-marathon"}],
    "plan_of_care": {"frequency": "2 x per week", "duration": "6 weeks",
                     "interventions": ["therapeutic_exercise", "education"]},
    "session": {"interventions": ["manual_therapy"], "notes": "Soft-tissue work 10 min."},
    "consent": {"given": True, "by": "the patient"},
}


def test_care_round_trips_and_a_signed_visit_covers_it(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE, visit_time="2026-03-01T09:00")
    visit = records.save_draft(visit, care=CARE)
    assert visit.care == CARE
    records.sign(visit.id, TEST_PASSWORD)
    assert verify_chain(records.database).ok
    tamper(records.database, f"UPDATE visit SET care_json = NULL WHERE id = {visit.id}")
    assert not verify_chain(records.database).ok


def test_an_empty_care_record_is_none_and_bad_parts_are_named(records, patient):
    visit = records.new_visit(patient.id, "follow_up", visit_time="2026-03-01T09:00")
    assert records.save_draft(visit, care={"format": "ptassist-care/1"}).care == {}
    for care, where in (({"goals": [{"term": "medium", "text": "x"}]}, "care.goals[0].term"),
                        ({"goals": [{"term": "short", "text": "x", "target_date": "2026-02-30"}]},
                         "care.goals[0].target_date"),
                        ({"session": {"interventions": ["levitation"]}}, "care.session.interventions"),
                        ({"consent": {"given": "yes"}}, "care.consent.given")):
        with pytest.raises(ValidationError) as caught:
            parse_care(care)
        assert caught.value.field == where


def test_a_follow_up_carries_the_goals_and_plan_forward_but_not_the_session(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE, visit_time="2026-03-01T09:00")
    records.sign(records.save_draft(visit, care=CARE).id, TEST_PASSWORD)
    follow_up = DraftSessions(records, lambda: "t").start(patient.id, "follow_up")
    assert follow_up.care == {k: CARE[k] for k in ("format", "goals", "plan_of_care")}
