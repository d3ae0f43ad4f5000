"""Background, goals and plan on the visit summary and the referral (printed from the records)."""

from __future__ import annotations

from ptassist.core.background import Allergy, Background, Condition, Medication
from ptassist.services.printing import Printing
from tests.documents.helpers import pages_text
from tests.helpers import TEST_PASSWORD
from tests.store.conftest import INTAKE
from tests.store.test_care import CARE

BACKGROUND = Background((Condition("Breast carcinoma", "Z85.3", ("cancer_history",)),),
                        (Medication("Apixaban", "5 mg", "twice daily", ("anticoagulant",)),),
                        (Allergy("Penicillin", "rash"),))


def _visit(records, patient, *, sign):
    records.save_background(patient.id, BACKGROUND, base_version=0, actor="t")
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE, visit_time="2026-03-01T09:00")
    visit = records.save_draft(visit, care=CARE)
    return records.sign(visit.id, TEST_PASSWORD) if sign else visit


def test_the_referral_tells_the_physician_medication_allergies_goals_and_plan(records, patient):
    visit = _visit(records, patient, sign=True)
    records.save_background(patient.id, Background(), base_version=1, actor="t")  # after signing
    text = " ".join(pages_text(Printing(records).referral(visit.id).pdf))
    assert "Medication: Apixaban 5 mg twice daily [Anticoagulant]" in text
    assert "Allergies: Penicillin: rash" in text
    assert "Breast carcinoma (ICD-10-CM Z85.3)" in text
    assert "Short term: Run 5 km pain-free (by 2026-04-01)" in text and "Frequency: 2 x per week" in text
    assert "History of cancer (not assessed)" not in text  # the background answered it


def test_the_summary_of_a_draft_shows_the_current_background_and_the_session(records, patient):
    visit = _visit(records, patient, sign=False)
    text = " ".join(pages_text(Printing(records).summary(visit.id).pdf))
    assert "Allergies: Penicillin: rash" in text
    assert "This session Manual therapy Soft-tissue work 10 min." in text
    assert "Consent to assessment and treatment given by the patient." in text


def test_without_a_background_the_letter_says_so(records, patient):
    visit = records.new_visit(patient.id, "initial_evaluation", intake=INTAKE, visit_time="2026-03-01T09:00")
    text = " ".join(pages_text(Printing(records).referral(records.sign(visit.id, TEST_PASSWORD).id).pdf))
    assert "Background not recorded." in text and "Goals and plan of care" not in text
