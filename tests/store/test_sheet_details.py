"""Migration 0004's sheet details survive export and import; an export made before them imports."""

from __future__ import annotations

import json

import pytest

from ptassist.core.records import ClinicSettings
from ptassist.services.records import Records
from ptassist.store.export_checks import ExportError
from ptassist.store.transfer import export_database, import_database
from tests.helpers import TEST_PASSWORD, clinic
from tests.store.conftest import INTAKE

DETAILS = ("health_service_number", "emergency_number", "time_zone", "contact", "signer_credentials",
           "signer_licence", "signer_contact")


def _filled(records):
    records.settings.save(ClinicSettings(name="Clinic", emergency_number="112", time_zone="Europe/Berlin"), "t")
    patient = records.patients.add(family_name="Ngata", given_name="Aroha", date_of_birth="1950-01-01",
                                   health_service_number="ZZZ0032")
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    return visit.id


@pytest.mark.sqlite_only  # two data folders: two SQLite files
def test_sheet_details_round_trip_and_an_older_export_imports(tmp_path):
    source = Records.open(tmp_path / "a", signed_in=clinic(tmp_path / "a", name="Alex Carter", credentials="PT",
                                                           registration="PNZ 1", contact="09 555 0142"))
    try:
        visit_id = _filled(source)
        export_database(source.database, tmp_path / "x.json", "t")
    finally:
        source.close()
    target = Records.open(tmp_path / "b")
    try:
        import_database(target.database, tmp_path / "x.json")
        visit = target.visits.get(visit_id)
        assert visit.time_zone == "Europe/Berlin" and visit.signer.licence_number == "PNZ 1"
        assert target.patients.get(visit.patient_id).health_service_number == "ZZZ0032"
        assert target.settings.get().emergency_number == "112"
    finally:
        target.close()
    document = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    document.pop("patient_revisions")  # an export from before 0004 has no 0006 evidence either
    document["schema_revision"] = "0003"  # and says so: a 0007 export lacking them is refused
    for rows in document.values():
        for row in rows if isinstance(rows, list) else []:
            for key in DETAILS:
                row.pop(key, None)
    (tmp_path / "old.json").write_text(json.dumps(document), encoding="utf-8")
    older = Records.open(tmp_path / "c")
    try:
        import_database(older.database, tmp_path / "old.json")
        visit = older.visits.get(visit_id)
        assert visit.time_zone == "" and visit.signer.credentials == ""
    finally:
        older.close()
    document["schema_revision"] = "0007"
    (tmp_path / "changed.json").write_text(json.dumps(document), encoding="utf-8")
    refused = Records.open(tmp_path / "d")
    try:
        with pytest.raises(ExportError, match=r"^clinic_settings\[0\]: lacks emergency_number, which every record "
                                              r"of a schema revision 0007 export has"):
            import_database(refused.database, tmp_path / "changed.json")
    finally:
        refused.close()
