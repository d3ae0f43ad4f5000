"""`ptassist print` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ptassist.security.keyfile import load as load_keys
from ptassist.security.signing import fingerprint
from tests.documents.helpers import all_text, page_size
from tests.helpers import prepare_cli
from tests.store.conftest import INTAKE

pytestmark = pytest.mark.usefixtures("backend")  # the commands run on SQLite and PostgreSQL


def run(folder, *args):
    prepare_cli(folder, args)
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args], capture_output=True,
                          text=True, check=False, timeout=120)


def test_print_every_sheet_for_a_demo_visit(tmp_path, monkeypatch):
    monkeypatch.setenv("PTASSIST_USER", "Demo Clinician")
    monkeypatch.setenv("PTASSIST_PASSWORD", "demo")
    folder = tmp_path / "data"
    assert run(folder, "demo", "--patients", "3", "--seed", "4").returncode == 0
    history = json.loads(run(folder, "history", "1", "--json").stdout)
    signed = next(v["id"] for v in history if v["status"] == "signed")
    for sheet in ("hep", "referral", "summary"):
        target = tmp_path / f"{sheet}.pdf"
        done = run(folder, "print", sheet, str(signed), "-o", str(target), "--paper", "letter")
        assert done.returncode == 0, done.stderr
        assert "stored with the visit" in done.stdout
        assert target.read_bytes().startswith(b"%PDF")
        assert page_size(target.read_bytes()) == (612.0, 792.0)
    again = tmp_path / "again.pdf"
    run(folder, "print", "hep", str(signed), "-o", str(again), "--paper", "letter")
    assert again.read_bytes() == (tmp_path / "hep.pdf").read_bytes()


def test_print_hep_for_an_intake_without_a_visit(tmp_path):
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE), encoding="utf-8")
    target = tmp_path / "hep.pdf"
    done = run(tmp_path / "data", "print", "hep", "--intake", str(intake), "-o", str(target))
    assert done.returncode == 0, done.stderr
    text = all_text(target.read_bytes())
    assert "Side-lying leg lift" in text and "DRAFT" in text


def test_print_usage_errors_are_one_line(tmp_path):
    folder = tmp_path / "data"
    for args, words in (
        (("print", "referral", "--intake", "x.json", "-o", "a.pdf"), "--intake works with 'print hep'"),
        (("print", "hep", "-o", "a.pdf"), "give a visit id"),
        (("print", "summary", "99", "-o", "a.pdf"), "no visit with id 99"),
    ):
        done = run(folder, *args)
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_clinic_settings_patient_details_and_signer_details_reach_the_sheets(tmp_path):
    folder = tmp_path / "data"
    setup = run(folder, "setup", "--name", "Alex Carter", "--credentials", "PT", "--registration", "PNZ 70-12345",
                "--contact", "09 555 0142", "--unencrypted")
    assert setup.returncode == 0, setup.stderr
    first_key = load_keys(folder / "ptassist.keys").accounts[0].keys.public_key
    assert f"clinic root key fingerprint: {fingerprint(first_key)}\n" in setup.stdout  # on paper beside the key
    done = run(folder, "clinic", "set", "--name", "Harbour Physio", "--phone", "09 555 0100", "--emergency-number",
               "111", "--time-zone", "Pacific/Auckland")
    assert done.returncode == 0, done.stderr
    assert "emergency_number   111" in done.stdout and "Pacific/Auckland" in done.stdout
    bad = run(folder, "clinic", "set", "--time-zone", "Mars/Olympus")
    assert bad.returncode == 2 and "time_zone" in bad.stderr and "Traceback" not in bad.stderr
    patient = run(folder, "patient", "add", "--family", "Ngata", "--given", "Aroha", "--dob", "1950-01-01",
                  "--health-service-number", "ZZZ0032", "--phone", "021 555 0199").stdout.strip()
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE), encoding="utf-8")
    visit = run(folder, "visit", "new", patient, "--kind", "re_evaluation", "--intake", str(intake)).stdout.strip()
    signed = run(folder, "visit", "sign", visit)
    assert signed.returncode == 0, signed.stderr
    letter = tmp_path / "letter.pdf"
    assert run(folder, "print", "referral", visit, "-o", str(letter)).returncode == 0
    text = all_text(letter.read_bytes())
    assert "Health-service number ZZZ0032" in text and "021 555 0199" in text
    assert "Registration number PNZ 70-12345" in text and "Direct contact: 09 555 0142" in text
    assert "(Pacific/Auckland)" in text
    sheet = tmp_path / "hep.pdf"
    done = run(folder, "print", "hep", visit, "-o", str(sheet), "--large-print", "--next-appointment",
               "Friday 12 December, 09:00")
    assert done.returncode == 0, done.stderr
    text = all_text(sheet.read_bytes())
    assert "Your next appointment: Friday 12 December, 09:00" in text and "Call 111" in text


def test_an_urgent_programme_prints_only_with_confirm_programme(tmp_path):
    folder = tmp_path / "data"
    intake = tmp_path / "urgent.json"
    intake.write_text(json.dumps({"format": "ptassist-intake/1", "age": 70, "side": "right",
                                  "symptoms": [{"region": "low_back", "kind": "pain"},
                                               {"region": "lateral_knee", "kind": "pain"}],
                                  "findings": {"cancer_history": True, "noble_test": True,
                                               "lateral_epicondyle_tenderness": True,
                                               "pain_at_predictable_point_in_activity": True}}), encoding="utf-8")
    plain, confirmed = tmp_path / "plain.pdf", tmp_path / "confirmed.pdf"
    assert run(folder, "print", "hep", "--intake", str(intake), "-o", str(plain)).returncode == 0
    assert run(folder, "print", "hep", "--intake", str(intake), "-o", str(confirmed),
               "--confirm-programme").returncode == 0
    assert "See your doctor within 24 hours" in all_text(plain.read_bytes())
    assert "How much" not in all_text(plain.read_bytes())
    assert "See your doctor within 24 hours" in all_text(confirmed.read_bytes())
    assert "How much" in all_text(confirmed.read_bytes())  # the clinician confirmed the programme


@pytest.mark.sqlite_only  # print's fast path reads the SQLite file with sqlite3
def test_print_reads_and_writes_without_the_orm_and_agrees_with_the_records(tmp_path, monkeypatch):
    monkeypatch.setenv("PTASSIST_USER", "Demo Clinician")
    monkeypatch.setenv("PTASSIST_PASSWORD", "demo")
    folder = tmp_path / "data"
    assert run(folder, "demo", "--patients", "2", "--seed", "5").returncode == 0
    history = json.loads(run(folder, "history", "1", "--json").stdout)
    signed = next(v["id"] for v in history if v["status"] == "signed")
    script = (
        "import sys; from ptassist.cli import main\n"
        f"code = main(['--data-dir', {str(folder)!r}, 'print', 'referral', '{signed}', '-o', {str(tmp_path / 'a.pdf')!r}])\n"
        f"code += main(['--data-dir', {str(folder)!r}, 'print', 'hep', '{signed}', '-o', {str(tmp_path / 'h.pdf')!r}])\n"
        f"code += main(['--data-dir', {str(folder)!r}, 'print', 'summary', '{signed}', '-o', {str(tmp_path / 's.pdf')!r}])\n"
        "print(code, 'sqlalchemy' in sys.modules, 'sqlmodel' in sys.modules, 'ptassist.core.engine' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    # a signed visit prints its stored assessment: neither the ORM nor the rule engine is loaded
    assert done.stdout.split()[-4:] == ["0", "False", "False", "False"], done.stdout + done.stderr

    from ptassist.services.printing import Printing
    from ptassist.services.records import Records

    records = Records.open(folder)
    try:
        again = Printing(records).referral(signed)
        assert again.pdf == (tmp_path / "a.pdf").read_bytes()  # the same sheet, whichever path built it
        assert sorted(d.kind for d in records.documents.for_visit(signed)) == ["hep", "referral", "summary"]  # once each
        assert [e.action for e in records.audit.events("document", again.stored.id)] == ["print", "print"]
    finally:
        records.close()


@pytest.mark.sqlite_only  # print's fast path reads the SQLite file with sqlite3
def test_print_on_an_older_database_migrates_it_first(tmp_path):
    import shutil
    from pathlib import Path

    folder = tmp_path / "data"
    folder.mkdir()
    fixture = Path(__file__).resolve().parents[1] / "store" / "fixtures" / "schema_0003.db"
    shutil.copyfile(fixture, folder / "ptassist.db")
    done = run(folder, "print", "summary", "1", "-o", str(tmp_path / "s.pdf"))
    assert done.returncode == 0, done.stderr
    assert "stored with the visit" in done.stdout


def test_the_sheet_loads_beside_the_login_and_a_failure_there_changes_nothing(tmp_path, monkeypatch):
    """`print` loads the sheet's modules on a second thread while the password is checked; if that
    loading fails, the print loads them itself and the sheet is the same."""
    import threading

    from ptassist import cli_auth
    from ptassist.cli import main
    from ptassist.services import printing

    monkeypatch.setenv("PTASSIST_USER", "Demo Clinician")
    monkeypatch.setenv("PTASSIST_PASSWORD", "demo")
    folder = tmp_path / "data"
    assert run(folder, "demo", "--patients", "2", "--seed", "6").returncode == 0
    signed = next(v["id"] for v in json.loads(run(folder, "history", "1", "--json").stdout) if v["status"] == "signed")
    seen: list[tuple[str, str]] = []
    real_load, real_log_in = printing.load_sheet, cli_auth.log_in

    def load(sheet):
        seen.append(("load", threading.current_thread().name))
        real_load(sheet)

    def log_in(*args, **kwargs):
        seen.append(("log in", threading.current_thread().name))
        return real_log_in(*args, **kwargs)

    monkeypatch.setattr(printing, "load_sheet", load)
    monkeypatch.setattr(cli_auth, "log_in", log_in)
    first = tmp_path / "first.pdf"
    assert main(["--data-dir", str(folder), "print", "summary", str(signed), "-o", str(first)]) == 0
    assert sorted(seen) == [("load", "ptassist-load-sheet"), ("log in", threading.main_thread().name)]

    def broken(sheet):
        raise ImportError("no such module")

    monkeypatch.setattr(printing, "load_sheet", broken)
    second = tmp_path / "second.pdf"
    assert main(["--data-dir", str(folder), "print", "summary", str(signed), "-o", str(second)]) == 0
    assert second.read_bytes() == first.read_bytes()
    assert not [t for t in threading.enumerate() if t.name == "ptassist-load-sheet"]

    monkeypatch.setenv("PTASSIST_PASSWORD", "not the password")
    assert main(["--data-dir", str(folder), "print", "summary", str(signed), "-o", str(tmp_path / "no.pdf")]) != 0
    assert not (tmp_path / "no.pdf").exists()
