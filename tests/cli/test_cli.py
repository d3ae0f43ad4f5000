"""The command line, run as a user runs it: exit codes, output, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from ptassist import __version__
from tests.helpers import ASSESSMENT_SCHEMA, intake, sym

EXAMPLE = intake(
    age=45, sex="female", side="left",
    symptoms=[sym("lateral_knee"), sym("lateral_leg", "paraesthesia")],
    sensory_loss=[{"region": "lateral_leg"}],
    strength={"ehl": 4, "hip_abduction": "4+", "ankle_inversion": 4},
    reflexes={"patellar": "normal", "achilles": "normal"},
    repeated_movements={"direction": "extension", "distal_symptoms": "abolished", "local_signs": "unchanged"},
    findings={"noble_test": True, "slr": False, "cancer_history": False},
)


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ptassist", *args],
        input=stdin, capture_output=True, text=True, cwd=cwd, timeout=60, check=False,
    )


@pytest.fixture
def example_file(tmp_path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    return path


def test_assess_json_prints_a_valid_assessment(example_file):
    done = run("assess", str(example_file), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    jsonschema.validate(result, ASSESSMENT_SCHEMA)
    assert result["format"] == "ptassist-assessment/1"
    assert set(result["working_diagnosis"]) == {"lumbar_radicular", "itbs"}
    assert result["ruleset"] == {"name": "lateral-thigh-knee", "version": "1.1.0"}


def test_assess_reads_standard_input():
    done = run("assess", "-", "--json", stdin=json.dumps(EXAMPLE))
    assert done.returncode == 0
    assert json.loads(done.stdout)["urgency"] == "none"


def test_human_report_puts_urgency_first_then_flags_then_reasoning(tmp_path):
    path = tmp_path / "ces.json"
    path.write_text(json.dumps(intake(side="left", symptoms=[sym("low_back"), sym("posterior_calf")],
                                      findings={"saddle_sensory_change": True})), encoding="utf-8")
    done = run("assess", str(path))
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[2].startswith("URGENCY: EMERGENCY")
    text = done.stdout
    # The 20-second top (urgency, screen, flags, diagnosis) first, then what to do next, then the reasoning.
    assert (text.index("!! EMERGENCY") < text.index("Working diagnosis") < text.index("Assess next")
            < text.index("Conditions in play"))
    assert "Red-flag screen incomplete" in lines[3]
    assert "Cauda equina syndrome suspected" in text and "MRI" in text


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "the input is empty"),
        ("not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object; got a list"),
        ('"text"', "must be a JSON object"),
        ('{"format": "ptassist-intake/9"}', "format: unsupported format"),
        ('{"format": "ptassist-intake/1", "age": 1e999}', "age: must be from 0 to 120; got inf"),
        ('{"format": "ptassist-intake/1", "age": 123456789012345678901234567890}', "age: must be from 0 to 120"),
        ('{"format": "ptassist-intake/1", "findings": {"noble_tset": true}}', "(did you mean: noble_test,"),
        ('{"format": "ptassist-intake/1", "strength": {"ehl": 7}}', "strength.ehl"),
        ("\xff\xfe garbage", "not valid JSON"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    done = run("assess", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    message = done.stderr.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("ptassist: error: ")
    assert words in message[0]


def test_bad_files_and_usage(tmp_path):
    missing = run("assess", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    folder = run("assess", str(tmp_path))
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\x80\x81\x82")
    assert "not UTF-8" in run("assess", str(binary)).stderr
    usage = run("assess")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    unknown = run("frobnicate")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_findings_lists_the_vocabulary():
    text = run("findings")
    assert text.returncode == 0
    assert "noble_test" in text.stdout and "No validated accuracy" in text.stdout
    listing = json.loads(run("findings", "--json").stdout)
    ids = {f["id"] for f in listing["findings"]}
    assert {"noble_test", "slr", "temperature_celsius", "cancer_history"} <= ids
    slr = next(f for f in listing["findings"] if f["id"] == "slr")
    assert slr["accuracy"]["validated"] and slr["accuracy"]["source"] == "Capra2011"


def test_version():
    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"ptassist {__version__}"


@pytest.mark.parametrize(("argv", "app_only"), [
    ([], True),
    (["--smoke-test"], True),
    (["--data-dir", "/tmp/x", "--smoke-test"], True),
    (["--data-dir=/tmp/x", "--user", "Alex Carter"], True),
    (["--data-dir", "gui"], True),  # the folder's name, not the command
    (["--version"], True),
    (["gui"], False),
    (["--data-dir", "/tmp/x", "patient", "list"], False),
    (["--help"], False),
    (["--data"], False),  # an abbreviation: the full parser reads it
    (["--data-dir"], False),  # no value: the full parser says so
    (["--smoke-test", "extra"], False),
])
def test_the_desktop_app_starts_without_the_parsers_of_the_commands(argv, app_only):
    from ptassist.cli import build_parser, starts_the_app_only

    assert starts_the_app_only(argv) is app_only
    if app_only and argv != ["--version"]:  # the short parser reads them as the full one does
        assert build_parser(commands=False).parse_args(argv) == build_parser().parse_args(argv)


def test_assess_loads_no_qt_database_or_pdf_code(example_file):
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['ptassist', 'assess', {str(example_file)!r}, '--json']\n"
        "from ptassist.cli import main\n"
        "import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'shiboken6', 'sqlalchemy', 'sqlmodel', 'alembic', 'reportlab', 'pydantic'})\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60)
    assert done.stdout.strip() == "0 []", done.stdout + done.stderr


def test_database_url_with_a_password_is_refused_and_the_environment_is_left_alone(capsys, monkeypatch):
    import os

    from ptassist.cli import main

    monkeypatch.delenv("PTASSIST_DATABASE_URL", raising=False)
    status = main(["--database-url", "postgresql://alex:s3cret@db.clinic.lan/ptassist", "patient", "list"])
    err = capsys.readouterr().err
    assert status == 2 and ".pgpass" in err and "s3cret" not in err
    assert "PTASSIST_DATABASE_URL" not in os.environ


def test_database_url_names_the_records_for_the_command(tmp_path, monkeypatch):
    """--database-url (here another SQLite file) wins over the data folder's own file."""
    from ptassist import paths
    from ptassist.cli import main
    from tests.helpers import clinic

    folder = tmp_path / "data"
    clinic(folder, name="Alex Carter")
    other = tmp_path / "elsewhere.db"
    assert main(["--database-url", f"sqlite:///{other}", "patient", "add", "--family", "Ng", "--given", "Mei",
                 "--dob", "1990-01-01"]) == 0
    assert other.exists() and other.stat().st_size > 0
    assert paths.database_url(folder) == f"sqlite:///{paths.database_path(folder)}"  # not kept after the command
