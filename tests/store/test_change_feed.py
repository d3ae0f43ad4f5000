"""The change feed: another connection's commits are seen cheaply, and say what changed."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from ptassist.services.records import Records
from ptassist.store.change_feed import Change, open_change_feed
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE


@pytest.fixture
def other_desk(records):
    other = Records.open(records.database.folder, signed_in=records.actor, daily_backup=False)
    yield other
    other.close()


def unaudited(records, *changes):
    """What a server also says of changes the audit trail does not hold (SQLite's feed cannot tell them)."""
    return [] if records.database.is_sqlite else list(changes)


def settled(feed, timeout=3.0):
    """What the feed reports once something arrives (a server delivers a notification just after the
    commit, through the socket), then whatever follows at once; [] if nothing came within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        changes = feed.poll()
        if changes:
            time.sleep(0.05)
            return changes + feed.poll()
        time.sleep(0.01)
    return []


def quiet(feed):
    time.sleep(0.1)
    return feed.poll() == []


@pytest.fixture
def feed(records):
    opened = open_change_feed(records.database)
    yield opened
    opened.close()


def test_nothing_committed_means_nothing_to_report(feed, records, patient):
    assert settled(feed) == [Change("patient_added", patient.id)]  # the fixture's patient came after the feed
    assert quiet(feed)
    records.patients.search("okafor")  # reading changes nothing
    assert quiet(feed)


def test_a_sign_and_a_patient_added_on_another_workstation_are_reported(feed, other_desk, patient):
    settled(feed)
    draft = other_desk.new_visit(patient.id, "initial_evaluation")
    other_desk.save_draft(draft, intake=INTAKE)
    other_desk.sign(draft.id, TEST_PASSWORD)
    added = other_desk.patients.add(family_name="Ng", given_name="Mei", date_of_birth="1990-01-01")
    assert settled(feed) == [Change("draft_added", draft.id), Change("visit_signed", draft.id),
                             Change("patient_added", added.id), *unaudited(other_desk, Change("draft_saved", draft.id))]
    assert quiet(feed)


def test_a_change_the_audit_does_not_hold_is_still_seen(feed, other_desk, patient):
    draft = other_desk.new_visit(patient.id, "follow_up")
    settled(feed)
    other_desk.leases.acquire(draft.id, other_desk.lease_holder)
    assert settled(feed) == (unaudited(other_desk, Change("lease_changed", draft.id)) or [Change("records")])
    other_desk.save_draft(other_desk.visits.get(draft.id), narrative={"plan": "x"})
    assert settled(feed) == (unaudited(other_desk, Change("draft_saved", draft.id)) or [Change("records")])


def test_another_process_signing_is_seen(feed, records, patient, tmp_path):
    draft = records.new_visit(patient.id, "initial_evaluation")
    records.save_draft(draft, intake=INTAKE)
    settled(feed)
    script = ("import sys; from ptassist.store.database import open_database; from pathlib import Path; "
              "from ptassist.store.visits import VisitRepository, Derived; "
              "db = open_database(Path(sys.argv[1]), daily_backup=False); "
              "VisitRepository(db).sign(int(sys.argv[2]), clinician='Alex Carter', assessment={}, "
              "ruleset_version='x', derived=Derived(None, (), {}), actor='Alex Carter'); db.close()")
    subprocess.run([sys.executable, "-c", script, str(records.database.folder), str(draft.id)], check=True,
                   timeout=60)
    assert Change("visit_signed", draft.id) in settled(feed)


@pytest.mark.postgresql
def test_a_lost_listening_connection_is_opened_again_and_the_gap_reported(feed, other_desk, patient):
    from sqlalchemy import text

    settled(feed)
    with other_desk.database.engine.connect() as admin:  # the server ends the feed's session (a restart, a cut)
        admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"))
        admin.commit()
    added = other_desk.patients.add(family_name="Ng", given_name="Mei", date_of_birth="1990-01-01")
    assert Change("patient_added", added.id) in settled(feed)  # after listening again: the gap read from the trail
    second = other_desk.patients.add(family_name="Lin", given_name="Wei", date_of_birth="1991-01-01")
    assert settled(feed) == [Change("patient_added", second.id)]  # and listening as before


@pytest.mark.sqlite_only  # a server database is restored with pg_restore, outside the app
def test_records_restored_from_a_backup_are_one_change_and_the_feed_goes_on(feed, records, patient, tmp_path):
    from ptassist.store import backup as backups

    settled(feed)
    copy = backups.backup_to(records.database, tmp_path / "before.db")
    records.patients.add(family_name="Later", given_name="Added", date_of_birth="1990-01-01")
    settled(feed)
    backups.restore_from(records.database, copy, replace_newer=True)  # a shorter audit trail than the feed saw
    assert Change("records") in settled(feed)
    added = records.patients.add(family_name="Ng", given_name="Mei", date_of_birth="1990-01-01")
    assert Change("patient_added", added.id) in settled(feed)
