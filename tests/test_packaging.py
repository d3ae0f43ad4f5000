"""A built, non-editable wheel finds its resources when run from another folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_installed_wheel_assesses_an_intake_from_another_directory(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("ptassist-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ptassist/_resources/clinical/ruleset.toml" in names
    assert "ptassist/_resources/schemas/assessment.schema.json" in names

    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert install.returncode == 0, install.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "intake.json").write_text(
        json.dumps({"format": "ptassist-intake/1", "side": "left", "findings": {"saddle_sensory_change": True}}),
        encoding="utf-8",
    )
    # The installed copy comes first on the path, so the source tree is not what runs.
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = "import ptassist, sys; print(ptassist.__file__)"
    where = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=elsewhere, env=env,
                           check=False)
    assert where.stdout.strip().startswith(str(target))
    done = subprocess.run(
        [sys.executable, "-m", "ptassist", "assess", "intake.json", "--json"],
        capture_output=True, text=True, cwd=elsewhere, env=env, check=False, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["urgency"] == "emergency"
