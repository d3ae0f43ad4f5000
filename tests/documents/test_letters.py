"""Referral letter and visit summary, built from stored visits through the printing service."""

from __future__ import annotations

import sqlite3

import pytest

from ptassist.core.records import ClinicSettings
from ptassist.core.ruleset import load_ruleset
from ptassist.core.validation import ValidationError
from ptassist.services.printing import Printing
from ptassist.store.errors import StoreError
from tests.documents.helpers import all_text, pages_text
from tests.helpers import intake, sym

CES = intake(age=44, side="left", symptoms=[sym("low_back"), sym("posterior_calf")],
             strength={"plantarflexion": 4, "ehl": 5}, reflexes={"achilles": "reduced", "patellar": "normal"},
             findings={"saddle_sensory_change": True, "bladder_dysfunction": True, "slr": True})
CANCER = intake(age=70, side="right", symptoms=[sym("low_back"), sym("lateral_thigh")], sensory_loss=[],
                strength={"ehl": 5}, reflexes={"achilles": "normal"}, findings={"cancer_history": True, "slr": False})
ITBS = intake(age=31, side="right", symptoms=[sym("lateral_knee")],
              findings={"noble_test": True, "lateral_epicondyle_tenderness": True, "pain_at_predictable_point_in_activity": True})


@pytest.fixture
def printing(records):
    records.settings.save(ClinicSettings(name="Riverside Physiotherapy", address="12 Mill Lane", phone="0117 555 0100"),
                          "test")
    return Printing(records)


def signed_visit(records, data, measures=None, when="2026-03-01"):
    patient = records.patients.search("Okafor") or [records.patients.add(
        family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02", referring_physician="Dr Sarah Chen",
        referring_practice="Harbourside Practice", referring_contact="fax 0117 555 0199")]
    visit = records.new_visit(patient[0].id, "initial_evaluation", intake=data, visit_time=f"{when}T10:00:00+00:00")
    if measures:
        visit = records.save_draft(visit, measures=measures, narrative={"subjective": "Runs 20 km a week.",
                                                                        "plan": "Review in 2 weeks."})
    records.sign(visit.id, "Alex Carter", credentials="PT, DPT")
    return visit.id


@pytest.mark.parametrize(
    ("data", "banner", "asked"),
    [
        (CES, "EMERGENCY: same day", "Same-day emergency assessment and MRI of the lumbosacral spine"),
        (CANCER, "URGENT: within 24 hours", "metastatic spinal cord compression"),
        (ITBS, "ROUTINE", "Review of this patient"),
    ],
)
def test_referral_banner_request_and_reasons(records, printing, data, banner, asked):
    visit_id = signed_visit(records, data)
    first_page = pages_text(printing.referral(visit_id).pdf)[0]
    assert first_page.index(banner) < first_page.index("Dear ")
    assert asked in first_page
    text = all_text(printing.referral(visit_id).pdf)
    assert "Dr Sarah Chen" in text and "Harbourside Practice" in text
    assert "Alex Carter" in text and "PT, DPT" in text
    assert f"rule set lateral-thigh-knee {load_ruleset().version}" in text


def test_referral_explains_flags_and_lists_the_neurological_examination(records, printing):
    text = all_text(printing.referral(signed_visit(records, CES)).pdf)
    assert "Cauda equina syndrome suspected" in text
    assert "Saddle sensory change" in text and "BMJBP-CES" in text
    assert "Plantarflexion 4/5" in text and "Achilles reflex reduced" in text
    assert "Straight leg raise positive" in text


def test_referral_to_another_recipient(records, printing):
    text = all_text(printing.referral(signed_visit(records, ITBS), to="Dr Ana Ruiz, Orthopaedics").pdf)
    assert "Dear Dr Ana Ruiz, Orthopaedics" in text and "Dr Sarah Chen" not in text


def test_summary_has_narrative_findings_checklist_measures_and_trend(records, printing):
    signed_visit(records, ITBS, {"NPRS": {"value": 7}, "LEFS": {"items": [2] * 20}}, when="2026-01-10")
    signed_visit(records, ITBS, {"NPRS": {"value": 5}, "LEFS": {"items": [3] * 20}}, when="2026-02-10")
    last = signed_visit(records, ITBS, {"NPRS": {"value": 3}, "LEFS": {"items": [3] * 19 + [4]}}, when="2026-03-10")
    text = all_text(printing.summary(last).pdf)
    assert "Runs 20 km a week." in text and "Review in 2 weeks." in text
    assert "Noble compression test" in text and "Working diagnosis: Iliotibial band syndrome" in text
    assert "passes the minimal clinically important difference of 2 points or 30% improvement" in text  # NPRS 7 -> 3
    assert "passes the minimal clinically important difference of 9 points" in text  # LEFS 40 -> 61
    assert "visit number (oldest first)" in text  # the trend chart


def test_signed_sheets_are_stored_once_and_reprint_identically(records, printing):
    visit_id = signed_visit(records, ITBS)
    first, second = printing.hep(visit_id), printing.hep(visit_id)
    assert first.pdf == second.pdf
    assert first.stored is not None and first.stored == second.stored
    assert records.documents.content(first.stored.id) == first.pdf
    assert [d.kind for d in records.documents.for_visit(visit_id)] == ["hep"]
    assert "DRAFT" not in all_text(first.pdf)


def test_a_stored_sheet_opens_exactly_as_printed_and_views_are_audited(records, printing):
    visit_id = signed_visit(records, ITBS)
    printed = printing.referral(visit_id)
    document, pdf = printing.stored_copy(printed.stored.id)
    assert pdf == printed.pdf and document == printed.stored
    printing.reprinted(document.id)
    actions = [e.action for e in records.audit.events("document", document.id)]
    assert actions == ["print", "view", "print"]
    with pytest.raises(ValidationError, match="no document"):
        printing.stored_copy(10**6)


def test_a_stored_sheet_that_no_longer_matches_its_fingerprint_is_refused(records, printing):
    visit_id = signed_visit(records, ITBS)
    stored = printing.summary(visit_id).stored
    connection = sqlite3.connect(records.database.path)
    connection.execute("DROP TRIGGER IF EXISTS document_no_update")  # what an intruder with file access could do
    connection.execute("UPDATE document SET content = ? WHERE id = ?", (b"%PDF-1.4 forged", stored.id))
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="does not match the fingerprint"):
        printing.stored_copy(stored.id)


def test_draft_sheets_are_marked_and_not_stored(records, printing):
    patient = records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02")
    draft = records.new_visit(patient.id, "initial_evaluation", intake=ITBS)
    printed = printing.summary(draft.id)
    assert printed.draft and printed.stored is None
    assert "DRAFT: not a signed clinical record" in all_text(printed.pdf)
    assert records.documents.for_visit(draft.id) == []
