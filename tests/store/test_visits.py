"""Visits: drafts with optimistic concurrency, signing, addenda, history."""

from __future__ import annotations

import pytest

from ptassist.core.validation import ValidationError
from ptassist.store.errors import ConflictError, LockedError
from tests.backends import RawConnection
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE


def test_a_draft_is_saved_and_versioned(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    assert visit.status == "draft" and visit.version == 1 and visit.assessment is None
    saved = records.save_draft(visit, narrative={"subjective": "Runs 30 km a week; pain at 4 km."},
                               measures={"NPRS": {"value": 6}, "LEFS": {"items": [3] * 20}})
    assert saved.version == 2
    again = records.visits.get(visit.id)
    assert again.narrative["subjective"].startswith("Runs 30 km")
    history = records.visits.history(patient.id)
    assert history[0].working_diagnosis == ("itbs",)
    assert history[0].scores == {"nprs": 6.0, "lefs": 60.0}


def test_a_stale_save_is_a_conflict_naming_who_changed_it(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.save_draft(visit, actor="window on desk 2", narrative={"plan": "first"})
    with pytest.raises(ConflictError) as caught:
        records.save_draft(visit, narrative={"plan": "second"})  # still based on version 1
    assert "window on desk 2" in str(caught.value)
    assert records.visits.get(visit.id).narrative == {"plan": "first"}


def test_signing_freezes_the_assessment_and_locks_the_visit(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    signed = records.sign(visit.id, TEST_PASSWORD)
    assert signed.status == "signed" and signed.signed_by == "Alex Carter"
    assert signed.assessment["ruleset"]["version"] == records.engine.ruleset.version
    assert signed.assessment["working_diagnosis"] == ["itbs"]
    assert len(signed.content_hash) == 64
    with pytest.raises(LockedError, match="signed"):
        records.save_draft(signed, narrative={"plan": "changed"})
    with pytest.raises(LockedError, match="already signed"):
        records.sign(visit.id, TEST_PASSWORD)
    with pytest.raises(LockedError):
        records.visits.delete_draft(visit.id, "x")


def test_addenda_go_on_signed_visits_only_and_chain_on(records, patient):
    draft = records.new_visit(patient.id, "follow_up", intake=INTAKE)
    with pytest.raises(ValidationError, match="draft"):
        records.add_addendum(draft.id, "note", TEST_PASSWORD)
    signed = records.sign(draft.id, TEST_PASSWORD)
    first = records.add_addendum(draft.id, "Correction: pain is on the LEFT.", TEST_PASSWORD)
    second = records.add_addendum(draft.id, "Late entry: phoned, settling.", TEST_PASSWORD)
    assert first.prev_hash == signed.content_hash and second.prev_hash == first.content_hash
    assert [a.text for a in records.visits.addenda(draft.id)] == [
        "Correction: pain is on the LEFT.", "Late entry: phoned, settling."
    ]
    with pytest.raises(ValidationError, match="required"):
        records.add_addendum(draft.id, "   ", TEST_PASSWORD)


def test_history_is_newest_first(records, patient):
    for day in ("2026-01-05", "2026-03-01", "2026-02-10"):
        records.new_visit(patient.id, "follow_up", intake=INTAKE, visit_time=f"{day}T10:00:00+00:00")
    assert [v.visit_time[:10] for v in records.visits.history(patient.id)] == ["2026-03-01", "2026-02-10", "2026-01-05"]


def test_invalid_visit_input_names_the_field(records, patient):
    with pytest.raises(ValidationError, match="kind"):
        records.new_visit(patient.id, "consultation")
    with pytest.raises(ValidationError, match=r"intake\.findings\.noble_tset"):
        records.new_visit(patient.id, "follow_up", intake={"format": "ptassist-intake/1", "findings": {"noble_tset": True}})
    with pytest.raises(ValidationError, match="patient_id"):
        records.new_visit(999, "follow_up")
    visit = records.new_visit(patient.id, "follow_up")
    with pytest.raises(ValidationError, match="LEFS item 1"):
        records.save_draft(visit, measures={"LEFS": {"items": [7] * 20}})
    with pytest.raises(ValidationError, match=r"narrative\.mood"):
        records.save_draft(visit, narrative={"mood": "fine"})


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE visit SET kind = 'follow_up' WHERE status = 'signed'",
        "UPDATE visit SET intake_json = '{}' WHERE status = 'signed'",
        "DELETE FROM visit WHERE status = 'signed'",
        "UPDATE addendum SET text = 'rewritten'",
        "DELETE FROM addendum",
        "UPDATE audit_event SET actor = 'nobody'",
        "DELETE FROM audit_event",
        "UPDATE document SET sha256 = 'x'",
        "DELETE FROM document",
    ],
)
def test_raw_sql_cannot_change_signed_records(records, patient, statement):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    records.add_addendum(visit.id, "Addendum", TEST_PASSWORD)
    records.documents.store(visit.id, "hep", b"%PDF-1.4 test", "Alex Carter")
    raw = RawConnection(records.database)
    try:
        with pytest.raises(raw.Error, match=r"locked|permanent"):
            raw.execute(statement)
    finally:
        raw.close()


def test_raw_sql_can_still_change_and_discard_drafts(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    raw = RawConnection(records.database)
    raw.execute("UPDATE visit SET kind = 'follow_up' WHERE id = ?", (visit.id,))
    raw.commit()
    raw.close()
    records.visits.delete_draft(visit.id, "x")
    assert records.visits.get(visit.id) is None


def test_documents_are_stored_only_for_signed_visits(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    with pytest.raises(ValidationError, match="signed visit"):
        records.documents.store(visit.id, "hep", b"%PDF", "x")
    records.sign(visit.id, TEST_PASSWORD)
    doc = records.documents.store(visit.id, "referral", b"%PDF-1.4 body", "Alex Carter")
    assert records.documents.content(doc.id) == b"%PDF-1.4 body"
    assert len(doc.sha256) == 64 and records.documents.for_visit(visit.id) == [doc]


def test_actions_are_audited_without_names_or_notes(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE, actor="desk 1")
    records.save_draft(visit, narrative={"subjective": "secret note text"})
    records.sign(visit.id, TEST_PASSWORD)
    events = [e for e in records.audit.events() if e.record_type != "account"]  # set-up and login
    assert [(e.action, e.record_type) for e in events] == [
        ("create", "patient"), ("create", "visit"), ("sign", "visit")
    ]
    for event in events:
        assert "Okafor" not in repr(event) and "secret" not in repr(event)
