"""The draft session: one current version per open visit, saves that keep what is valid, conflicts."""

from __future__ import annotations

import pytest

from ptassist.core.validation import MAX_TEXT
from ptassist.services.draft_changes import describe_unsaved
from ptassist.services.draft_session import (
    DraftConflictError,
    DraftSession,
    DraftSessions,
    default_visit_kind,
    without_refused,
)
from ptassist.services.records import Records
from ptassist.services.recovery import RecoveryJournal
from tests.helpers import TEST_PASSWORD, past_lease_timeout


@pytest.fixture
def sessions(records):
    return DraftSessions(records, lambda: "Alex Carter", RecoveryJournal(records.database.folder))


@pytest.fixture
def draft(records, patient):
    return records.new_visit(patient.id, "initial_evaluation")


@pytest.fixture
def other_desk(records):
    """Another workstation whose clock is past this one's lease timeout: as if this workstation had
    gone silent (asleep, cut off), so the other may change the draft and a conflict can happen."""
    second = past_lease_timeout(Records.open(records.database.folder, signed_in=records.actor, daily_backup=False))
    yield second
    second.close()


def test_every_holder_shares_one_session_and_its_version(sessions, draft, records):
    editor, dialog = sessions.acquire(draft.id), sessions.acquire(draft.id)
    assert editor is dialog
    dialog.save(prescription=[{"exercise": "bridge"}])
    outcome = editor.save(narrative={"plan": "Review in 2 weeks"})  # not stale: the same version
    assert outcome.complete
    stored = records.visits.get(draft.id)
    assert stored.prescription == [{"exercise": "bridge"}] and stored.narrative == {"plan": "Review in 2 weeks"}
    assert stored.updated_by == "Alex Carter"
    sessions.release(editor)
    assert sessions.acquire(draft.id) is dialog  # still held by the dialog
    sessions.release(dialog)
    sessions.release(dialog)
    assert sessions.acquire(draft.id) is not dialog  # forgotten once nobody holds it


def test_listeners_hear_of_saves_except_their_own(sessions, draft):
    session = sessions.acquire(draft.id)
    editor_heard: list[int] = []
    dialog_heard: list[int] = []

    def editor(visit):
        editor_heard.append(visit.version)

    session.subscribe(editor)
    unsubscribe = session.subscribe(lambda visit: dialog_heard.append(visit.version))
    session.save(source=editor, narrative={"plan": "typed in the editor"})
    assert editor_heard == [] and dialog_heard == [session.visit.version]
    unsubscribe()
    session.save(prescription=[{"exercise": "bridge"}])
    assert editor_heard == [session.visit.version] and len(dialog_heard) == 1


def test_a_refused_field_is_left_out_and_the_rest_saved(sessions, draft, records):
    session = sessions.acquire(draft.id)
    session.save(narrative={"plan": "short plan"})
    too_long = "x" * (MAX_TEXT + 1)
    outcome = session.save(narrative={"subjective": "kept", "plan": too_long}, measures={"NPRS": {"value": 4}})
    assert set(outcome.problems) == {"narrative.plan"} and "at most 20000" in outcome.problems["narrative.plan"]
    stored = records.visits.get(draft.id)
    assert stored.narrative == {"subjective": "kept", "plan": "short plan"}  # the stored plan stays
    assert stored.measures == {"NPRS": {"value": 4}}
    assert session.recovered() == {"narrative.plan": too_long}
    assert session.save(narrative={"plan": "shorter"}).complete
    assert session.recovered() == {}


def test_several_refused_fields_and_an_invalid_measure(sessions, draft, records):
    session = sessions.acquire(draft.id)
    outcome = session.save(narrative={"plan": "x" * (MAX_TEXT + 5), "objective": "bad\x00byte", "assessment": "ok"},
                           measures={"NPRS": {"value": 99}})
    assert set(outcome.problems) == {"narrative.plan", "narrative.objective", "measures"}
    assert records.visits.get(draft.id).narrative == {"assessment": "ok"}


def test_a_change_made_elsewhere_is_a_conflict_naming_who(sessions, draft, other_desk, records):
    session = sessions.acquire(draft.id)
    other_desk.save_draft(other_desk.visits.get(draft.id), actor="Dr Ana Ruiz", narrative={"plan": "theirs"})
    with pytest.raises(DraftConflictError) as raised:
        session.save(narrative={"plan": "mine"})
    assert raised.value.changed_by == "Dr Ana Ruiz" and "Dr Ana Ruiz changed this visit" in str(raised.value)
    assert records.visits.get(draft.id).narrative == {"plan": "theirs"}  # nothing overwritten
    with pytest.raises(DraftConflictError):
        session.sign(TEST_PASSWORD)
    assert records.visits.get(draft.id).status == "draft"


def test_keep_both_saves_mine_as_a_new_draft(sessions, draft, other_desk, records):
    session = sessions.acquire(draft.id)
    session.save(prescription=[{"exercise": "bridge"}])
    other_desk.save_draft(other_desk.visits.get(draft.id), actor="Dr Ana Ruiz", narrative={"plan": "theirs"})
    mine = {"narrative": {"plan": "mine"}, "intake": {"format": "ptassist-intake/1", "side": "left"}}
    created = sessions.keep_both(session, mine)
    assert created.id != draft.id and session.visit_id == created.id
    assert sessions.acquire(created.id) is session
    stored = records.visits.get(created.id)
    assert stored.narrative == {"plan": "mine"} and stored.intake["side"] == "left"
    assert stored.prescription == [{"exercise": "bridge"}] and stored.kind == draft.kind
    assert records.visits.get(draft.id).narrative == {"plan": "theirs"}


def test_reload_takes_theirs_and_describes_mine(sessions, draft, other_desk, records):
    session = sessions.acquire(draft.id)
    other_desk.save_draft(other_desk.visits.get(draft.id), actor="Dr Ana Ruiz", narrative={"plan": "theirs"},
                          intake={"format": "ptassist-intake/1", "findings": {"noble_test": False}})
    mine = {"narrative": {"plan": "mine"}, "intake": {"format": "ptassist-intake/1", "findings": {"noble_test": True}}}
    theirs = session.reload()
    lines = describe_unsaved(mine, theirs, records.engine.vocabulary)
    assert lines[0] == "Plan (yours):\nmine"
    assert any(line.startswith("Noble") and "yours yes, theirs no" in line for line in lines)
    assert session.save(narrative={"plan": "merged"}).complete


def test_without_refused_puts_back_the_stored_value(records, draft):
    stored = records.save_draft(draft, narrative={"plan": "old"})
    changes = {"narrative": {"plan": "new", "subjective": "s"}, "measures": {}}
    assert without_refused(changes, "narrative.plan", stored) == {"narrative": {"plan": "old", "subjective": "s"},
                                                                   "measures": {}}
    assert without_refused(changes, "narrative.subjective", stored) == {"narrative": {"plan": "new"}, "measures": {}}
    assert without_refused(changes, "measures.NPRS", stored) == {"narrative": changes["narrative"]}
    assert without_refused(changes, "visit_id", stored) is None


def test_a_new_draft_copies_the_last_signed_findings_forward(sessions, records, patient):
    first = sessions.start(patient.id, default_visit_kind(0))
    records.save_draft(first, intake={"format": "ptassist-intake/1", "side": "right"})
    records.sign(first.id, TEST_PASSWORD)
    follow_up = sessions.start(patient.id, default_visit_kind(1))
    assert follow_up.kind == "follow_up" and follow_up.intake["side"] == "right"


def test_the_journal_is_private_and_survives_a_new_session(records, draft):
    journal = RecoveryJournal(records.database.folder)
    session = DraftSession(records, draft, lambda: "Alex Carter", journal)
    session.save(narrative={"plan": "y" * (MAX_TEXT + 1)})
    path = journal.folder / f"visit-{draft.id}.json"
    assert path.stat().st_mode & 0o777 == 0o600
    again = DraftSession(records, records.visits.get(draft.id), lambda: "Alex Carter", journal)
    assert again.recovered() == {"narrative.plan": "y" * (MAX_TEXT + 1)}


def test_the_journal_never_offers_text_to_another_visit_with_the_same_id(records, draft, patient):
    journal = RecoveryJournal(records.database.folder)
    journal.keep(draft.id, {"narrative.plan": "typed for another visit"}, owner="patient 999 at 2020-01-01")
    session = DraftSession(records, draft, lambda: "Alex Carter", journal)
    assert session.recovered() == {}


def test_a_lease_that_cannot_be_taken_leaves_the_draft_open_and_the_services_guarding(sessions, draft, records,
                                                                                      monkeypatch):
    from ptassist.store.errors import LockedError

    def busy(*_args, **_kwargs):
        raise LockedError("database is locked")

    monkeypatch.setattr(records.leases, "acquire", busy)
    session = sessions.acquire(draft.id)
    assert session is not None and session.read_only_reason is None
    assert session.save(narrative={"plan": "kept"}).complete
