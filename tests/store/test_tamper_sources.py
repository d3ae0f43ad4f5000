"""The tamper evidence holds for records from every source: an upgraded older database, a demo
build, the ORM-free print path, an export round trip (and an export changed in between)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ptassist.services.records import Records
from ptassist.store.errors import StoreError
from ptassist.store.transfer import export_database, import_database
from ptassist.store.verify import verify_records
from tests.backends import RawConnection, elsewhere
from tests.helpers import TEST_PASSWORD, open_clinic
from tests.store.conftest import INTAKE

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.sqlite_only  # the older database is a fixture file
def test_an_upgraded_database_is_brought_into_the_evidence_as_it_is(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "schema_0004.db", folder / "ptassist.db")
    with sqlite3.connect(folder / "ptassist.db") as probe:
        events_before = probe.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    records = Records.open(folder)
    try:
        assert verify_records(records.database).ok
        with sqlite3.connect(folder / "ptassist.db") as probe:
            assert probe.execute("SELECT count(*) FROM audit_event WHERE hash = ''").fetchone()[0] == 0
            revisions = probe.execute("SELECT r.revision, e.action FROM patient_revision r "
                                      "JOIN audit_event e ON e.id = r.audit_event_id").fetchall()
            baselines = probe.execute("SELECT count(*) FROM audit_event WHERE action = 'baseline' "
                                      f"AND id > {events_before}").fetchone()[0]
        assert revisions == [(1, "baseline")] * records.patients.count()
        assert baselines >= records.patients.count()
        # From now on a change shows.
        with sqlite3.connect(folder / "ptassist.db") as raw:
            raw.execute("UPDATE patient SET date_of_birth = '1900-01-01' WHERE id = 1")
        assert [p.message for p in verify_records(records.database).problems] == [
            "date_of_birth differs from its last recorded revision: changed outside the app"]
    finally:
        records.close()


def test_a_demo_build_verifies_and_its_patients_are_versioned(records):
    records.build_demo(6, 2, TEST_PASSWORD)  # records with a signing key: every demo visit signed by the login
    assert records.verify().ok  # the signatures and the key records' tags too
    probe = RawConnection(records.database)
    try:
        assert probe.execute("SELECT count(DISTINCT patient_id) FROM patient_revision").fetchone()[0] == 6
    finally:
        probe.close()


@pytest.mark.sqlite_only  # the print path without the ORM reads the SQLite file
def test_the_print_path_without_the_orm_chains_its_events_and_moves_the_anchor(tmp_path):
    folder = tmp_path / "data"
    records = open_clinic(folder)  # the CLI below logs in as this account (PTASSIST_USER)
    patient = records.patients.add(family_name="Lindqvist", given_name="Saga", date_of_birth="1990-03-04")
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    records.close()
    done = subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "print", "hep", str(visit.id),
                           "-o", str(tmp_path / "hep.pdf")], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    records = open_clinic(folder)
    try:
        assert records.database.warnings == []
        assert verify_records(records.database).ok
        with sqlite3.connect(folder / "ptassist.db") as raw:
            raw.execute("DROP TRIGGER document_no_update")
            raw.execute("UPDATE document SET content = X'00'")
        assert [p.record_type for p in verify_records(records.database).problems] == ["document"]
    finally:
        records.close()


@pytest.fixture
def exported(records, patient, tmp_path):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    records.documents.store(visit.id, "hep", b"%PDF-1.4 sheet", "Alex Carter")
    records.patients.update(patient.id, phone="+1 555 0100")
    target = tmp_path / "export.json"
    export_database(records.database, target, "tester")
    return target


def _imported(exported, tmp_path):
    """Import ``exported`` into a fresh folder; returns its verify report, or raises as import does.
    Called inside ``elsewhere()``: on PostgreSQL the folder's records are a second database."""
    target = Records.open(tmp_path / "other")
    try:
        import_database(target.database, exported)
        return verify_records(target.database)
    finally:
        target.close()


def _rewrite(exported, change):
    document = json.loads(exported.read_text(encoding="utf-8"))
    change(document)
    exported.write_text(json.dumps(document), encoding="utf-8")
    return document


def test_an_export_carries_its_evidence_and_imports_verified(exported, tmp_path):
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert [r["revision"] for r in document["patient_revisions"]] == [1, 2]
    assert all(e["hash"] for e in document["audit_events"])
    with elsewhere():
        assert _imported(exported, tmp_path).ok


def _change_patient(document):
    document["patients"][0]["family_name"] = "Other"


def _change_event(document):
    document["audit_events"][0]["actor"] = "Mallory"


def _strip_evidence(document):
    """The export as a ptassist of schema revision 0005 (before the tamper evidence) wrote it."""
    document.pop("patient_revisions")
    for event in document["audit_events"]:
        for key in ("digest", "prev_hash", "hash"):
            event.pop(key)
    document["schema_revision"] = "0005"


@pytest.mark.parametrize(("change", "named"), [
    (_change_patient, "patient 1: family_name differs from its last recorded revision"),
    (_change_event, "audit_event 1: it does not match its hash"),
])
def test_an_export_changed_after_it_was_written_is_refused_naming_the_record(exported, tmp_path, change, named):
    _rewrite(exported, change)
    with elsewhere():
        with pytest.raises(StoreError) as refused:
            _imported(exported, tmp_path)
        assert str(refused.value).startswith(named) and str(refused.value).endswith("nothing was imported")
        target = Records.open(tmp_path / "other")
        try:
            assert target.patients.count() == 0
        finally:
            target.close()


def test_an_export_from_before_the_evidence_imports_with_a_baseline(exported, tmp_path):
    _rewrite(exported, _strip_evidence)
    with elsewhere():
        assert _imported(exported, tmp_path).ok


def test_evidence_stripped_from_a_newer_export_is_refused(exported, tmp_path):
    def strip_but_keep_the_revision(document):
        revision = document["schema_revision"]
        _strip_evidence(document)
        document["schema_revision"] = revision  # a 0006-or-later export must carry its evidence

    _rewrite(exported, strip_but_keep_the_revision)
    with elsewhere(), pytest.raises(StoreError, match="audit_events"):
        _imported(exported, tmp_path)
