"""Every red flag: when it must fire, when it must not, and the urgency it sets."""

from __future__ import annotations

import pytest

from tests.helpers import assess, flag_ids, intake, suspects, sym

RUNNER_KNEE = [sym("lateral_knee")]


# ----------------------------------------------------------------------------- cauda equina
@pytest.mark.parametrize("finding", ["saddle_sensory_change", "bladder_dysfunction", "bowel_dysfunction", "sexual_dysfunction_new"])
def test_each_cauda_equina_symptom_is_an_emergency_on_its_own(finding):
    result = assess(intake(age=44, side="left", symptoms=[sym("low_back"), sym("lateral_leg")], findings={finding: True}))
    assert result.urgency == "emergency"
    flag = next(f for f in result.red_flags if f.suspects == "cauda_equina")
    assert finding in flag.because
    assert "MRI" in flag.action and "emergency" in flag.action.lower()


def test_cauda_equina_screen_negative_fires_nothing():
    result = assess(
        intake(
            age=44,
            side="left",
            symptoms=[sym("low_back"), sym("lateral_leg")],
            findings={"saddle_sensory_change": False, "bladder_dysfunction": False, "bowel_dysfunction": False},
        )
    )
    assert "cauda_equina" not in suspects(result)
    assert result.urgency == "none"


def test_a_reason_offered_for_bladder_change_does_not_suppress_the_flag():
    # The patient attributes the poor stream to an enlarged prostate: the flag still fires.
    result = assess(
        intake(age=67, sex="male", side="right", symptoms=[sym("low_back"), sym("posterior_calf")],
               findings={"bladder_dysfunction": True, "minor_trauma": False})
    )
    assert "ces_sphincter_saddle" in flag_ids(result)


def test_bilateral_leg_paraesthesia_is_suspected_cauda_equina():
    result = assess(
        intake(age=38, side="left", symptoms=[sym("low_back"), sym("lateral_leg", "paraesthesia"),
                                               sym("lateral_leg", "paraesthesia", side="right")])
    )
    assert "ces_bilateral_radicular" in flag_ids(result)
    assert result.urgency == "emergency"


def test_bilateral_sensory_loss_counts_as_bilateral():
    result = assess(intake(age=50, side="bilateral", symptoms=[sym("low_back")], sensory_loss=[{"region": "sole"}]))
    assert "ces_bilateral_radicular" in flag_ids(result)


def test_bilateral_lateral_knee_pain_alone_is_not_radicular():
    # Two ITB syndromes in a runner: pain at both knees is not bilateral radicular pain.
    result = assess(intake(age=29, side="bilateral", symptoms=[sym("lateral_knee")], findings={"noble_test": True}))
    assert "cauda_equina" not in suspects(result)


def test_bilateral_pain_below_the_knee_needs_a_spinal_source_to_count():
    without_back = assess(intake(age=35, side="bilateral", symptoms=[sym("lateral_leg")]))
    with_back = assess(intake(age=35, side="bilateral", symptoms=[sym("lateral_leg"), sym("low_back")]))
    assert "cauda_equina" not in suspects(without_back)
    assert "ces_bilateral_radicular" in flag_ids(with_back)


# ----------------------------------------------------------------------------- malignancy
def test_cancer_history_with_neurological_signs_is_an_emergency():
    result = assess(
        intake(age=62, side="right", symptoms=[sym("low_back"), sym("lateral_leg", "numbness")],
               strength={"ehl": 4}, findings={"cancer_history": True})
    )
    flag = next(f for f in result.red_flags if f.suspects == "spinal_malignancy")
    assert flag.id == "cancer_with_neurology"
    assert result.urgency == "emergency"
    assert "cancer_history" in flag.because


def test_cancer_history_with_spinal_pain_is_urgent_and_without_neurology_not_an_emergency():
    result = assess(
        intake(age=58, side="right", symptoms=[sym("low_back"), sym("lateral_thigh")],
               sensory_loss=[], strength={"ehl": 5, "ankle_dorsiflexion": 5}, reflexes={"achilles": "normal"},
               findings={"cancer_history": True, "slr": False})
    )
    assert flag_ids(result) & {"cancer_with_spinal_pain"}
    assert result.urgency == "urgent"


def test_cancer_history_alone_is_routine_and_only_the_most_urgent_malignancy_flag_is_shown():
    knee_only = assess(intake(age=47, side="left", symptoms=RUNNER_KNEE, findings={"cancer_history": True}))
    assert flag_ids(knee_only) == {"cancer_history_monitor"}
    assert knee_only.urgency == "routine"
    with_back = assess(intake(age=47, side="left", symptoms=[*RUNNER_KNEE, sym("low_back")], findings={"cancer_history": True}))
    assert "cancer_history_monitor" not in flag_ids(with_back)


def test_non_positional_night_pain_counts_towards_malignancy_but_positional_night_pain_does_not():
    base = {"unexplained_weight_loss": False, "pain_progressive": True, "night_pain": True}
    positional = assess(intake(age=56, side="left", symptoms=RUNNER_KNEE,
                               findings={**base, "night_pain_eased_by_position": True}))
    non_positional = assess(intake(age=56, side="left", symptoms=RUNNER_KNEE,
                                   findings={**base, "night_pain_eased_by_position": False}))
    # age > 50 + failure to improve = 2 features either way (routine); non-positional night pain is a third.
    assert "malignancy_features" in flag_ids(positional)
    assert positional.urgency == "routine"
    assert "malignancy_features_several" in flag_ids(non_positional)
    assert non_positional.urgency == "urgent"


def test_night_pain_without_its_character_asks_for_it_and_does_not_count():
    result = assess(intake(age=40, side="left", symptoms=RUNNER_KNEE, findings={"night_pain": True, "pain_progressive": True}))
    assert "spinal_malignancy" not in suspects(result)
    assert "night_pain_eased_by_position" in [s.finding for s in result.assess_next]


def test_unexplained_weight_loss_fires_even_when_a_known_cause_of_weight_loss_is_also_recorded():
    result = assess(intake(age=35, side="left", symptoms=RUNNER_KNEE,
                           findings={"unexplained_weight_loss": True, "recent_major_weight_loss": True}))
    assert "malignancy_features" in flag_ids(result)


def test_age_over_50_alone_is_not_a_red_flag():
    result = assess(intake(age=61, side="left", symptoms=RUNNER_KNEE, findings={"cancer_history": False}))
    assert result.red_flags == ()
    assert result.urgency == "none"


# ----------------------------------------------------------------------------- infection
def test_back_pain_with_fever_is_possible_spinal_infection():
    result = assess(intake(age=52, side="right", symptoms=[sym("low_back"), sym("lateral_thigh")],
                           findings={"fever": True, "iv_drug_use": True}))
    assert "spinal_infection" in flag_ids(result)
    assert result.urgency == "emergency"


def test_measured_temperature_counts_as_fever():
    result = assess(intake(age=52, side="right", symptoms=[sym("low_back")], findings={"temperature_celsius": 38.4}))
    assert "spinal_infection" in flag_ids(result)
    afebrile = assess(intake(age=52, side="right", symptoms=[sym("low_back")],
                             findings={"temperature_celsius": 37.1, "fever": False}))
    assert "spinal_infection" not in flag_ids(afebrile)


def test_risk_factor_with_constant_pain_and_sweats_fires_without_fever():
    result = assess(intake(age=45, side="left", symptoms=[sym("low_back")],
                           findings={"fever": False, "recent_spinal_procedure": True, "constant_pain": True}))
    assert "spinal_infection" in flag_ids(result)


def test_fever_without_spinal_pain_is_not_spinal_infection():
    result = assess(intake(age=30, side="left", symptoms=RUNNER_KNEE, findings={"fever": True}))
    assert "spinal_infection" not in flag_ids(result)


# ----------------------------------------------------------------------------- fracture
def test_major_trauma_with_back_pain_is_an_emergency():
    result = assess(intake(age=33, side="left", symptoms=[sym("low_back")], findings={"major_trauma": True}))
    assert "spinal_fracture_major_trauma" in flag_ids(result)
    assert result.urgency == "emergency"


def test_minor_trauma_with_osteoporosis_is_urgent_and_with_neurology_an_emergency():
    urgent = assess(intake(age=74, side="left", symptoms=[sym("low_back")],
                           findings={"minor_trauma": True, "osteoporosis": True}))
    assert flag_ids(urgent) >= {"spinal_fracture_fragility"}
    assert urgent.urgency == "urgent"
    emergency = assess(intake(age=74, side="left", symptoms=[sym("low_back"), sym("lateral_leg", "numbness")],
                              findings={"minor_trauma": True, "long_term_corticosteroids": True}))
    assert "spinal_fracture_fragility_neuro" in flag_ids(emergency)
    assert "spinal_fracture_fragility" not in flag_ids(emergency)


# ----------------------------------------------------------------------------- Ottawa Knee Rules
OTTAWA_NEGATIVE = {
    "acute_knee_injury": True,
    "fibular_head_tenderness": False,
    "patellar_tenderness_isolated": False,
    "knee_flexion_90_possible": True,
    "weight_bearing_4_steps_immediately": True,
    "weight_bearing_4_steps_now": True,
}


def test_ottawa_negative_injury_needs_no_radiograph():
    result = assess(intake(age=30, side="right", symptoms=RUNNER_KNEE, findings=OTTAWA_NEGATIVE))
    assert "knee_fracture" not in suspects(result)


@pytest.mark.parametrize(
    ("age", "change"),
    [
        (55, {}),
        (30, {"fibular_head_tenderness": True}),
        (30, {"patellar_tenderness_isolated": True}),
        (30, {"knee_flexion_90_possible": False}),
        (30, {"weight_bearing_4_steps_immediately": False, "weight_bearing_4_steps_now": False}),
    ],
)
def test_each_ottawa_criterion_alone_is_enough(age, change):
    result = assess(intake(age=age, side="right", symptoms=RUNNER_KNEE, findings={**OTTAWA_NEGATIVE, **change}))
    assert "ottawa_knee_rule" in flag_ids(result)
    assert result.urgency == "emergency"


def test_ottawa_age_54_is_not_a_criterion():
    result = assess(intake(age=54, side="right", symptoms=RUNNER_KNEE, findings=OTTAWA_NEGATIVE))
    assert "ottawa_knee_rule" not in flag_ids(result)


@pytest.mark.parametrize(
    "change",
    [
        {"weight_bearing_4_steps_immediately": False},  # could not bear weight then, but can now
        {"weight_bearing_4_steps_now": False},  # could then, cannot now
    ],
)
def test_inability_to_bear_weight_must_be_both_immediately_and_now(change):
    result = assess(intake(age=30, side="right", symptoms=RUNNER_KNEE, findings={**OTTAWA_NEGATIVE, **change}))
    assert "ottawa_knee_rule" not in flag_ids(result)


def test_ottawa_rules_apply_only_after_an_acute_injury():
    no_injury = {**OTTAWA_NEGATIVE, "acute_knee_injury": False, "fibular_head_tenderness": True}
    assert "ottawa_knee_rule" not in flag_ids(assess(intake(age=60, side="right", symptoms=RUNNER_KNEE, findings=no_injury)))


def test_ottawa_asks_for_its_missing_criteria():
    result = assess(intake(age=30, side="right", symptoms=RUNNER_KNEE, findings={"acute_knee_injury": True}))
    asked = [s.finding for s in result.assess_next]
    assert asked[:5] == [
        "fibular_head_tenderness",
        "patellar_tenderness_isolated",
        "knee_flexion_90_possible",
        "weight_bearing_4_steps_immediately",
        "weight_bearing_4_steps_now",
    ]


# ----------------------------------------------------------------------------- motor loss
def test_severe_root_weakness_is_an_emergency():
    result = assess(intake(age=48, side="left", symptoms=[sym("low_back"), sym("lateral_leg")],
                           strength={"ehl": 2, "ankle_dorsiflexion": 3, "ankle_inversion": 3, "hip_abduction": 4}))
    assert "severe_root_motor_loss" in flag_ids(result)
    assert result.urgency == "emergency"


def test_mild_stable_single_root_weakness_is_not_a_red_flag():
    result = assess(intake(age=48, side="left", symptoms=[sym("low_back"), sym("lateral_leg")],
                           strength={"ehl": "4-", "ankle_inversion": 5}, findings={"weakness_progressing": False}))
    assert result.red_flags == ()


def test_progressive_weakness_is_an_emergency_even_when_mild():
    result = assess(intake(age=48, side="left", symptoms=[sym("low_back"), sym("lateral_leg")],
                           strength={"ehl": "4+"}, findings={"weakness_progressing": True}))
    assert "severe_root_motor_loss" in flag_ids(result)


def test_severe_foot_drop_with_inversion_and_hip_abduction_spared_is_a_peripheral_nerve_lesion():
    result = assess(intake(age=41, side="right", symptoms=[sym("dorsum_foot", "numbness")],
                           sensory_loss=[{"region": "dorsum_foot"}],
                           strength={"ankle_dorsiflexion": 2, "ehl": 2, "ankle_eversion": 3, "ankle_inversion": 5,
                                     "hip_abduction": 5},
                           reflexes={"achilles": "normal", "patellar": "normal"},
                           findings={"habitual_leg_crossing_or_squatting": True}))
    assert flag_ids(result) == {"peripheral_nerve_motor_loss"}
    assert result.urgency == "urgent"
    assert result.peripheral_nerve == "common_fibular"


def test_severe_foot_drop_with_inversion_untested_is_treated_as_a_root_until_shown_otherwise():
    result = assess(intake(age=41, side="right", strength={"ankle_dorsiflexion": 2, "ehl": 2}))
    assert "severe_root_motor_loss" in flag_ids(result)
    assert {"strength.ankle_inversion", "strength.hip_abduction"} <= {s.finding for s in result.assess_next}


# ----------------------------------------------------------------------------- knee, leg and other flags
def test_bone_stress_injury_in_a_runner():
    result = assess(intake(age=24, sex="female", side="left", symptoms=[sym("anterior_thigh"), sym("lateral_thigh")],
                           findings={"hop_test_pain": True, "night_pain": True, "training_load_increase": True,
                                     "low_energy_availability_risk": True}))
    assert "bone_stress_injury" in flag_ids(result)
    assert result.urgency == "urgent"


def test_a_painful_hop_alone_is_not_a_bone_stress_flag():
    result = assess(intake(age=24, side="left", symptoms=RUNNER_KNEE,
                           findings={"hop_test_pain": True, "pain_at_rest": False, "night_pain": False}))
    assert "bone_stress_injury" not in flag_ids(result)


@pytest.mark.parametrize(
    ("finding", "flag", "urgency"),
    [
        ("hot_swollen_joint", "septic_arthritis", "emergency"),
        ("calf_swelling_unilateral", "dvt", "emergency"),
        ("pain_out_of_proportion_tense_compartment", "compartment_syndrome", "emergency"),
        ("exertional_calf_pain_relieved_by_rest", "claudication", "routine"),
        ("inflammatory_back_pain_features", "inflammatory_back_pain", "routine"),
    ],
)
def test_single_finding_flags(finding, flag, urgency):
    result = assess(intake(age=45, side="left", symptoms=RUNNER_KNEE, findings={finding: True}))
    assert flag in flag_ids(result)
    assert result.urgency == urgency
    negative = assess(intake(age=45, side="left", symptoms=RUNNER_KNEE, findings={finding: False}))
    assert flag not in flag_ids(negative)


def test_morning_stiffness_counts_as_inflammatory_only_with_spinal_pain():
    knee = assess(intake(age=30, side="left", symptoms=RUNNER_KNEE, findings={"morning_stiffness_over_30_min": True}))
    back = assess(intake(age=30, side="left", symptoms=[sym("low_back")], findings={"morning_stiffness_over_30_min": True}))
    assert "inflammatory_back_pain" not in flag_ids(knee)
    assert "inflammatory_back_pain" in flag_ids(back)


# ----------------------------------------------------------------------------- overall urgency
def test_overall_urgency_is_the_highest_fired_and_flags_are_listed_most_urgent_first():
    result = assess(intake(age=70, side="left", symptoms=[sym("low_back")],
                           findings={"exertional_calf_pain_relieved_by_rest": True, "minor_trauma": True,
                                     "osteoporosis": True, "calf_swelling_unilateral": True}))
    assert [f.urgency for f in result.red_flags] == ["emergency", "urgent", "routine"]
    assert result.urgency == "emergency"
