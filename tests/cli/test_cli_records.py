"""The record commands from a fresh data folder, run as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from tests.backends import elsewhere
from tests.helpers import prepare_cli
from tests.store.conftest import INTAKE

pytestmark = pytest.mark.usefixtures("backend")  # the commands run on SQLite and PostgreSQL


def run(folder, *args, stdin=None, env=None):
    prepare_cli(folder, args)
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args], input=stdin,
                          capture_output=True, text=True, check=False, timeout=120, env=env)


def test_a_whole_visit_from_the_command_line(tmp_path, backend):
    folder = tmp_path / "data"
    added = run(folder, "patient", "add", "--family", "Müller", "--given", "Zoë", "--dob", "1980-03-07", "--sex", "female")
    assert added.returncode == 0, added.stderr
    pid = added.stdout.strip()
    if backend == "sqlite":
        assert stat.S_IMODE(os.stat(folder / "ptassist.db").st_mode) == 0o600
    assert "Müller, Zoë" in run(folder, "search", "zoe muller").stdout
    assert json.loads(run(folder, "search", "1980-03-07", "--json").stdout)[0]["chart_number"] == "P000001"
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE), encoding="utf-8")
    vid = run(folder, "visit", "new", pid, "--kind", "initial_evaluation", "--intake", str(intake)).stdout.strip()
    draft = json.loads(run(folder, "visit", "show", vid, "--json").stdout)
    assert draft["status"] == "draft" and draft["assessment_is_live"] and draft["assessment"]["working_diagnosis"] == ["itbs"]
    signed = run(folder, "visit", "sign", vid)
    assert signed.returncode == 0 and "signed by Alex Carter" in signed.stdout
    assert run(folder, "visit", "addendum", vid, "--text", "Late entry: phoned.").returncode == 0
    shown = run(folder, "visit", "show", vid).stdout
    assert "SIGNED" in shown and "Late entry: phoned." in shown
    history = json.loads(run(folder, "history", pid, "--json").stdout)
    assert history[0]["status"] == "signed" and history[0]["working_diagnosis"] == ["itbs"]
    assert run(folder, "verify").stdout.startswith("OK: 3 signed records")  # the key record, the visit, the addendum
    again = run(folder, "visit", "sign", vid)
    assert again.returncode == 1 and "already signed" in again.stderr


DEMO_LOGIN = {"PTASSIST_USER": "Demo Clinician", "PTASSIST_PASSWORD": "demo"}


@pytest.mark.sqlite_only  # backup files of the SQLite file
def test_backup_restore_export_import_and_demo_commands(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    demo = run(folder, "demo", "--patients", "20", "--seed", "5")
    assert demo.returncode == 0 and 'log in as "Demo Clinician" with the password "demo"' in demo.stdout
    for name, value in DEMO_LOGIN.items():
        monkeypatch.setenv(name, value)
    listed = run(folder, "patient", "list", "--limit", "5").stdout.splitlines()
    assert len(listed) == 5
    backup = tmp_path / "b.db"
    assert run(folder, "backup", str(backup)).returncode == 0 and backup.exists()
    run(folder, "patient", "add", "--family", "Extra", "--given", "One", "--dob", "1990-01-01")
    refused = run(folder, "restore", str(backup))
    assert refused.returncode == 1
    assert "1 patient newer than the backup" in refused.stderr and "--replace-newer" in refused.stderr
    assert "Extra" in run(folder, "search", "extra").stdout  # nothing was replaced
    restored = run(folder, "restore", str(backup), "--replace-newer")
    assert restored.returncode == 0, restored.stderr
    assert "Extra" not in run(folder, "search", "extra").stdout
    export = tmp_path / "all.json"
    assert run(folder, "export", str(export), "--plaintext").returncode == 0
    other = tmp_path / "other"
    imported = run(other, "import", str(export))
    assert imported.returncode == 0, imported.stderr
    shutil.copyfile(folder / "ptassist.keys", other / "ptassist.keys")  # the clinic's accounts travel with it
    assert run(other, "verify").returncode == 0
    export2 = tmp_path / "again.json"
    run(other, "export", str(export2), "--plaintext")
    first, again = (json.loads(path.read_text(encoding="utf-8")) for path in (export, export2))
    kept = len(first["audit_events"])  # logging in to the new folder was audited after the import
    assert again.pop("audit_events")[:kept] == first.pop("audit_events") and again == first


def test_the_same_demo_seed_gives_the_same_data(tmp_path, monkeypatch):
    for name, value in DEMO_LOGIN.items():
        monkeypatch.setenv(name, value)

    def demo_names(folder):
        assert run(folder, "demo", "--patients", "15", "--seed", "9").returncode == 0
        return run(folder, "patient", "list", "--limit", "50").stdout

    names = [demo_names(tmp_path / "a")]
    with elsewhere():  # the second folder's own records (on a server: a second database)
        names.append(demo_names(tmp_path / "b"))
    assert names[0] == names[1] and len(names[0].splitlines()) == 15
    scripts = names[0]
    assert any(ord(ch) > 0x370 for ch in scripts)  # not only Latin names


@pytest.mark.sqlite_only  # two data folders: two SQLite files
def test_data_dir_may_follow_the_command_and_comes_from_the_environment(tmp_path):
    folder = tmp_path / "data"
    prepare_cli(folder, ("patient",))
    done = subprocess.run([sys.executable, "-m", "ptassist", "patient", "add", "--family", "A", "--given", "B",
                           "--dob", "1990-01-01", "--data-dir", str(folder)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and (folder / "ptassist.db").exists()
    env = {**os.environ, "PTASSIST_DATA_DIR": str(folder)}
    listing = subprocess.run([sys.executable, "-m", "ptassist", "patient", "list"], capture_output=True, text=True,
                             check=False, env=env)
    assert "A, B" in listing.stdout


def test_bad_record_input_is_one_line_and_no_traceback(tmp_path):
    folder = tmp_path / "data"
    cases = [
        (("patient", "add", "--family", "A", "--given", "B", "--dob", "1990-13-01"), 2, "date_of_birth"),
        (("patient", "show", "42"), 1, "no patient with id 42"),
        (("visit", "new", "1", "--kind", "initial_evaluation"), 2, "patient_id"),
        (("visit", "show", "9"), 1, "no visit with id 9"),
        (("history", "3"), 1, "no patient with id 3"),
        (("visit", "new", "1", "--kind", "nonsense"), 2, "invalid choice"),
        (("restore", str(tmp_path / "nope.db")), 1, "no such backup"),
    ]
    for args, status, words in cases:
        done = run(folder, *args)
        assert done.returncode == status, (args, done.stderr)
        assert "Traceback" not in done.stderr and words in done.stderr, (args, done.stderr)
    fresh = run(tmp_path / "new", "import", str(tmp_path / "nope.json"))
    assert fresh.returncode == 2 and "cannot be read" in fresh.stderr and "Traceback" not in fresh.stderr
    assert run(folder, "export", str(tmp_path / "own.json"), "--plaintext").returncode == 0
    into_a_clinic = run(folder, "import", str(tmp_path / "own.json"))
    assert into_a_clinic.returncode == 1 and "needs an empty database" in into_a_clinic.stderr


def test_signing_a_draft_open_on_a_workstation_is_refused_saying_who_has_it(tmp_path):
    """The command line goes through the same services: a draft leased by the app is not signed."""
    from ptassist.services.records import Records
    from ptassist.store.leases import Holder

    folder = tmp_path / "data"
    pid = run(folder, "patient", "add", "--family", "Ng", "--given", "Mei", "--dob", "1990-01-01").stdout.strip()
    vid = run(folder, "visit", "new", pid, "--kind", "initial_evaluation").stdout.strip()
    records = Records.open(folder, daily_backup=False)
    try:
        records.leases.acquire(int(vid), Holder("app-token", "Alex Carter", "FRONT-DESK", 4242))
        refused = run(folder, "visit", "sign", vid)
        assert refused.returncode == 1
        assert "Being edited by Alex Carter on FRONT-DESK since" in refused.stderr and "Traceback" not in refused.stderr
        assert not records.visits.get(int(vid)).signed
        records.leases.release(int(vid), Holder("app-token", "Alex Carter", "FRONT-DESK", 4242))
        assert run(folder, "visit", "sign", vid).returncode == 0
    finally:
        records.close()
