"""`ptassist print` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.documents.helpers import all_text, page_size
from tests.store.conftest import INTAKE


def run(folder, *args):
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args], capture_output=True,
                          text=True, check=False, timeout=120)


def test_print_every_sheet_for_a_demo_visit(tmp_path):
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
