"""Intake validation: every bad input gets a message naming the key; not assessed stays not assessed."""

from __future__ import annotations

import pytest

from ptassist.core.errors import IntakeError
from ptassist.core.intake import decode_json, parse_intake
from ptassist.core.vocabulary import load_vocabulary
from tests.helpers import intake, sym

VOCAB = load_vocabulary()


def error_for(data) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        parse_intake(data, VOCAB)
    return caught.value


def test_the_example_of_the_issue_parses():
    parsed = parse_intake(
        intake(age=45, sex="female", side="left",
               symptoms=[sym("lateral_knee"), sym("posterior_calf", "paraesthesia", "right")],
               sensory_loss=[{"region": "lateral_leg"}],
               strength={"ehl": 4, "hip_abduction": "4+", "ankle_inversion": 5},
               reflexes={"patellar": "normal", "achilles": "reduced"},
               repeated_movements={"direction": "extension", "distal_symptoms": "abolished", "local_signs": "unchanged"},
               findings={"noble_test": True, "slr": False}),
        VOCAB,
    )
    assert parsed.strength["hip_abduction"].value > parsed.strength["ehl"].value
    assert parsed.symptoms is not None and parsed.symptoms[1].side == "right"
    assert parsed.findings == {"noble_test": True, "slr": False}


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        (intake(findings={"noble_tset": True}), "findings.noble_tset", "did you mean: noble_test"),
        (intake(findings={"noble_test": "yes"}), "findings.noble_test", "true or false"),
        (intake(findings={"noble_test": 1}), "findings.noble_test", "true or false"),
        (intake(findings={"temperature_celsius": 99}), "findings.temperature_celsius", "from 30 to 45"),
        (intake(findings={"temperature_celsius": True}), "findings.temperature_celsius", "a number"),
        (intake(age=-1), "age", "from 0 to 120"),
        (intake(age=121), "age", "from 0 to 120"),
        (intake(age=1e308), "age", "from 0 to 120"),
        (intake(age=10**40), "age", "from 0 to 120"),
        (intake(age="45"), "age", "must be a number"),
        (intake(age=True), "age", "must be a number"),
        (intake(sex="f"), "sex", "expected one of"),
        (intake(side="lft"), "side", "did you mean: left"),
        (intake(strength={"ehl": 6}), "strength.ehl", "from 0 to 5"),
        (intake(strength={"ehl": -1}), "strength.ehl", "from 0 to 5"),
        (intake(strength={"ehl": "5+"}), "strength.ehl", "not an MRC grade"),
        (intake(strength={"ehl": 4.5}), "strength.ehl", "whole MRC grade"),
        (intake(strength={"hip_abdution": 4}), "strength.hip_abdution", "did you mean: hip_abduction"),
        (intake(reflexes={"achilles": "diminished"}), "reflexes.achilles", "expected one of"),
        (intake(reflexes={"knee": "normal"}), "reflexes.knee", "unknown reflex"),
        (intake(symptoms=[{"region": "lateral_kne", "kind": "pain"}]), "symptoms[0].region", "did you mean: lateral_knee"),
        (intake(symptoms=[{"region": "lateral_knee", "kind": "ache"}]), "symptoms[0].kind", "expected one of"),
        (intake(symptoms=[{"region": "lateral_knee"}]), "symptoms[0]", "needs 'region' and 'kind'"),
        (intake(symptoms=[{"region": "lateral_knee", "kind": "pain", "colour": "red"}]), "symptoms[0].colour", "unknown key"),
        (intake(symptoms={"region": "lateral_knee"}), "symptoms", "must be a list"),
        (intake(symptoms=[sym("lateral_knee")] * 201), "symptoms", "at most 200"),
        (intake(sensory_loss=[{"region": "foot"}]), "sensory_loss[0].region", "unknown value"),
        (intake(repeated_movements={"direction": "rotation"}), "repeated_movements.direction", "expected one of"),
        (intake(repeated_movements={"distal": "abolished"}), "repeated_movements.distal", "did you mean: distal_symptoms"),
        (intake(findngs={}), "findngs", "did you mean: findings"),
        ({"format": "ptassist-intake/2"}, "format", "unsupported format"),
        ({"format": 1}, "format", "unsupported format"),
        ({}, "format", "missing"),
    ],
)
def test_bad_input_names_the_key_and_the_problem(data, key, words):
    error = error_for(data)
    assert error.key == key
    assert words in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("value", [[], "text", 3, None, True])
def test_an_intake_must_be_an_object(value):
    assert "must be a JSON object" in str(error_for(value))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("{", "not valid JSON"),
        ("{'a': 1}", "not valid JSON"),
        ('{"age": NaN}', "not valid JSON"),
        ('{"age": Infinity}', "not valid JSON"),
        ('{"age": ' + "9" * 5000 + "}", "not valid JSON"),
        ("[" * 100000 + "]" * 100000, "not valid JSON"),
    ],
)
def test_undecodable_input_is_a_clear_error(text, words):
    with pytest.raises(IntakeError) as caught:
        decode_json(text)
    assert words in str(caught.value)


def test_grades_with_plus_and_minus_order_correctly():
    parsed = parse_intake(intake(strength={"ehl": "4-", "hip_abduction": "4", "ankle_inversion": "4+", "plantarflexion": "5-"}), VOCAB)
    grades = parsed.strength
    assert grades["ehl"].value < grades["hip_abduction"].value < grades["ankle_inversion"].value
    assert grades["plantarflexion"].weak


def test_absent_and_empty_are_different():
    absent = parse_intake(intake(), VOCAB)
    empty = parse_intake(intake(symptoms=[], sensory_loss=[], findings={}), VOCAB)
    assert absent.symptoms is None and absent.sensory_loss is None
    assert empty.symptoms == () and empty.sensory_loss == ()
    assert not absent.is_assessed("sensory_loss") and empty.is_assessed("sensory_loss")


def test_is_assessed_reads_every_kind_of_key():
    parsed = parse_intake(
        intake(age=40, strength={"ehl": 5}, reflexes={"achilles": "normal"}, findings={"slr": False},
               repeated_movements={"direction": "none_tested"}),
        VOCAB,
    )
    assert parsed.is_assessed("age") and parsed.is_assessed("slr") and parsed.is_assessed("strength.ehl")
    assert parsed.is_assessed("reflexes.achilles") and not parsed.is_assessed("reflexes.patellar")
    assert not parsed.is_assessed("repeated_movements")  # "none_tested" is not a test
    assert not parsed.is_assessed("noble_test")
