"""A signed visit keeps the patient's identifying details it was signed with (issue 12 point 4)."""

from __future__ import annotations

import json

from ptassist.store.models import VisitRow
from ptassist.store.verify import verify_records
from tests.backends import RawConnection
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE


def _signed(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    return records.sign(visit.id, TEST_PASSWORD)


def _stored(records, visit_id):
    with records.database.session() as session:
        return json.loads(session.get(VisitRow, visit_id).demographics_json)


def test_a_later_change_of_name_leaves_the_signed_details_alone(records, patient):
    visit = _signed(records, patient)
    records.patients.update(patient.id, actor="Alex Carter", family_name="Okafor-Bell", date_of_birth="1979-05-03")
    kept = _stored(records, visit.id)
    assert (kept["family_name"], kept["date_of_birth"]) == ("Okafor", "1979-05-02")
    assert kept["given_name"] == "Chidi"
    assert verify_records(records.database).ok


def test_changing_the_signed_details_in_the_database_fails_verify_naming_the_visit(records, patient):
    visit = _signed(records, patient)
    changed = json.dumps({**_stored(records, visit.id), "date_of_birth": "1990-01-01"}, sort_keys=True,
                         separators=(",", ":"))
    connection = RawConnection(records.database)  # the file's owner, or the server's superuser
    connection.drop_trigger("visit_signed_no_update")
    connection.execute("UPDATE visit SET demographics_json = ? WHERE id = ?", (changed, visit.id))
    connection.commit()
    connection.close()
    problems = [(p.record_type, p.record_id, p.message) for p in verify_records(records.database).problems]
    assert ("visit", visit.id, "content does not match its hash: the record was changed after signing") in problems


def test_a_draft_keeps_no_snapshot(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    with records.database.session() as session:
        assert session.get(VisitRow, visit.id).demographics_json is None
