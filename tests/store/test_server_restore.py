"""Restoring a PostgreSQL database from its backup (a pg_dump archive, or an export where pg_dump
is missing), with the checks the SQLite file's restore makes: the backup is read and its hash chain
verified before anything changes, newer records are not set aside unless asked, the current records
are backed up first, and the swap is one transaction."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from ptassist.store import backup as backups
from ptassist.store.database import Database, make_engine
from ptassist.store.errors import StoreError
from ptassist.store.server_restore import STAGING
from ptassist.store.verify import verify_chain
from tests import backends
from tests.helpers import TEST_PASSWORD
from tests.pg_server import PASSWORD
from tests.store.conftest import INTAKE
from tests.store.test_postgresql import _signed_with_addendum

pytestmark = pytest.mark.postgresql
TABLES = ("patient", "visit", "addendum", "document", "audit_event", "signing_key", "patient_revision")


@pytest.fixture(autouse=True)
def _on_each_backend():
    """Overrides the store's both-back-ends fixture: these tests are the server's own (PTASSIST_DATABASE_URL)."""


@pytest.fixture
def records(pg_server, tmp_path, monkeypatch):
    from ptassist.services.records import Records
    from tests.helpers import clinic

    url = backends.new_database()
    monkeypatch.setenv("PTASSIST_DATABASE_URL", url)
    signed_in = clinic(tmp_path / "data", name="Alex Carter")
    opened = Records.open(tmp_path / "data", signed_in=signed_in)
    yield opened
    opened.close()
    backends.drop_database(url)


def _counts(database):
    with database.engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def _no_staging_left(database):
    with database.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"),
                                  {"s": STAGING}).scalar_one() == 0


def _tamper(database, sql):
    """Change signed rows behind the locks (as the server's superuser could)."""
    with database.engine.begin() as connection:
        connection.execute(text("ALTER TABLE visit DISABLE TRIGGER USER"))
        connection.execute(text(sql))
        connection.execute(text("ALTER TABLE visit ENABLE TRIGGER USER"))


@pytest.mark.parametrize("kind", ["pg_dump", "export"])
def test_a_server_restores_its_backup_with_the_checks_the_file_restore_makes(records, tmp_path, monkeypatch, kind):
    from ptassist.store import server_backup

    if kind == "export":  # no pg_dump on this workstation: the backup is an export, and it restores too
        monkeypatch.setattr(server_backup, "find_tool", lambda name: None)
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    _signed_with_addendum(records, patient)
    at_backup = _counts(records.database)
    backup = backups.backup_to(records.database, tmp_path / "records.backup")
    later = records.patients.add(family_name="Later", given_name="Lee", date_of_birth="1990-02-02")
    visit = records.new_visit(later.id, "initial_evaluation", intake=INTAKE)
    records.sign(visit.id, TEST_PASSWORD)
    before = _counts(records.database)

    with pytest.raises(backups.NewerRecordsError, match="1 visit, 1 patient"):
        backups.restore_from(records.database, backup)
    assert _counts(records.database) == before and _no_staging_left(records.database)

    safety = backups.restore_from(records.database, backup, replace_newer=True).safety
    assert safety.is_file() and safety.parent == backups.backup_policy(records.database.folder).folder
    if kind == "pg_dump":  # the backup of the current records, taken while the staging was there, holds none of it
        from ptassist.store.server_backup import find_tool

        listed = subprocess.run([find_tool("pg_restore"), "--list", str(safety)], capture_output=True, text=True,
                                check=True).stdout
        assert STAGING not in listed and "TABLE DATA public visit " in listed
    assert _counts(records.database) == at_backup and _no_staging_left(records.database)
    assert verify_chain(records.database).ok
    assert [p.family_name for p in records.patients.search("okafor")] == ["Okafor"]  # the name index holds
    # the locks are back, and no id already handed out is handed out again
    with pytest.raises(StoreError, match="signed visit is locked"), records.database.transaction() as session:
        session.connection().execute(text("UPDATE visit SET working_diagnosis = 'x' WHERE status = 'signed'"))
    again = records.patients.add(family_name="After", given_name="Restore", date_of_birth="1991-03-03")
    assert again.id > later.id
    # the backup taken first brings the set-aside records back
    backups.restore_from(records.database, safety, replace_newer=True)
    assert _counts(records.database)["visit"] == before["visit"]
    assert verify_chain(records.database).ok


def test_a_server_refuses_a_broken_tampered_or_foreign_backup_and_changes_nothing(records, tmp_path, pg_server):
    from ptassist.store.server_backup import find_tool, libpq_environment

    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    _signed_with_addendum(records, patient)
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"PGDMP" + b"\x00" * 200)
    not_json = tmp_path / "notes.json"
    not_json.write_text("{\"format\": \"something else\"}", encoding="utf-8")
    other = backends.new_database(migrated=False)
    foreign = tmp_path / "foreign.dump"
    env = libpq_environment(other)
    pg_server.psql("CREATE TABLE notes (id int)", database=env["PGDATABASE"])
    subprocess.run([find_tool("pg_dump"), "--format=custom", f"--file={foreign}"], env=env, check=True)
    backends.drop_database(other)
    good = backups.backup_to(records.database, tmp_path / "good.dump")
    _tamper(records.database, "UPDATE visit SET working_diagnosis = 'changed behind the locks' WHERE status = 'signed'")
    tampered = backups.backup_to(records.database, tmp_path / "tampered.dump")
    before = _counts(records.database)
    for candidate, words in ((garbage, "not a readable pg_dump archive"), (foreign, "holds no chain_head table"),
                             (tampered, "fails its hash-chain check"), (tmp_path / "missing.dump", "no such backup file"),
                             (not_json, "not a ptassist export")):
        with pytest.raises(StoreError, match=words) as refused:
            backups.restore_from(records.database, candidate, replace_newer=True)
        assert "nothing was changed" in str(refused.value)
        assert _counts(records.database) == before and _no_staging_left(records.database)
    assert not list(backups.backup_policy(records.database.folder).folder.glob("ptassist-server-*"))
    backups.restore_from(records.database, good, replace_newer=True)  # the good one still restores
    assert verify_chain(records.database).ok


def test_only_the_tables_owner_can_restore_a_server_and_nothing_changes_otherwise(records, tmp_path, pg_server):
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    _signed_with_addendum(records, patient)
    backup = backups.backup_to(records.database, tmp_path / "records.dump")
    name = records.database.engine.url.database
    pg_server.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'front_desk') THEN "
                   f"CREATE ROLE front_desk LOGIN PASSWORD '{PASSWORD}'; END IF; END $$")
    pg_server.psql("GRANT USAGE, CREATE ON SCHEMA public TO front_desk; "
                   "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO front_desk; "
                   "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO front_desk", database=name)
    url = pg_server.tcp_url(name, user="front_desk")
    staff = Database(engine=make_engine(url), url=url, folder=records.database.folder, path=None)
    before = _counts(records.database)
    owner_only = r"may not change the tables: restore as the database's owner role"
    try:
        with pytest.raises(StoreError, match=owner_only) as refused:  # not even the staging schema
            backups.restore_from(staff, backup, replace_newer=True)
        assert "nothing was changed" in str(refused.value)
        pg_server.psql(f"GRANT CREATE ON DATABASE {name} TO front_desk")
        with pytest.raises(StoreError, match=owner_only) as refused:  # staged and checked, but not the swap
            backups.restore_from(staff, backup, replace_newer=True)
        assert "records are unchanged" in str(refused.value)
    finally:
        staff.close()
    assert _counts(records.database) == before and _no_staging_left(records.database)


def test_the_restore_command_restores_a_server(records, tmp_path):
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    _signed_with_addendum(records, patient)
    expected = _counts(records.database)
    target = tmp_path / "records.dump"
    run = [sys.executable, "-m", "ptassist", "--data-dir", str(records.database.folder)]
    env_login = {"PTASSIST_USER": "Alex Carter", "PTASSIST_PASSWORD": TEST_PASSWORD}
    import os

    env = {**os.environ, **env_login}
    done = subprocess.run([*run, "backup", str(target)], capture_output=True, text=True, check=False, timeout=120,
                          env=env)
    assert done.returncode == 0, done.stderr
    records.patients.add(family_name="Later", given_name="Lee", date_of_birth="1990-02-02")
    refused = subprocess.run([*run, "restore", str(target)], capture_output=True, text=True, check=False,
                             timeout=120, env=env)
    assert refused.returncode == 1 and "1 patient" in refused.stderr and "--replace-newer" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = subprocess.run([*run, "restore", str(target), "--replace-newer"], capture_output=True, text=True,
                          check=False, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "restored from" in done.stdout and "ptassist-server-" in done.stdout
    # signed by the administrator who logged in, so the other workstations accept it (test_restore_statement.py)
    assert "a restore statement signed by Alex Carter tells the other workstations" in done.stdout
    after = _counts(records.database)
    assert after["patient"] == expected["patient"] and after["visit"] == expected["visit"]
    assert verify_chain(records.database).ok


def test_the_postgresql_tools_run_without_the_bundles_library_folder(monkeypatch):
    """Frozen, PyInstaller's launcher puts the bundle's folder first in LD_LIBRARY_PATH: pg_dump and
    pg_restore (the system's) get the user's own value back, or none."""
    from ptassist.store.server_backup import tool_environment

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    env = tool_environment({"LD_LIBRARY_PATH": "/opt/ptassist/_internal", "LD_LIBRARY_PATH_ORIG": "/usr/local/lib",
                            "HOME": "/home/alex"})
    assert env == {"LD_LIBRARY_PATH": "/usr/local/lib", "HOME": "/home/alex"}
    assert tool_environment({"LD_LIBRARY_PATH": "/opt/ptassist/_internal", "HOME": "/home/alex"}) == {"HOME": "/home/alex"}
    monkeypatch.setattr(sys, "frozen", False)
    assert tool_environment({"LD_LIBRARY_PATH": "/usr/local/lib"}) == {"LD_LIBRARY_PATH": "/usr/local/lib"}


def test_a_second_restore_at_the_same_moment_is_told_so_and_changes_nothing(records, tmp_path):
    from ptassist.store.server_restore import RESTORE_LOCK

    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    _signed_with_addendum(records, patient)
    backup = backups.backup_to(records.database, tmp_path / "records.dump")
    before = _counts(records.database)
    with records.database.engine.connect() as elsewhere:  # another workstation's restore under way
        elsewhere.execute(text(f"SELECT pg_advisory_lock({RESTORE_LOCK})"))
        with pytest.raises(StoreError, match="another workstation is restoring these records right now"):
            backups.restore_from(records.database, backup, replace_newer=True)
        elsewhere.execute(text(f"SELECT pg_advisory_unlock({RESTORE_LOCK})"))
    assert _counts(records.database) == before
    backups.restore_from(records.database, backup, replace_newer=True)  # once it is done, this one goes ahead
    assert verify_chain(records.database).ok


def test_a_restore_keeps_who_may_log_in_and_a_new_server_takes_the_backups_keys(records, tmp_path):
    """The clinic's keys are not records: a restore leaves the passwords and accounts as they are now.
    A new server holding no keys (disaster recovery) takes the backup's, so the clinic can log in."""
    from ptassist.security.argon2_params import TEST_ONLY
    from ptassist.services.account_admin import reset_password
    from ptassist.services.identity import load_keys, log_in
    from ptassist.store import server_keys

    folder = records.database.folder
    backup = backups.backup_to(records.database, tmp_path / "records.backup")
    at_backup = server_keys.read(records.database.url)
    records.add_user("Jo Park", frozenset({"clinician"}), TEST_PASSWORD)
    reset_password(records, "Alex Carter", "a password chosen after the backup")
    backups.restore_from(records.database, backup, replace_newer=True)
    assert load_keys(folder).account("Jo Park") is not None
    assert log_in(folder, "Alex Carter", "a password chosen after the backup", params=TEST_ONLY)

    url = backends.new_database()
    new_server = Database(engine=make_engine(url), url=url, folder=tmp_path / "new", path=None)
    try:
        assert server_keys.read(url) is None
        backups.restore_from(new_server, backup)
        assert server_keys.read(url) == at_backup
    finally:
        new_server.close()
        server_keys.dispose()
        backends.drop_database(url)
