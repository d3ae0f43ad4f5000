"""`visit show` says what the red-flag screen allows, never a bare "none"."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli_records import run  # the records CLI runner of this package

pytestmark = pytest.mark.usefixtures("backend")  # the commands run on SQLite and PostgreSQL


def test_visit_show_never_says_none_before_the_screen_is_done(tmp_path):
    data = tmp_path / "data"
    intake_file = tmp_path / "intake.json"
    intake_file.write_text(json.dumps({"format": "ptassist-intake/1", "side": "left",
                                       "symptoms": [{"region": "lateral_knee", "kind": "pain"}]}), encoding="utf-8")
    patient = run(data, "patient", "add", "--family", "Ngata", "--given", "Aroha", "--dob", "1990-04-02").stdout.strip()
    visit = run(data, "visit", "new", patient, "--kind", "initial_evaluation", "--intake", str(intake_file))
    assert visit.returncode == 0, visit.stderr
    shown = run(data, "visit", "show", visit.stdout.strip()).stdout
    assert "Urgency: NOT ESTABLISHED: Red-flag screen incomplete:" in shown
    assert "Urgency: none" not in shown
