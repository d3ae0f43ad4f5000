"""`patient update` with the background, `visit new --visit-time`, and `visit show --json`."""

from __future__ import annotations

import json

from tests.cli.test_cli_records import run


def test_patient_update_sets_the_background_and_visits_show_it(tmp_path):
    folder = tmp_path / "data"
    pid = run(folder, "patient", "add", "--family", "Ngata", "--given", "Aroha", "--dob", "1950-01-01").stdout.strip()
    done = run(folder, "patient", "update", pid, "--condition", "Osteoporosis; M81.0", "--medication",
               "Prednisolone; 5 mg; once daily", "--medication", "Apixaban; 5 mg; twice daily",
               "--allergy", "Penicillin; rash", "--phone", "09 555 0100")
    assert done.returncode == 0, done.stderr
    shown = json.loads(run(folder, "patient", "show", pid, "--json").stdout)
    assert shown["phone"] == "09 555 0100"
    assert [m["flags"] for m in shown["background"]["medications"]] == [["corticosteroid"], ["anticoagulant"]]
    assert set(shown["background_answers"]) == {"osteoporosis", "long_term_corticosteroids"}
    vid = run(folder, "visit", "new", pid, "--kind", "initial_evaluation", "--visit-time",
              "2026-03-01T09:30+13:00").stdout.strip()
    assert run(folder, "visit", "sign", vid).returncode == 0
    # a later change leaves the signed snapshot alone
    assert run(folder, "patient", "update", pid, "--no-medications").returncode == 0
    visit = json.loads(run(folder, "visit", "show", vid, "--json").stdout)
    assert visit["visit_time"] == "2026-02-28T20:30:00+00:00"
    assert [m["name"] for m in visit["background"]["medications"]] == ["Prednisolone", "Apixaban"]
    assert visit["background"]["allergies"] == [{"substance": "Penicillin", "reaction": "rash"}]
    assert json.loads(run(folder, "patient", "show", pid, "--json").stdout)["background"]["medications"] == []


def test_bad_background_items_and_visit_times_are_refused_in_one_line(tmp_path):
    folder = tmp_path / "data"
    pid = run(folder, "patient", "add", "--family", "Ngata", "--given", "Aroha", "--dob", "1950-01-01").stdout.strip()
    bad = run(folder, "patient", "update", pid, "--phone", "1", "--condition", "Osteoporosis; 81")
    assert bad.returncode == 2 and "ICD-10-CM" in bad.stderr and len(bad.stderr.splitlines()) == 1
    assert json.loads(run(folder, "patient", "show", pid, "--json").stdout)["phone"] == ""  # nothing changed
    early = run(folder, "visit", "new", pid, "--kind", "follow_up", "--visit-time", "1949-12-31T23:00")
    assert early.returncode == 2 and "before the patient's date of birth" in early.stderr
    assert run(folder, "visit", "new", pid, "--kind", "follow_up", "--visit-time", "soon").returncode == 2
    future = run(folder, "visit", "new", pid, "--kind", "follow_up", "--visit-time", "2999-01-01T09:00").stdout.strip()
    refused = run(folder, "visit", "sign", future)
    assert refused.returncode == 2 and "in the future" in refused.stderr
    assert run(folder, "patient", "update", pid).returncode == 2


def test_printing_a_draft_letter_from_the_command_line_uses_the_current_background(tmp_path):
    from tests.documents.helpers import all_text
    from tests.store.conftest import INTAKE

    folder = tmp_path / "data"
    pid = run(folder, "patient", "add", "--family", "Ngata", "--given", "Aroha", "--dob", "1950-01-01").stdout.strip()
    run(folder, "patient", "update", pid, "--condition", "Lymphoma; C85.9", "--medication", "Warfarin; 3 mg; daily",
        "--allergy", "Latex")
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE), encoding="utf-8")
    vid = run(folder, "visit", "new", pid, "--kind", "initial_evaluation", "--intake", str(intake)).stdout.strip()
    target = tmp_path / "referral.pdf"
    done = run(folder, "print", "referral", vid, "-o", str(target))  # the sqlite3-only print path
    assert done.returncode == 0, done.stderr
    text = all_text(target.read_bytes())
    assert "Warfarin 3 mg daily [Anticoagulant]" in text and "Allergies: Latex" in text
    assert "History of cancer" in text and "History of cancer (not assessed)" not in text
