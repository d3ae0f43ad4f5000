"""PostgreSQL as a back end: an empty database migrates, its triggers lock what SQLite's lock,
connection problems are one clear line, and several workstations write at once without failing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from ptassist.services.records import Records
from ptassist.store import transfer
from ptassist.store.database import Database, current_revision, head_revision, make_engine, open_database
from ptassist.store.errors import ConflictError, StoreError
from ptassist.store.verify import verify_chain
from tests import backends
from tests.helpers import TEST_PASSWORD, ensure_login, login_env, open_clinic
from tests.pg_server import PASSWORD, TLS_ONLY_USER
from tests.store.conftest import INTAKE

pytestmark = pytest.mark.postgresql
ROOT = Path(__file__).resolve().parents[2]


def _signed_with_addendum(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    records.add_addendum(visit.id, "Late entry", TEST_PASSWORD)
    return records.patients.count(), records.visits.count()


def test_an_empty_database_opens_and_migrates(pg_server, tmp_path, monkeypatch):
    url = backends.new_database(migrated=False)
    monkeypatch.setenv("PTASSIST_DATABASE_URL", url.replace("postgresql+psycopg://", "postgresql://"))
    database = open_database(tmp_path / "data")
    try:
        assert current_revision(database.engine) == head_revision()
        with database.engine.connect() as connection:
            triggers = {r[0] for r in connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))}
            collation = connection.execute(text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'patient' AND column_name = 'search_name'")).scalar_one()
        assert {"visit_signed_no_update", "visit_signed_no_delete", "addendum_no_update", "addendum_no_delete",
                "document_no_update", "document_no_delete", "audit_no_update", "audit_no_delete",
                "audit_event_no_truncate", "visit_no_truncate",
                "signing_key_no_update", "signing_key_no_delete", "signing_key_no_truncate",  # 0005
                "patient_revision_no_update", "patient_revision_no_delete", "evidence_head_no_delete",  # 0006
                "patient_background_no_update", "patient_background_no_delete",  # 0007
                "key_endorsement_no_update", "key_endorsement_no_delete", "key_endorsement_no_truncate"} <= triggers  # 0008
        with database.engine.connect() as connection:
            indexes = {r[0] for r in connection.execute(text("SELECT indexname FROM pg_indexes"))}
        assert {"ix_patient_search_trgm", "ix_visit_note_search"} <= indexes
        assert collation == "C"  # the list's order does not depend on the server's locale
    finally:
        database.close()
    backends.drop_database(url)


def test_a_server_database_from_before_the_evidence_upgrades_with_its_events_chained(pg_server, tmp_path):
    """Migration 0006 lifts the audit lock to link the events already there, then puts it back."""
    from ptassist.store.database import upgrade

    url = backends.new_database(migrated=False)
    database = Database(engine=make_engine(url), url=url, folder=tmp_path, path=None)
    try:
        upgrade(database, "0005")
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO audit_event (at, actor, action, record_type, record_id) VALUES "
                                    "('2026-01-01T09:00:00+00:00', 'Alex Carter', 'create', 'patient', NULL)"))
        upgrade(database)
        assert current_revision(database.engine) == head_revision()
        with database.engine.connect() as connection:
            links = connection.execute(text("SELECT prev_hash, hash FROM audit_event")).all()
        assert len(links) == 1 and all(links[0])
        assert verify_chain(database).ok
        with pytest.raises(StoreError, match="audit events are permanent"), database.transaction() as session:
            session.connection().execute(text("UPDATE audit_event SET actor = 'Mallory'"))
    finally:
        database.close()
    backends.drop_database(url)


def test_truncate_cannot_empty_the_permanent_tables(records, patient):
    before = _signed_with_addendum(records, patient)
    raw = backends.RawConnection(records.database)
    try:
        for table in ("audit_event", "addendum", "document", "visit", "signing_key", "patient_revision",
                      "evidence_head", "patient_background"):
            with pytest.raises(raw.Error, match=r"permanent|locked"):
                raw.execute(f"TRUNCATE {table} CASCADE")
            raw.connection.rollback()
    finally:
        raw.close()
    assert (records.patients.count(), records.visits.count()) == before and len(records.visits.addenda(1)) == 1


def test_a_raw_refusal_reaches_the_app_as_one_line(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    from ptassist.store.errors import LockedError

    with pytest.raises(LockedError) as refused, records.database.transaction() as session:
        session.connection().execute(text("DELETE FROM audit_event"))
    assert str(refused.value) == "audit events are permanent"


@pytest.mark.parametrize("case", ["server down", "wrong password", "TLS required", "server requires TLS",
                                  "database missing", "no password"])
def test_connection_problems_are_one_clear_line_without_the_password(pg_server, tmp_path, monkeypatch, case):
    wrong = "not-the-" + PASSWORD
    urls = {
        "server down": pg_server.tcp_url().replace(f":{pg_server.port}/", ":1/"),
        "wrong password": pg_server.tcp_url(password=wrong),
        "TLS required": pg_server.tcp_url(sslmode="require"),
        "server requires TLS": pg_server.tcp_url(user=TLS_ONLY_USER, sslmode="disable"),
        "database missing": pg_server.tcp_url("no_such_records"),
        "no password": pg_server.tcp_url().replace(f":{PASSWORD}@", "@"),
    }
    expected = {
        "server down": "cannot reach the PostgreSQL server (127.0.0.1:1/postgres): it is down or unreachable",
        "wrong password": "refused the user name or password",
        "TLS required": "does not offer TLS, but the database URL requires it",
        "server requires TLS": "accepts only encrypted connections: add sslmode=verify-full",
        "database missing": "has no such database",
        "no password": "asks for a password and the database URL gives none",
    }
    monkeypatch.setenv("PTASSIST_DATABASE_URL", urls[case])
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    ensure_login(tmp_path / "data")  # only the key file: the command gets as far as the database
    login_env(monkeypatch, "Alex Carter")
    with pytest.raises(StoreError) as failed:
        open_database(tmp_path / "data")
    message = str(failed.value)
    assert expected[case] in message
    assert "\n" not in message and PASSWORD not in message and wrong not in message
    done = subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(tmp_path / "data"), "search", "x"],
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode != 0 and expected[case] in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def _workstations(folder: Path, mode: str, groups: list[list[int]]) -> list[str]:
    start_at = time.time() + 4  # every worker has its records open by then
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.store.pg_worker", str(folder), str(start_at), mode,
                          *map(str, group)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for group in groups
    ]
    lines: list[str] = []
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        lines += out.splitlines()
    return lines


def test_eight_workstations_signing_at_once_all_succeed_and_the_chain_verifies(records, patient, tmp_path):
    drafts = [records.new_visit(patient.id, "follow_up", intake=INTAKE).id for _ in range(24)]
    lines = _workstations(records.database.folder, "sign", [drafts[n::8] for n in range(8)])
    assert [line for line in lines if not line.startswith("ok")] == []
    assert len(lines) == 24
    report = verify_chain(records.database)
    assert report.ok and report.records == 49  # the signer's key record, 24 visits, 24 addenda


def test_ten_front_desks_adding_patients_at_once_get_their_own_chart_numbers(records, tmp_path):
    lines = _workstations(records.database.folder, "add", [[n * 10 + k for k in range(3)] for n in range(10)])
    assert [line for line in lines if not line.startswith("ok")] == []
    charts = [line.split()[3] for line in lines]
    assert len(charts) == 30 == len(set(charts))
    assert records.patients.count() == 30


def test_a_clash_on_a_unique_rule_is_a_readable_conflict(records, patient):
    with pytest.raises(ConflictError, match=r"another workstation saved the same record.*uq_patient_chart_number"), \
            records.database.transaction() as session:
        session.connection().execute(text(
            "INSERT INTO patient (chart_number, family_name, given_name, date_of_birth, created_at, updated_at) "
            "SELECT chart_number, 'X', 'Y', date_of_birth, created_at, updated_at FROM patient"))


def test_the_name_search_is_accent_and_case_blind_in_any_script_and_uses_its_index(records):
    for family, given in (("Müller", "Zoë"), ("Παπαδόπουλος", "Ἀθηνᾶ"), ("Иванов", "Ольга"), ("Nguyễn", "Đức")):
        records.patients.add(family_name=family, given_name=given, date_of_birth="1980-01-01")
    assert [p.family_name for p in records.patients.search("ZOE muller")] == ["Müller"]
    assert [p.family_name for p in records.patients.search("αθηνα")] == ["Παπαδόπουλος"]
    assert [p.family_name for p in records.patients.search("ОЛЬГА")] == ["Иванов"]
    assert [p.family_name for p in records.patients.search("nguyen")] == ["Nguyễn"]
    records.build_demo(1000, 4, TEST_PASSWORD, visits_per_patient=(1, 1))
    records.patients.add(family_name="Quixotlan", given_name="Ana", date_of_birth="1980-01-01")
    with records.database.engine.connect() as connection:
        connection.execute(text("ANALYZE patient"))
        connection.execute(text("SET enable_seqscan = off"))  # a table this small is cheaper to read whole
        plan = "\n".join(r[0] for r in connection.execute(text(
            "EXPLAIN SELECT id FROM patient WHERE search_name LIKE '%quixot%' ESCAPE '\\' "
            "ORDER BY search_name, id LIMIT 50")))
    assert "ix_patient_search_trgm" in plan
    assert [p.family_name for p in records.patients.search("QUIXOT")] == ["Quixotlan"]


def test_the_note_search_uses_its_index(records, patient):
    from ptassist.store.dialects.postgresql import POSTGRESQL

    visit = records.new_visit(patient.id, "follow_up", intake=INTAKE)
    records.save_draft(visit, narrative={"subjective": "Zygapophyseal joint pain"})
    sql, params = POSTGRESQL.note_search_sql(["zygapo"], None)
    with records.database.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))  # a table this small is cheaper to read whole
        plan = "\n".join(r[0] for r in connection.execute(text(f"EXPLAIN {sql}"), {**params, "n": 50}))
    assert "ix_visit_note_search" in plan
    assert [hit.visit_id for hit in records.notes.search("ZYGAPOPHYSEAL")] == [visit.id]


def test_demo_fills_the_server_and_the_chain_verifies(records):
    counts = records.build_demo(30, 3, TEST_PASSWORD)
    assert records.patients.count() == 30 and records.visits.count() == counts["visits"]
    assert verify_chain(records.database).ok
    # The ids go on after the demo's: new records and signatures on top of it work.
    added = records.patients.add(family_name="After", given_name="Demo", date_of_birth="1990-02-02")
    assert added.id == 31
    visit = records.new_visit(added.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    assert verify_chain(records.database).ok


@contextmanager
def _imported_into_a_new_server_database(export, folder, monkeypatch, keys):
    """A new server database holding ``export``, open as Records (``folder``, the clinic's key file
    ``keys`` beside it, logged in); dropped afterwards."""
    url = backends.new_database()
    monkeypatch.setenv("PTASSIST_DATABASE_URL", url)
    opened = Records.open(folder)
    try:
        transfer.import_database(opened.database, export)
    finally:
        opened.close()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(keys, folder / "ptassist.keys")  # the clinic's accounts travel with its records
    target = open_clinic(folder)
    try:
        yield target
    finally:
        target.close()
        backends.drop_database(url)


def test_an_export_imports_into_the_server_and_writing_goes_on(records, tmp_path, monkeypatch):
    records.close()
    monkeypatch.delenv("PTASSIST_DATABASE_URL")
    source = open_clinic(tmp_path / "sqlite")
    source.build_demo(5, 2, TEST_PASSWORD)
    export = tmp_path / "records.json"
    transfer.export_database(source.database, export, "test")
    expected = source.patients.count(), source.visits.count()
    source.close()
    with _imported_into_a_new_server_database(export, tmp_path / "server", monkeypatch,
                                              tmp_path / "sqlite" / "ptassist.keys") as target:
        assert (target.patients.count(), target.visits.count()) == expected
        added = target.patients.add(family_name="New", given_name="One", date_of_birth="1990-02-02")
        visit = target.new_visit(added.id, "initial_evaluation", intake=INTAKE)
        target.sign(visit.id, TEST_PASSWORD)
        assert verify_chain(target.database).ok


def test_the_backup_command_dumps_the_server_and_the_dump_restores_and_verifies(records, patient, tmp_path):
    from ptassist.store.server_backup import find_tool, libpq_environment

    expected = _signed_with_addendum(records, patient)
    target = tmp_path / "records.dump"
    done = subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(records.database.folder), "backup",
                           str(target)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert target.stat().st_mode & 0o777 == 0o600 and target.read_bytes()[:5] == b"PGDMP"
    url = backends.new_database(migrated=False)
    env = libpq_environment(url)
    restored = subprocess.run([find_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={env['PGDATABASE']}",
                               str(target)], env=env, capture_output=True, text=True, check=False)
    assert restored.returncode == 0, restored.stderr
    database = Database(engine=make_engine(url), url=url, folder=tmp_path, path=None)
    try:
        assert verify_chain(database).ok
        with database.engine.connect() as connection:
            counts = tuple(connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                           for t in ("patient", "visit"))
        assert counts == expected
    finally:
        database.close()
        backends.drop_database(url)


def test_without_pg_dump_the_backup_is_an_export_that_imports(records, patient, tmp_path, monkeypatch):
    from ptassist.store import backup as backups
    from ptassist.store import server_backup

    expected = _signed_with_addendum(records, patient)
    monkeypatch.setattr(server_backup, "find_tool", lambda name: None)
    target = backups.backup_to(records.database, tmp_path / "records.json")
    assert target.read_text(encoding="utf-8").lstrip().startswith("{")
    records.close()
    with _imported_into_a_new_server_database(target, tmp_path / "again", monkeypatch,
                                              records.database.folder / "ptassist.keys") as again:
        assert (again.patients.count(), again.visits.count()) == expected
        assert verify_chain(again.database).ok

