"""`ptassist --smoke-test`, run as a packaged build is checked: a real process, offscreen."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui


def smoke(folder):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "--smoke-test"],
                          capture_output=True, text=True, check=False, timeout=120, env=env)


def test_smoke_test_on_a_fresh_data_folder(tmp_path):
    done = smoke(tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "ptassist.db").exists()
    assert (tmp_path / "data" / "logs" / "ptassist.log").exists()


def test_smoke_test_opens_a_patient_when_there_is_one(tmp_path):
    folder = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "demo", "--patients", "3"], check=True,
                   capture_output=True)
    done = smoke(folder)
    assert done.returncode == 0, done.stderr
    log = (folder / "logs" / "ptassist.log").read_text(encoding="utf-8")
    assert "started" in log
    for name in ("Müller", "Smith", "Иван"):  # never patient names in the log
        assert name not in log
