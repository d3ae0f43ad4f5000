"""The patient background: versioned and audited, seen by the engine, snapshotted when a visit is signed."""

from __future__ import annotations

import pytest

from ptassist.core.background import Background, Condition, Medication
from ptassist.store.errors import ConflictError, LockedError
from ptassist.store.verify import verify_chain
from tests.backends import elsewhere
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE
from tests.store.test_verify import tamper

CANCER = Background((Condition("Breast carcinoma", "C50.9", ("cancer_history",)),),
                    (Medication("Warfarin", "3 mg", "daily", ("anticoagulant",)),))


def _flag_ids(assessment):
    return {flag["id"] for flag in assessment["red_flags"]}


def test_each_change_is_a_new_audited_version(records, patient):
    first = records.save_background(patient.id, CANCER, base_version=0, actor="t")
    second = records.save_background(patient.id, Background(), base_version=first.version, actor="t")
    assert [v.version for v in records.backgrounds.versions(patient.id)] == [1, 2]
    assert records.background(patient.id) == (second, Background())
    events = [(e.action, e.record_type) for e in records.audit.events("patient_background")]
    assert events == [("create", "patient_background"), ("edit", "patient_background")]


def test_a_stale_version_is_refused_and_loses_nothing(records, patient):
    records.save_background(patient.id, CANCER, base_version=0, actor="t")
    with pytest.raises(ConflictError, match="changed elsewhere"):
        records.save_background(patient.id, Background(), base_version=0, actor="t")
    assert records.background(patient.id)[1] == CANCER


def test_the_engine_sees_background_risk_factors(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    assert "cancer_history_monitor" not in _flag_ids(records.assess(visit.intake, patient.id).to_json())
    records.save_background(patient.id, CANCER, base_version=0, actor="t")
    assert "cancer_history_monitor" in _flag_ids(records.assess(visit.intake, patient.id).to_json())
    # the visit's own "no" is the clinician's override for this visit
    override = {**INTAKE, "findings": {**INTAKE["findings"], "cancer_history": False}}
    visit = records.save_draft(visit, intake=override)
    assert "cancer_history_monitor" not in _flag_ids(records.assess(visit.intake, patient.id).to_json())


def test_a_signed_visit_keeps_the_background_as_signed(records, patient):
    records.save_background(patient.id, CANCER, base_version=0, actor="t")
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    signed = records.sign(visit.id, TEST_PASSWORD)
    assert "cancer_history_monitor" in _flag_ids(signed.assessment)
    records.save_background(patient.id, Background(), base_version=1, actor="t")
    again = records.visits.get(visit.id)
    assert again.background == {**CANCER.to_json(), "version": 1}
    assert again.assessment == signed.assessment
    assert verify_chain(records.database).ok


def test_changing_a_signed_snapshot_breaks_its_hash(records, patient):
    records.save_background(patient.id, CANCER, base_version=0, actor="t")
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    tamper(records.database, f"UPDATE visit SET background_json = '{{}}' WHERE id = {visit.id}")
    report = verify_chain(records.database)
    assert not report.ok and report.problems[0].record_id == visit.id


def test_a_visit_signed_without_background_has_no_snapshot(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    assert records.sign(visit.id, TEST_PASSWORD).background is None
    assert verify_chain(records.database).ok


def test_a_stored_version_cannot_be_changed_in_place(records, patient):
    records.save_background(patient.id, CANCER, base_version=0, actor="t")
    with pytest.raises(LockedError), records.database.transaction() as session:
        session.connection().exec_driver_sql("UPDATE patient_background SET content_json = '{}'")
    assert records.background(patient.id)[1] == CANCER


def test_backgrounds_survive_export_and_import_and_an_older_export_imports(tmp_path, records, patient):
    import json

    from ptassist.services.records import Records
    from ptassist.store.transfer import export_database, import_database

    records.save_background(patient.id, CANCER, base_version=0, actor="t")
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    export_database(records.database, tmp_path / "x.json", "t")
    document = json.loads((tmp_path / "x.json").read_text())
    with elsewhere():
        target = Records.open(tmp_path / "b")
    try:
        import_database(target.database, tmp_path / "x.json")
        assert target.background(patient.id)[1] == CANCER
        assert target.visits.get(visit.id).background["version"] == 1
        assert verify_chain(target.database).ok
    finally:
        target.close()
    del document["patient_backgrounds"]
    document["visits"][0]["background"] = {"conditions": [{"text": "x", "flags": ["nonsense"]}]}
    (tmp_path / "y.json").write_text(json.dumps(document))
    with elsewhere():
        other = Records.open(tmp_path / "c")
    try:
        from ptassist.store.export_checks import ExportError
        with pytest.raises(ExportError, match=r"visits\[0\]\.background\.conditions\[0\]\.flags"):
            import_database(other.database, tmp_path / "y.json")
    finally:
        other.close()
