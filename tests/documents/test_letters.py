"""Referral letter and visit summary, built from stored visits through the printing service."""

from __future__ import annotations

import sqlite3

import pytest

from ptassist.core.records import ClinicSettings
from ptassist.core.ruleset import load_ruleset
from ptassist.core.sheets import referral_content
from ptassist.core.validation import ValidationError
from ptassist.documents.referral import render_referral
from ptassist.services.printing import Printing
from ptassist.store.errors import StoreError
from tests.documents.helpers import all_text, pages_text
from tests.helpers import TEST_PASSWORD, add_clinician, intake, sym

CES = intake(age=44, side="left", symptoms=[sym("low_back"), sym("posterior_calf")],
             strength={"plantarflexion": 4, "ehl": 5}, reflexes={"achilles": "reduced", "patellar": "normal"},
             findings={"saddle_sensory_change": True, "bladder_dysfunction": True, "slr": True})
CANCER = intake(age=70, side="right", symptoms=[sym("low_back"), sym("lateral_thigh")], sensory_loss=[],
                strength={"ehl": 5}, reflexes={"achilles": "normal"}, findings={"cancer_history": True, "slr": False})
ITBS = intake(age=31, side="right", symptoms=[sym("lateral_knee")],
              findings={"noble_test": True, "lateral_epicondyle_tenderness": True, "pain_at_predictable_point_in_activity": True})


@pytest.fixture
def printing(records):
    records.settings.save(ClinicSettings(name="Riverside Physiotherapy", address="12 Mill Lane", phone="0117 555 0100",
                                         emergency_number="999", time_zone="Europe/London"), "test")
    return Printing(records)


def signed_visit(records, data, measures=None, when="2026-03-01", kind="initial_evaluation", **signer):
    patient = records.patients.search("Okafor") or [records.patients.add(
        family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02", referring_physician="Dr Sarah Chen",
        referring_practice="Harbourside Practice", referring_contact="fax 0117 555 0199",
        address="4 Quay Street\nBristol BS1 4QA", phone="07700 900123", health_service_number="943 476 5919")]
    visit = records.new_visit(patient[0].id, kind, intake=data, visit_time=f"{when}T10:00:00+00:00")
    if measures:
        visit = records.save_draft(visit, measures=measures, narrative={"subjective": "Runs 20 km a week.",
                                                                        "plan": "Review in 2 weeks."})
    if signer:  # the clinician's details as they are now (a new qualification, another phone)
        records.update_account(**{"registration" if k == "licence" else k: v for k, v in signer.items()})
    records.sign(visit.id, TEST_PASSWORD)
    return visit.id


@pytest.mark.parametrize(
    ("data", "banner", "asked", "to", "dear"),
    [
        (CES, "EMERGENCY: same day", "Same-day emergency assessment and MRI of the lumbosacral spine",
         "The duty doctor, Emergency Department", "Dear Doctor,"),
        (CANCER, "URGENT: within 24 hours", "metastatic spinal cord compression", "The on-call doctor", "Dear Doctor,"),
        (ITBS, "ROUTINE", "Your opinion on the diagnosis", "Dr Sarah Chen", "Dear Dr Chen,"),
    ],
)
def test_referral_banner_question_default_recipient_and_salutation(records, printing, data, banner, asked, to, dear):
    visit_id = signed_visit(records, data)
    first_page = pages_text(printing.referral(visit_id).pdf)[0]
    assert first_page.index(banner) < first_page.index("Dear ")
    assert asked in first_page
    assert to in first_page and dear in first_page
    assert "for your information" not in first_page  # a routine letter asks a question too
    text = all_text(printing.referral(visit_id).pdf)
    assert "Alex Carter, PT, DPT" in text
    assert f"rule set lateral-thigh-knee {load_ruleset().version}" in text


def test_the_letter_names_and_reaches_the_patient_and_says_what_was_done(records, printing):
    text = all_text(printing.referral(signed_visit(records, CES)).pdf)
    for part in ("Re: Chidi Okafor", "Born 2 May 1979", "Chart number", "Health-service number 943 476 5919",
                 "4 Quay Street, Bristol BS1 4QA", "07700 900123"):
        assert part in text, part
    assert "What was done: At this visit (1 March 2026, 10:00) I advised the patient to go to the emergency" in text
    assert "Treatment so far" in text and "First visit" in text
    assert "Action:" not in text  # the rule set's instructions to the therapist stay out of the letter
    assert "Requested: Same-day emergency assessment" in text


def test_referral_explains_flags_and_lists_the_neurological_examination(records, printing):
    text = all_text(printing.referral(signed_visit(records, CES)).pdf)
    assert "Cauda equina syndrome suspected" in text
    assert "Saddle sensory change" in text and "BMJBP-CES" in text
    assert "Plantarflexion 4/5" in text and "Achilles reflex reduced" in text
    assert "Straight leg raise positive" in text


def test_referral_to_another_recipient(records, printing):
    text = all_text(printing.referral(signed_visit(records, ITBS), to="Dr Ana Ruiz, Orthopaedics").pdf)
    assert "Dear Dr Ruiz," in text and "Dr Ana Ruiz, Orthopaedics" in text and "Dr Sarah Chen" not in text


def test_the_signature_carries_the_details_the_clinician_had_when_signing(records, printing):
    first = signed_visit(records, ITBS, credentials="PT", licence="HCPC PH12345", contact="0117 555 0142")
    later = signed_visit(records, ITBS, when="2026-04-01", kind="re_evaluation", credentials="PT, DPT, OCS",
                         licence="HCPC PH12345", contact="a.carter@riverside.example")
    old, new = all_text(printing.referral(first).pdf), all_text(printing.referral(later).pdf)
    assert "Alex Carter, PT Registration number HCPC PH12345 Direct contact: 0117 555 0142" in old
    assert "Alex Carter, PT, DPT, OCS" in new and "a.carter@riverside.example" in new
    assert "Signed by Alex Carter on" in old and "(Europe/London)" in old
    assert "PT, DPT, OCS" not in old  # re-signing later never rewrites an earlier letter
    assert "Seen 2 times since 1 March 2026 (initial evaluation, re-evaluation)" in new


def test_addenda_print_on_the_referral_and_the_summary(records, printing):
    visit_id = signed_visit(records, ITBS)
    colleague = add_clinician(records, "Jo Park")
    try:
        colleague.add_addendum(visit_id, "Correction: pain is on the right.", TEST_PASSWORD)
    finally:
        colleague.close()
    for pdf in (printing.referral(visit_id).pdf, printing.summary(visit_id).pdf):
        text = all_text(pdf)
        assert "Addendum by Jo Park" in text and "Correction: pain is on the right." in text


def test_summary_has_narrative_findings_checklist_measures_and_trend(records, printing):
    signed_visit(records, ITBS, {"NPRS": {"value": 7}, "LEFS": {"items": [2] * 20}}, when="2026-01-10")
    signed_visit(records, ITBS, {"NPRS": {"value": 5}, "LEFS": {"items": [3] * 20}}, when="2026-02-10")
    last = signed_visit(records, ITBS, {"NPRS": {"value": 3}, "LEFS": {"items": [3] * 19 + [4]}}, when="2026-03-10")
    text = all_text(printing.summary(last).pdf)
    assert "Signed by Alex Carter on" in text
    assert "Root level: not determined" in text and "Reasoning" in text and "[BMJBP-ITBS" in text
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


def test_a_summary_trend_stops_at_the_visit_printed(records, printing):
    first = signed_visit(records, ITBS, {"NPRS": {"value": 7}}, when="2026-01-10")
    middle = signed_visit(records, ITBS, {"NPRS": {"value": 5}}, when="2026-02-10")
    signed_visit(records, ITBS, {"NPRS": {"value": 1}}, when="2026-03-10")
    from ptassist.core.sheets import summary_content

    visit = records.visits.get(middle)
    patient = records.patients.get(visit.patient_id)
    content = summary_content(patient=patient, visit=visit, assessment=visit.assessment,
                              history=records.visits.history(patient.id), clinic=records.settings.get(), paper="a4")
    assert [v for _, v in content.trend["NPRS"]] == [7, 5]
    assert content.scores[0].current == 5
    assert first != middle


def test_an_incomplete_red_flag_screen_is_noted_on_the_clinicians_copies(records, printing):
    from ptassist.core.sheets import referral_content, summary_content

    visit = records.visits.get(signed_visit(records, ITBS))
    patient = records.patients.get(visit.patient_id)
    assessment = dict(visit.assessment, screen={"complete": False,
                                                "not_asked": ["saddle_sensory_change", "bladder_dysfunction"]})
    common = {"patient": patient, "visit": visit, "assessment": assessment, "history": [], "clinic": ClinicSettings(),
              "paper": "a4"}
    for content in (referral_content(**common), summary_content(**common)):
        assert content.screen_note.startswith("Red-flag screen incomplete: 2 questions not asked")
    complete = dict(visit.assessment, screen={"complete": True, "not_asked": []})
    assert referral_content(**{**common, "assessment": complete}).screen_note == ""
    before = {k: v for k, v in visit.assessment.items() if k != "screen"}  # rule set 1.0.0 had no screen
    assert referral_content(**{**common, "assessment": before}).screen_note == ""
    many = dict(visit.assessment, screen={"complete": False, "not_asked": [f"q{i}" for i in range(9)]})
    assert referral_content(**{**common, "assessment": many}).screen_note.endswith("q4 and 4 more.")


def test_visits_print_their_local_day_and_kind_words(records, printing):
    records.settings.save(ClinicSettings(name="Harbour Physio", time_zone="Pacific/Auckland"), "test")
    patient = records.patients.add(family_name="Ngata", given_name="Aroha", date_of_birth="1960-01-01")
    visit = records.new_visit(patient.id, "re_evaluation", intake=ITBS, visit_time="2026-12-01T20:34:00+00:00")
    assert visit.time_zone == "Pacific/Auckland"
    records.sign(visit.id, TEST_PASSWORD)
    text = all_text(printing.summary(visit.id).pdf)
    assert "re-evaluation, 2 December 2026 09:34" in text and "re evaluation" not in text
    assert "1 December 2026" not in text.split("Signed by")[0]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_sign_off_keeps_the_last_section_with_it_in_large_print(paper):
    from tests.documents.test_scripts import ASSESSMENT, CLINIC, patient, visit

    content = referral_content(patient=patient("Featherstonehaugh-Marjoribanks", "Alexandra-Konstantina Wilhelmina"),
                               visit=visit(), assessment=ASSESSMENT, clinic=CLINIC, paper=paper, history=(),
                               large_print=True)
    pages = pages_text(render_referral(content))
    signed = next(text for text in pages if "Yours sincerely" in text)
    before = signed.split("Yours sincerely")[0]
    assert "Working diagnosis and differential" in before  # the last section's heading, not a lone footnote


def test_a_signed_visits_sheets_carry_its_verification_code(records, printing):
    from ptassist.security.encoding import unb64
    from ptassist.security.signing import check_verification_code
    from ptassist.store.models import VisitRow

    visit_id = signed_visit(records, ITBS)
    visit = records.visits.get(visit_id)
    with records.database.session() as session:
        signature = session.get(VisitRow, visit_id).signature
    assert check_verification_code(visit.verification_code, unb64(signature), visit.content_hash.encode())
    for pdf in (printing.referral(visit_id).pdf, printing.summary(visit_id).pdf):
        assert f"Verification code {visit.verification_code}" in all_text(pdf)
