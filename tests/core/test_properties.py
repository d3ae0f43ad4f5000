"""Properties over random valid intakes (hypothesis)."""

from __future__ import annotations

import copy

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptassist.core.engine import default_engine
from ptassist.core.intake import DIRECTIONS, DISTAL_RESPONSES, LOCAL_RESPONSES, REFLEX_VALUES, SEXES, SIDES
from ptassist.core.ruleset import URGENCY_RANK
from tests.helpers import ASSESSMENT_SCHEMA, INTAKE_SCHEMA

ENGINE = default_engine()
VOCAB = ENGINE.vocabulary
BOOL_FINDINGS = sorted(f.id for f in VOCAB.findings.values() if f.type == "bool")
NUMBER_FINDINGS = {f.id: f for f in VOCAB.findings.values() if f.type == "number"}

# Findings whose presence signals danger: setting one to true must never lower the urgency.
# (Reassuring findings such as "night pain eased by position" or "can bear weight" are not here.)
DANGER_FINDINGS = sorted(
    {f.id for f in VOCAB.by_group("medical_screen")}
    | {
        "acute_knee_injury", "major_trauma", "minor_trauma", "weakness_progressing", "foot_slap_or_tripping",
        "night_pain", "pain_progressive", "constant_pain", "pain_at_rest", "fibular_head_tenderness",
        "patellar_tenderness_isolated", "hop_test_pain", "fulcrum_test", "spinal_percussion_tenderness",
        "morning_stiffness_over_30_min", "training_load_increase", "slr", "crossed_slr", "slump",
        "femoral_nerve_stretch", "knee_locked", "haemarthrosis",
    }
)

grades = st.one_of(st.integers(0, 5), st.sampled_from(["0+", "1-", "1", "2+", "3-", "3+", "4-", "4", "4+", "5-"]))


@st.composite
def intakes(draw):
    data = {"format": "ptassist-intake/1"}
    if draw(st.booleans()):
        data["age"] = draw(st.integers(0, 120) | st.floats(0, 120, allow_nan=False))
    if draw(st.booleans()):
        data["sex"] = draw(st.sampled_from(SEXES))
    if draw(st.booleans()):
        data["side"] = draw(st.sampled_from(SIDES))
    region = st.sampled_from(sorted(VOCAB.regions))
    side = st.sampled_from(SIDES)
    if draw(st.booleans()):
        marks = draw(st.lists(st.fixed_dictionaries(
            {"region": region, "kind": st.sampled_from(sorted(VOCAB.symptom_kinds))}, optional={"side": side}
        ), max_size=8))
        data["symptoms"] = marks
    if draw(st.booleans()):
        data["sensory_loss"] = draw(st.lists(st.fixed_dictionaries({"region": region}, optional={"side": side}), max_size=4))
    if draw(st.booleans()):
        data["strength"] = draw(st.dictionaries(st.sampled_from(sorted(VOCAB.strength)), grades, max_size=6))
    if draw(st.booleans()):
        data["reflexes"] = draw(st.dictionaries(st.sampled_from(sorted(VOCAB.reflexes)), st.sampled_from(REFLEX_VALUES)))
    if draw(st.booleans()):
        data["repeated_movements"] = draw(st.fixed_dictionaries({}, optional={
            "direction": st.sampled_from(DIRECTIONS),
            "distal_symptoms": st.sampled_from(DISTAL_RESPONSES),
            "local_signs": st.sampled_from(LOCAL_RESPONSES),
        }))
    findings = draw(st.dictionaries(st.sampled_from(BOOL_FINDINGS), st.booleans(), max_size=25))
    for fid, finding in NUMBER_FINDINGS.items():
        if draw(st.booleans()):
            findings[fid] = draw(st.floats(finding.minimum, finding.maximum, allow_nan=False))
    data["findings"] = findings
    return data


PROPERTY_SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(intakes())
def test_never_crashes_and_always_validates(data):
    jsonschema.validate(data, INTAKE_SCHEMA)  # the generator itself makes only valid intakes
    result = ENGINE.assess_json(data).to_json()
    jsonschema.validate(result, ASSESSMENT_SCHEMA)
    assert result["ruleset"]["version"] == ENGINE.ruleset.version


@PROPERTY_SETTINGS
@given(intakes())
def test_urgency_is_the_highest_fired_flag(data):
    result = ENGINE.assess_json(data)
    expected = max((f.urgency for f in result.red_flags), key=URGENCY_RANK.__getitem__, default="none")
    assert result.urgency == expected


@PROPERTY_SETTINGS
@given(intakes(), st.sampled_from(DANGER_FINDINGS))
def test_adding_a_red_flag_finding_never_lowers_the_urgency(data, finding):
    before = ENGINE.assess_json(data).urgency
    changed = copy.deepcopy(data)
    changed["findings"][finding] = True
    after = ENGINE.assess_json(changed).urgency
    assert URGENCY_RANK[after] >= URGENCY_RANK[before]


@PROPERTY_SETTINGS
@given(intakes())
def test_working_diagnosis_is_exactly_the_favoured_conditions(data):
    result = ENGINE.assess_json(data)
    favoured = {c.id for c in result.conditions if c.verdict == "favoured"}
    assert set(result.working_diagnosis) == favoured
    assert len(result.working_diagnosis) <= 2


@PROPERTY_SETTINGS
@given(intakes(), st.sampled_from(BOOL_FINDINGS))
def test_false_and_absent_differ_an_asked_item_is_never_suggested_again(data, finding):
    absent = copy.deepcopy(data)
    absent["findings"].pop(finding, None)
    negative = copy.deepcopy(data)
    negative["findings"][finding] = False
    suggested = [s.finding for s in ENGINE.assess_json(negative).assess_next]
    assert finding not in suggested
    # ... and an absent finding is never evidence, nor a reason for a red flag.
    result = ENGINE.assess_json(absent)
    for condition in result.conditions:
        for item in condition.evidence:
            assert finding not in item.because
    for flag in result.red_flags:
        assert finding not in flag.because


@PROPERTY_SETTINGS
@given(intakes(), st.sampled_from(["slr", "crossed_slr", "slump", "pelvic_compression_test", "mcmurray_test"]))
def test_a_negative_test_with_published_accuracy_weighs_against_and_an_absent_one_does_not(data, test_id):
    absent = copy.deepcopy(data)
    absent["findings"].pop(test_id, None)
    negative = copy.deepcopy(data)
    negative["findings"][test_id] = False

    def against(result):
        return [e for c in result.conditions for e in c.evidence if e.finding == test_id and e.direction == "against"]

    assert against(ENGINE.assess_json(negative))
    assert not against(ENGINE.assess_json(absent))


@settings(max_examples=150, deadline=None)
@given(intakes(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_ottawa_flexion_criterion_false_fires_while_absent_does_not(data, fib, pat, wb_then, wb_now):
    data = copy.deepcopy(data)
    data["age"] = 30
    data["findings"].update(
        acute_knee_injury=True,
        fibular_head_tenderness=fib,
        patellar_tenderness_isolated=pat,
        weight_bearing_4_steps_immediately=wb_then,
        weight_bearing_4_steps_now=wb_now,
    )
    other_criteria = fib or pat or (not wb_then and not wb_now)
    data["findings"]["knee_flexion_90_possible"] = False
    assert "ottawa_knee_rule" in {f.id for f in ENGINE.assess_json(data).red_flags}
    data["findings"].pop("knee_flexion_90_possible")
    fired = "ottawa_knee_rule" in {f.id for f in ENGINE.assess_json(data).red_flags}
    assert fired == other_criteria


# An objective root deficit that no peripheral nerve explains: a weak muscle outside the common
# fibular nerve with sensory loss in the same root's skin.
ROOT_DEFICITS = {
    "L4": ({"knee_extension": "4"}, "medial_leg"),
    "L5": ({"ankle_inversion": "4", "hip_abduction": "4"}, "lateral_leg"),
    "S1": ({"plantarflexion": "4-"}, "sole"),
}
SCREEN_KEYS = sorted({key for group in ENGINE.ruleset.screen for item in group.items for key in item.keys})
SCREEN_BOOLS = [key for key in SCREEN_KEYS if key in BOOL_FINDINGS]


@PROPERTY_SETTINGS
@given(intakes(), st.sampled_from(sorted(ROOT_DEFICITS)))
def test_adding_an_objective_root_deficit_never_removes_lumbar_radicular(data, root):
    muscles, region = ROOT_DEFICITS[root]
    changed = copy.deepcopy(data)
    changed["strength"] = {**changed.get("strength", {}), **muscles}
    changed["sensory_loss"] = [*changed.get("sensory_loss", []), {"region": region}]
    result = ENGINE.assess_json(changed)
    assert "lumbar_radicular" in result.working_diagnosis
    assert len(result.working_diagnosis) <= 2


@PROPERTY_SETTINGS
@given(intakes(), st.sampled_from(SCREEN_BOOLS), st.booleans())
def test_answering_a_screening_question_never_makes_the_screen_less_complete(data, key, answer):
    before = ENGINE.assess_json(data).screen
    changed = copy.deepcopy(data)
    changed["findings"][key] = answer
    after = ENGINE.assess_json(changed).screen
    assert set(after.not_asked) <= set(before.not_asked)
    assert key not in after.not_asked
    assert after.complete or not before.complete


@PROPERTY_SETTINGS
@given(intakes())
def test_an_intake_without_screening_answers_is_never_complete(data):
    bare = copy.deepcopy(data)
    for key in SCREEN_KEYS:  # findings, and the top-level items "age" and "symptoms" (the body chart)
        bare["findings"].pop(key, None)
        bare.pop(key, None)
    screen = ENGINE.assess_json(bare).screen
    assert not screen.complete
    assert set(screen.not_asked) >= {item.key for group in ENGINE.ruleset.screen for item in group.items}
