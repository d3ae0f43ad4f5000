"""`ptassist --smoke-test`, run as a packaged build is checked: a real process, offscreen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def smoke(folder):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "--smoke-test"],
                          capture_output=True, text=True, check=False, timeout=120, env=env)


FIXTURES = Path(__file__).resolve().parents[1] / "store" / "fixtures"


def lines(done, prefix):
    return [line for line in done.stdout.splitlines() if line.startswith(prefix)]


def test_smoke_test_on_a_fresh_data_folder(tmp_path):
    done = smoke(tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert lines(done, "ptassist-ready") and not lines(done, "ptassist-patient-open")
    assert (tmp_path / "data" / "ptassist.db").exists()
    assert (tmp_path / "data" / "logs" / "ptassist.log").exists()


def test_smoke_test_opens_a_patient_when_there_is_one(tmp_path):
    folder = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "demo", "--patients", "3"], check=True,
                   capture_output=True)
    done = smoke(folder)
    assert done.returncode == 0, done.stderr
    assert lines(done, "ptassist-ready") and lines(done, "ptassist-patient-open")
    assert "Error" not in done.stderr  # nothing cut off at exit (the backup and check finish first)
    log = (folder / "logs" / "ptassist.log").read_text(encoding="utf-8")
    assert "started" in log
    for name in ("Müller", "Smith", "Иван"):  # never patient names in the log
        assert name not in log


def test_smoke_test_on_an_older_schema_migrates_first_then_opens_a_patient(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "schema_0002.db", folder / "ptassist.db")
    done = smoke(folder)
    assert done.returncode == 0, done.stderr
    assert lines(done, "ptassist-patient-open")
    assert any("pre-migration" in p.name for p in (folder / "backups").iterdir())


def test_smoke_test_on_a_damaged_file_fails_with_a_message_and_leaves_it_alone(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    damaged = folder / "ptassist.db"
    damaged.write_bytes(b"this is not a database" * 200)
    done = smoke(folder)
    assert done.returncode == 1
    assert "not a ptassist database" in done.stderr and str(damaged) in done.stderr
    assert damaged.read_bytes() == b"this is not a database" * 200
