"""The background's flags come from data, and its answers fill only what a visit left open."""

from __future__ import annotations

import pytest

from ptassist.core.background import (
    Background,
    Condition,
    Medication,
    allergy_from_text,
    background_answers,
    condition_from_text,
    default_background_rules,
    load_background_rules,
    medication_from_text,
    parse_background,
    with_background,
)
from ptassist.core.engine import default_engine
from ptassist.core.validation import ValidationError

RULES = default_background_rules()


def test_every_flag_with_a_finding_names_a_vocabulary_finding_and_a_source():
    findings = frozenset(default_engine().vocabulary.findings)
    rules = load_background_rules(findings)
    for flag in [*rules.condition_flags.values(), *rules.medication_flags.values()]:
        if flag.finding:
            assert flag.finding in findings and flag.source


@pytest.mark.parametrize(("text", "flag"), [
    ("Osteoporosis; M81.0", "osteoporosis"),
    ("Breast carcinoma 2015", "cancer_history"),
    ("Old fracture; Z85.3", "cancer_history"),
    ("Type 2 DM; E11.9", "diabetes"),
    ("Diabetic neuropathy", "diabetes"),
])
def test_conditions_suggest_flags_by_code_or_words(text, flag):
    assert flag in condition_from_text(text, RULES).flags


def test_a_benign_condition_suggests_no_flag():
    assert condition_from_text("Hay fever; J30.1", RULES).flags == ()


def test_medications_suggest_flags_by_drug_name():
    assert medication_from_text("Prednisolone; 5 mg; daily", RULES).flags == ("corticosteroid",)
    assert medication_from_text("Apixaban; 5 mg; twice daily", RULES).flags == ("anticoagulant",)
    med = medication_from_text("Ciprofloxacin; 500 mg; bd", RULES)
    assert (med.dose, med.frequency, med.flags) == ("500 mg", "bd", ("fluoroquinolone",))


def test_bad_codes_and_parts_are_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="ICD-10-CM"):
        condition_from_text("Osteoporosis; 81.0", RULES)
    with pytest.raises(ValidationError, match="at most 2 parts"):
        allergy_from_text("Penicillin; rash; extra")
    with pytest.raises(ValidationError, match="unknown flag"):
        parse_background({"conditions": [{"text": "x", "flags": ["nonsense"]}]}, RULES)


def test_round_trip_through_json():
    background = Background((Condition("Osteoporosis", "M81.0", ("osteoporosis",)),),
                            (Medication("Warfarin", "3 mg", "daily", ("anticoagulant",)),),
                            (allergy_from_text("Penicillin; rash"),))
    assert parse_background(background.to_json(), RULES) == background


def test_answers_name_the_items_and_skip_flags_without_a_finding():
    background = Background((Condition("Osteoporosis", "M81.0", ("osteoporosis",)),),
                            (Medication("Prednisolone", flags=("corticosteroid",)),
                             Medication("Warfarin", flags=("anticoagulant",))))
    answers = background_answers(background, RULES)
    assert set(answers) == {"osteoporosis", "long_term_corticosteroids"}
    assert answers["long_term_corticosteroids"].because == ("Prednisolone",)


def test_the_visit_answer_overrides_the_background():
    background = Background((Condition("Osteoporosis", flags=("osteoporosis",)),
                             Condition("Lymphoma", flags=("cancer_history",))))
    intake = {"format": "ptassist-intake/1", "findings": {"osteoporosis": False}}
    merged = with_background(intake, background_answers(background, RULES))
    assert merged["findings"] == {"osteoporosis": False, "cancer_history": True}
    assert intake["findings"] == {"osteoporosis": False}  # the visit's own intake is not changed
