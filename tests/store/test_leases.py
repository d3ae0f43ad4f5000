"""Draft leases: one holder edits a draft; others see who and are refused; heartbeat, expiry, takeover."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ptassist.services.records import Records
from ptassist.store.leases import LEASE_TIMEOUT, Holder, LeasedError, LeaseRepository, ServerClock, utc_now
from ptassist.store.verify import verify_chain
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE

FRONT_DESK = Holder("front-desk-token", "Dr Ana Ruiz", "FRONT-DESK", 4242)


@pytest.fixture
def draft(records, patient):
    return records.new_visit(patient.id, "initial_evaluation")


@pytest.fixture
def front_desk(records):
    """Another workstation on the same file: its own engine, its own lease holder."""
    other = Records.open(records.database.folder, signed_in=records.actor, daily_backup=False)
    other.lease_holder = dataclasses.replace(other.lease_holder, workstation="FRONT-DESK")
    yield other
    other.close()


def later(seconds: float):
    return lambda: utc_now() + timedelta(seconds=seconds)


def test_the_first_holder_gets_the_lease_and_the_next_one_learns_who_has_it(records, draft):
    mine = records.leases.acquire(draft.id, records.lease_holder)
    assert mine is not None and mine.held_by(records.lease_holder)
    theirs = records.leases.acquire(draft.id, FRONT_DESK)
    assert theirs == mine  # unchanged: the live lease stays with its holder
    assert not theirs.held_by(FRONT_DESK)
    description = theirs.description()
    assert description.startswith(f"Being edited by Alex Carter on {records.lease_holder.workstation} since ")
    assert len(description.rsplit(" ", 1)[1]) == 5  # today: the time only (HH:MM)


def test_renewing_keeps_when_it_was_taken_and_a_signed_visit_takes_no_lease(records, draft, patient):
    first = records.leases.acquire(draft.id, records.lease_holder)
    records.leases.clock = later(30)
    again = records.leases.acquire(draft.id, records.lease_holder)
    assert again.acquired_at == first.acquired_at and again.heartbeat_at > first.heartbeat_at
    records.save_draft(records.visits.get(draft.id), intake=INTAKE)
    records.sign(draft.id, TEST_PASSWORD)
    assert records.leases.current(draft.id) is None  # signing ended the lease
    assert records.leases.acquire(draft.id, records.lease_holder) is None


def test_the_services_refuse_a_save_or_sign_of_a_draft_someone_else_is_editing(records, front_desk, draft):
    assert records.leases.acquire(draft.id, records.lease_holder).held_by(records.lease_holder)
    stale = front_desk.visits.get(draft.id)
    with pytest.raises(LeasedError, match=r"Being edited by Alex Carter on .* since"):
        front_desk.save_draft(stale, narrative={"plan": "theirs"})
    with pytest.raises(LeasedError):
        front_desk.sign(draft.id, TEST_PASSWORD)
    stored = records.visits.get(draft.id)
    assert stored.version == draft.version and stored.narrative == {} and not stored.signed
    records.save_draft(stored, narrative={"plan": "mine"})  # the holder saves as before
    records.leases.release(draft.id, records.lease_holder)
    front_desk.save_draft(front_desk.visits.get(draft.id), narrative={"plan": "theirs"})  # free now
    assert records.visits.get(draft.id).narrative == {"plan": "theirs"}


def test_a_lease_without_heartbeat_expires_and_its_takeover_is_audited(records, front_desk, draft):
    records.leases.acquire(draft.id, records.lease_holder)
    front_desk.leases.clock = later(LEASE_TIMEOUT.total_seconds() - 5)
    assert not front_desk.leases.acquire(draft.id, front_desk.lease_holder).held_by(front_desk.lease_holder)
    front_desk.leases.clock = later(LEASE_TIMEOUT.total_seconds() + 1)  # the first workstation went silent
    taken = front_desk.leases.acquire(draft.id, front_desk.lease_holder)
    assert taken.held_by(front_desk.lease_holder) and taken.workstation == "FRONT-DESK"
    with records.database.session() as session:
        events = session.connection().execute(text(
            "SELECT actor, action, record_type, record_id FROM audit_event WHERE action = 'take_over'")).all()
    assert [tuple(e) for e in events] == [("Alex Carter", "take_over", "visit", draft.id)]
    # The first workstation wakes up: its heartbeat says the lease is gone, and it cannot save over it.
    assert records.leases.heartbeat(records.lease_holder) == set()
    with pytest.raises(LeasedError, match="on FRONT-DESK"):
        records.save_draft(records.visits.get(draft.id), narrative={"plan": "late"})
    records.leases.release(draft.id, records.lease_holder)  # releasing what it no longer holds changes nothing
    assert front_desk.leases.current(draft.id) == taken


def test_the_heartbeat_renews_every_lease_of_its_holder_in_one_go(records, patient):
    drafts = [records.new_visit(patient.id, "follow_up") for _ in range(3)]
    for visit in drafts:
        records.leases.acquire(visit.id, records.lease_holder)
    records.leases.clock = later(60)
    assert records.leases.heartbeat(records.lease_holder) == {v.id for v in drafts}
    checker = LeaseRepository(records.database, clock=later(60 + LEASE_TIMEOUT.total_seconds() - 1))
    assert all(checker.current(v.id) is not None for v in drafts)  # still live thanks to the beat
    records.leases.release_all(records.lease_holder)
    assert all(records.leases.current(v.id) is None for v in drafts)


def test_deleting_a_draft_takes_its_lease_with_it(records, draft):
    records.leases.acquire(draft.id, records.lease_holder)
    records.visits.delete_draft(draft.id, "Alex Carter")
    with records.database.session() as session:
        assert session.connection().execute(text("SELECT count(*) FROM draft_lease")).scalar() == 0


def test_leases_are_no_part_of_the_record_chain_or_export(records, front_desk, draft, tmp_path):
    records.leases.acquire(draft.id, records.lease_holder)
    records.save_draft(records.visits.get(draft.id), intake=INTAKE)
    records.sign(draft.id, TEST_PASSWORD)
    second = records.new_visit(draft.patient_id, "follow_up")
    records.leases.acquire(second.id, records.lease_holder)
    front_desk.leases.clock = later(LEASE_TIMEOUT.total_seconds() + 1)
    front_desk.leases.acquire(second.id, front_desk.lease_holder)
    assert verify_chain(records.database).ok
    from ptassist.store.transfer import export_database

    target = tmp_path / "export.json"
    export_database(records.database, target, "Alex Carter")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert "lease" not in json.dumps(sorted(document)), sorted(document)
    assert "FRONT-DESK" not in target.read_text(encoding="utf-8")


RACER = """
import json, sys
from ptassist.store.database import open_database
from ptassist.store.leases import Holder, LeaseRepository
database = open_database(__import__("pathlib").Path(sys.argv[1]), daily_backup=False)
holder = Holder("racer-" + sys.argv[2], "Racer " + sys.argv[2], "DESK-" + sys.argv[2], 1)
go = __import__("pathlib").Path(sys.argv[3])
while not go.exists():
    pass
lease = LeaseRepository(database).acquire(int(sys.argv[4]), holder)
print(json.dumps(lease.held_by(holder)))
database.close()
"""


def test_workstations_racing_for_one_draft_get_exactly_one_lease(records, draft, tmp_path):
    """Four processes on one SQLite file ask for the same free lease at the same moment."""
    go = tmp_path / "go"
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(records.database.folder), str(n), str(go),
                                str(draft.id)], stdout=subprocess.PIPE, text=True, cwd=Path.cwd())
              for n in range(4)]
    import time

    time.sleep(1.5)  # every racer has opened the database and waits
    go.touch()
    results = [json.loads(racer.communicate(timeout=60)[0]) for racer in racers]
    assert sorted(results) == [False, False, False, True]
    assert records.leases.current(draft.id).account.startswith("Racer ")


def test_reopening_a_draft_after_a_crash_here_takes_the_dead_apps_lease_at_once(records, draft):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True, timeout=60)
    crashed = Holder("crashed-app", "Alex Carter", records.lease_holder.workstation, int(gone.stdout))
    records.leases.acquire(draft.id, crashed)
    elsewhere = dataclasses.replace(crashed, token="other-desk", workstation="FRONT-DESK")
    assert not records.leases.acquire(draft.id, elsewhere).held_by(elsewhere)  # elsewhere: wait for the timeout
    assert records.leases.acquire(draft.id, records.lease_holder).held_by(records.lease_holder)
    alive = dataclasses.replace(crashed, token="still-running", pid=os.getppid())
    assert not records.leases.acquire(draft.id, alive).held_by(alive)  # a running app's lease is not taken


def skewed(minutes: float):
    return lambda: utc_now() + timedelta(minutes=minutes)


@pytest.mark.postgresql
def test_workstations_whose_clocks_disagree_judge_leases_by_the_servers_clock(records, front_desk, draft):
    # This workstation's clock is 10 minutes slow, the front desk's 10 minutes fast: by their own
    # clocks the front desk would take a lease renewed a moment ago as 20 minutes old.
    records.leases.clock = ServerClock(records.database, local=skewed(-10))
    front_desk.leases.clock = ServerClock(front_desk.database, local=skewed(+10))
    mine = records.leases.acquire(draft.id, records.lease_holder)
    assert mine is not None and mine.held_by(records.lease_holder)
    assert front_desk.leases.current(draft.id) == mine  # live, as the server's clock says
    assert front_desk.leases.acquire(draft.id, front_desk.lease_holder) == mine  # not taken over
    with pytest.raises(LeasedError):
        front_desk.save_draft(front_desk.visits.get(draft.id), intake=INTAKE)
    offsets = records.leases.clock.offset, front_desk.leases.clock.offset
    assert abs(offsets[0] - timedelta(minutes=10)) < timedelta(seconds=5), offsets
    assert abs(offsets[1] + timedelta(minutes=10)) < timedelta(seconds=5), offsets


def test_a_file_needs_no_server_clock_and_one_that_cannot_be_read_keeps_the_last_offset(records, backend, monkeypatch):
    clock = ServerClock(records.database)
    before = utc_now()
    assert before - timedelta(seconds=1) < clock() < utc_now() + timedelta(seconds=1)
    if backend == "sqlite":
        assert records.database.dialect.server_clock_sql is None and clock.offset == timedelta(0)
        return
    first = clock.offset

    def unreachable(*_args, **_kwargs):
        raise OSError("server gone")

    monkeypatch.setattr(records.database.engine, "connect", unreachable)
    clock._next_check = None  # due again
    clock()  # no exception: the lease statement itself will say the server is gone
    assert clock.offset == first
