"""Tamper evidence: a row edited behind the app's back is caught by verify."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ptassist.store.verify import verify_chain
from tests.backends import RawConnection
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE


@pytest.fixture
def chain(records, patient):
    ids = []
    for n in range(3):
        visit = records.new_visit(patient.id, "follow_up", intake=INTAKE, visit_time=f"2026-0{n + 1}-01T09:00:00+00:00")
        records.sign(visit.id, TEST_PASSWORD)
        ids.append(visit.id)
    records.add_addendum(ids[1], "Correction", TEST_PASSWORD)
    return ids


def tamper(database, *statements):
    raw = RawConnection(database)
    for name in ("visit_signed_no_update", "visit_signed_no_delete", "addendum_no_update", "addendum_no_delete"):
        raw.drop_trigger(name)
    for statement in statements:
        raw.execute(statement)
    raw.commit()
    raw.close()


def test_an_untouched_chain_verifies(records, chain):
    report = verify_chain(records.database)
    assert report.ok and report.records == 5  # the signer's key record, 3 visits, 1 addendum


def test_a_changed_value_is_caught(records, chain):
    tamper(records.database, f"UPDATE visit SET narrative_json = '{{\"plan\":\"altered\"}}' WHERE id = {chain[1]}")
    report = verify_chain(records.database)
    assert not report.ok
    assert [(p.record_type, p.record_id) for p in report.problems] == [("visit", chain[1])]
    assert "changed after signing" in report.problems[0].message


def test_a_changed_value_with_a_recomputed_hash_breaks_the_next_link(records, chain):
    tamper(records.database,
           f"UPDATE visit SET signed_by = 'Mallory', content_hash = '{'f' * 64}' WHERE id = {chain[0]}")
    problems = verify_chain(records.database).problems
    kinds = {(p.record_type, p.record_id) for p in problems}
    assert ("visit", chain[0]) in kinds and ("visit", chain[1]) in kinds


def test_a_deleted_addendum_is_caught(records, chain):
    tamper(records.database, "DELETE FROM addendum")
    problems = verify_chain(records.database).problems
    assert any("missing" in p.message or "removed" in p.message for p in problems)


def test_a_deleted_newest_record_is_caught_by_the_chain_head(records, patient, chain):
    newest = records.new_visit(patient.id, "discharge", intake=INTAKE)
    records.sign(newest.id, TEST_PASSWORD)
    assert verify_chain(records.database).ok
    tamper(records.database, f"DELETE FROM visit WHERE id = {newest.id}")
    problems = verify_chain(records.database).problems
    assert [(p.record_type, p.record_id) for p in problems] == [("chain_head", None), ("visit", newest.id)]
    assert "a signed visit was removed" in problems[1].message


def test_verify_command_exits_1_and_names_the_record(records, chain, tmp_path):
    folder = records.database.folder
    tamper(records.database, f"UPDATE addendum SET text = 'rewritten' WHERE visit_id = {chain[1]}")
    records.close()
    done = subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "verify"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "FAIL  addendum 1: content does not match its hash" in done.stdout
