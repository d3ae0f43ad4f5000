"""Every condition of the differential, the ITBS-versus-spine discriminators, and root levels."""

from __future__ import annotations

import math

import pytest

from tests.helpers import assess, intake, sym, verdict

NORMAL_NEURO = {
    "sensory_loss": [],
    "strength": {"ehl": 5, "ankle_dorsiflexion": 5, "ankle_inversion": 5, "hip_abduction": 5, "plantarflexion": 5},
    "reflexes": {"patellar": "normal", "achilles": "normal"},
}


def classic_itbs(**extra_findings):
    return intake(
        age=31, sex="female", side="right",
        symptoms=[sym("lateral_knee"), sym("lateral_thigh")],
        **NORMAL_NEURO,
        findings={
            "lateral_epicondyle_tenderness": True, "noble_test": True, "pain_at_predictable_point_in_activity": True,
            "training_load_increase": True, "worse_downhill": True, "slr": False, "slump": False,
            **extra_findings,
        },
    )


# ----------------------------------------------------------------------------- ITBS and the spine
def test_classic_itbs_in_a_runner():
    result = assess(classic_itbs())
    assert result.working_diagnosis == ("itbs",)
    assert verdict(result, "lumbar_radicular") == "unlikely"
    assert result.condition("itbs").icd10 == ("M76.31",)
    assert result.urgency == "none"
    assert result.root_level is None


def test_no_single_finding_makes_a_diagnosis():
    for finding in ("noble_test", "lateral_epicondyle_tenderness", "renne_test", "crossed_slr", "slr", "slump"):
        result = assess(intake(side="left", findings={finding: True}))
        assert result.working_diagnosis == (), finding


def test_itbs_findings_without_validated_accuracy_say_so():
    result = assess(classic_itbs())
    noble = next(e for e in result.condition("itbs").evidence if e.finding == "noble_test")
    assert noble.basis == "pattern"
    assert "no validated accuracy" in noble.note.lower()
    assert noble.source == "Noble-Physiopedia"


def test_positive_noble_test_but_symptoms_abolish_with_repeated_extension_points_to_the_spine():
    data = intake(
        age=42, sex="male", side="left",
        symptoms=[sym("lateral_knee"), sym("lateral_thigh"), sym("buttock")],
        findings={"noble_test": True, "low_back_pain_history": True},
        repeated_movements={"direction": "extension", "distal_symptoms": "abolished", "local_signs": "abolished"},
    )
    result = assess(data)
    assert result.working_diagnosis == ("lumbar_radicular",)
    assert verdict(result, "itbs") == "unlikely"
    against = [e for e in result.condition("itbs").evidence if e.direction == "against"]
    assert any(e.finding == "repeated_movements" for e in against)


def test_mixed_picture_gives_two_working_diagnoses():
    data = intake(
        age=42, side="left",
        symptoms=[sym("lateral_knee"), sym("lateral_leg", "paraesthesia"), sym("low_back")],
        findings={"noble_test": True, "lateral_epicondyle_tenderness": True},
        repeated_movements={"direction": "extension", "distal_symptoms": "centralised", "local_signs": "unchanged"},
    )
    result = assess(data)
    assert set(result.working_diagnosis) == {"lumbar_radicular", "itbs"}
    assert result.mixed_note and "EXPOSS" in result.mixed_note


def test_local_signs_unchanged_after_spinal_loading_support_itbs():
    without = assess(classic_itbs())
    with_rm = assess(
        intake(**{**classic_itbs(), "repeated_movements": {"direction": "extension", "distal_symptoms": "not_applicable",
                                                            "local_signs": "unchanged"}})
    )
    assert with_rm.condition("itbs").score > without.condition("itbs").score


def test_hip_abduction_weakness_counts_for_itbs_only_when_l5_muscles_are_normal():
    untested = assess(intake(side="right", symptoms=[sym("lateral_knee")], strength={"hip_abduction": 4}))
    assert not any(e.finding == "strength.hip_abduction" and e.direction == "for"
                   for e in untested.condition("itbs").evidence)
    assert {"strength.ehl", "strength.ankle_inversion"} <= {s.finding for s in untested.assess_next}
    tested = assess(intake(side="right", symptoms=[sym("lateral_knee")],
                           strength={"hip_abduction": 4, "ehl": 5, "ankle_dorsiflexion": 5, "ankle_inversion": 5}))
    assert any(e.finding == "strength.hip_abduction" and e.direction == "for"
               for e in tested.condition("itbs").evidence)


def test_lumbar_radicular_l5_with_consistent_signs():
    data = intake(
        age=45, side="left",
        symptoms=[sym("low_back"), sym("buttock"), sym("lateral_thigh"), sym("lateral_leg", "paraesthesia"),
                  sym("dorsum_foot", "numbness")],
        sensory_loss=[{"region": "lateral_leg"}, {"region": "dorsum_foot"}],
        strength={"ehl": 4, "ankle_dorsiflexion": "4+", "ankle_inversion": "4+", "hip_abduction": "4+", "plantarflexion": 5},
        reflexes={"patellar": "normal", "achilles": "normal"},
        findings={"slr": True, "leg_pain_worse_cough_sneeze": True},
    )
    result = assess(data)
    assert result.working_diagnosis == ("lumbar_radicular",)
    assert result.root_level == "L5"
    assert verdict(result, "fibular_neuropathy") == "unlikely"
    assert result.red_flags == ()


def test_s1_root():
    data = intake(
        age=39, side="right",
        symptoms=[sym("low_back"), sym("buttock"), sym("posterior_thigh"), sym("posterior_calf"), sym("sole", "paraesthesia")],
        sensory_loss=[{"region": "lateral_foot"}],
        strength={"plantarflexion": "4", "ehl": 5, "ankle_dorsiflexion": 5},
        reflexes={"achilles": "reduced", "patellar": "normal"},
        findings={"slr": True, "crossed_slr": False},
    )
    result = assess(data)
    assert result.root_level == "S1"
    assert result.working_diagnosis == ("lumbar_radicular",)


def test_l4_root_with_anterolateral_thigh_pain():
    data = intake(
        age=55, side="left",
        symptoms=[sym("low_back"), sym("anterolateral_thigh"), sym("anterior_knee"), sym("medial_leg", "paraesthesia")],
        sensory_loss=[{"region": "medial_leg"}],
        strength={"knee_extension": 4, "ehl": 5},
        reflexes={"patellar": "reduced", "achilles": "normal"},
        findings={"femoral_nerve_stretch": True},
    )
    result = assess(data)
    assert result.root_level == "L4"
    assert "lumbar_radicular" in result.working_diagnosis


def test_l3_root():
    data = intake(
        age=60, side="right",
        symptoms=[sym("low_back"), sym("anterior_thigh", "paraesthesia")],
        sensory_loss=[{"region": "anterior_thigh"}],
        strength={"knee_extension": 4, "hip_flexion": 4},
        reflexes={"patellar": "reduced"},
        findings={"femoral_nerve_stretch": True},
    )
    assert assess(data).root_level == "L3"


def test_signs_of_two_roots_give_no_single_root_level():
    data = intake(side="left", symptoms=[sym("low_back"), sym("lateral_leg", "paraesthesia")],
                  sensory_loss=[{"region": "lateral_leg"}], strength={"ehl": 4}, reflexes={"achilles": "absent"})
    result = assess(data)
    assert result.root_level is None
    assert "lumbar_radicular" in result.working_diagnosis


def test_fibular_neuropathy_is_separated_from_l5_by_inversion_and_hip_abduction():
    common = {
        "age": 36, "side": "right",
        "symptoms": [sym("lateral_leg", "numbness"), sym("dorsum_foot", "paraesthesia")],
        "sensory_loss": [{"region": "lateral_leg"}, {"region": "dorsum_foot"}],
        "reflexes": {"patellar": "normal", "achilles": "normal"},
        "findings": {"foot_slap_or_tripping": True, "habitual_leg_crossing_or_squatting": True,
                     "tinel_fibular_head": True},
    }
    fibular = assess(intake(**common, strength={"ankle_dorsiflexion": 4, "ehl": 4, "ankle_eversion": 4,
                                                "ankle_inversion": 5, "hip_abduction": 5}))
    assert fibular.working_diagnosis == ("fibular_neuropathy",)
    assert fibular.peripheral_nerve == "common_fibular"
    assert fibular.root_level is None
    l5 = assess(intake(**common, strength={"ankle_dorsiflexion": 4, "ehl": 4, "ankle_eversion": 4,
                                           "ankle_inversion": 4, "hip_abduction": 4}))
    assert l5.root_level == "L5"
    assert "lumbar_radicular" in l5.working_diagnosis
    assert verdict(l5, "fibular_neuropathy") != "favoured"


def test_meralgia_paresthetica():
    data = intake(
        age=44, sex="male", side="left",
        symptoms=[sym("anterolateral_thigh", "paraesthesia"), sym("lateral_thigh", "numbness")],
        sensory_loss=[{"region": "anterolateral_thigh"}],
        strength={"hip_flexion": 5, "knee_extension": 5, "hip_abduction": 5},
        reflexes={"patellar": "normal", "achilles": "normal"},
        findings={"pelvic_compression_test": True, "tight_belt_or_clothing": True, "worse_standing": True},
    )
    result = assess(data)
    assert result.working_diagnosis == ("meralgia_paresthetica",)
    assert result.peripheral_nerve == "lateral_femoral_cutaneous"
    assert result.condition("meralgia_paresthetica").icd10 == ("G57.12",)
    compression = next(e for e in result.condition("meralgia_paresthetica").evidence if e.finding == "pelvic_compression_test")
    assert compression.basis == "lr" and "LR+" in compression.note


def test_thigh_numbness_with_a_negative_pelvic_compression_test_is_less_likely_meralgia():
    base = {"age": 44, "side": "left", "symptoms": [sym("anterolateral_thigh", "paraesthesia")]}
    positive = assess(intake(**base, findings={"pelvic_compression_test": True}))
    negative = assess(intake(**base, findings={"pelvic_compression_test": False}))
    assert negative.condition("meralgia_paresthetica").score < positive.condition("meralgia_paresthetica").score


def test_gtps():
    data = intake(
        age=52, sex="female", side="right",
        symptoms=[sym("lateral_hip"), sym("lateral_thigh")],
        findings={"trochanter_tenderness": True, "single_leg_stance_30s_pain": True, "worse_lying_on_affected_side": True,
                  "fader_r_test": True},
    )
    result = assess(data)
    assert result.working_diagnosis == ("gtps",)
    assert result.condition("gtps").icd10 == ("M76.01", "M70.61")


def test_no_trochanteric_tenderness_makes_gtps_unlikely():
    data = intake(age=52, sex="female", side="right", symptoms=[sym("lateral_hip")],
                  findings={"trochanter_tenderness": False, "worse_lying_on_affected_side": True})
    assert verdict(assess(data), "gtps") == "unlikely"


def test_hip_oa_referring_to_the_knee():
    data = intake(
        age=67, sex="male", side="left",
        symptoms=[sym("groin"), sym("lateral_thigh"), sym("anterior_knee")],
        findings={"squat_aggravates_hip": True, "hip_scour_test": True, "hip_internal_rotation_reduced_painful": True},
    )
    result = assess(data)
    assert result.working_diagnosis == ("hip_oa",)
    cluster = result.condition("hip_oa").evidence[0]
    assert cluster.basis == "lr" and "5.20" in cluster.note and cluster.source == "Sutlive2008"


def test_all_three_sutlive_items_negative_weigh_against_hip_oa():
    data = intake(age=67, side="left", symptoms=[sym("groin")],
                  findings={"squat_aggravates_hip": False, "hip_scour_test": False,
                            "hip_internal_rotation_reduced_painful": False})
    evidence = assess(data).condition("hip_oa").evidence
    assert any(e.direction == "against" and "0.33" in e.note for e in evidence)


def test_lateral_meniscus():
    data = intake(
        age=27, side="right", symptoms=[sym("lateral_knee")],
        findings={"acute_knee_injury": True, "lateral_joint_line_tenderness": True, "mcmurray_test": True,
                  "thessaly_test": True, "knee_locking_or_catching": True, "knee_effusion": True,
                  "fibular_head_tenderness": False, "patellar_tenderness_isolated": False,
                  "knee_flexion_90_possible": True, "weight_bearing_4_steps_immediately": True,
                  "weight_bearing_4_steps_now": True, "noble_test": False},
    )
    result = assess(data)
    assert result.working_diagnosis[0] == "lateral_meniscus"
    # Rule set 1.1.0: locking with an effusion after an acute injury is a suspected internal
    # derangement, urgent knee clinic [Glos-knee-redflags] (docs/clinical-changelog.md).
    assert result.urgency == "urgent"
    assert {f.id for f in result.red_flags} == {"knee_internal_derangement"}


def test_lcl_injury():
    data = intake(
        age=23, side="left", symptoms=[sym("lateral_knee"), sym("posterolateral_knee")],
        findings={"acute_knee_injury": True, "varus_stress_laxity": True, "knee_giving_way": True,
                  "fibular_head_tenderness": False, "patellar_tenderness_isolated": False,
                  "knee_flexion_90_possible": True, "weight_bearing_4_steps_immediately": True,
                  "weight_bearing_4_steps_now": True, "mcmurray_test": False},
    )
    result = assess(data)
    assert result.working_diagnosis[0] == "lcl_injury"
    assert result.condition("lcl_injury").icd10 == ("S83.422A",)


def test_patellofemoral_pain():
    data = intake(age=19, sex="female", side="bilateral", symptoms=[sym("anterior_knee"), sym("lateral_knee")],
                  findings={"squat_peripatellar_pain": True, "worse_stairs": True, "worse_sitting": True,
                            "noble_test": False, "lateral_epicondyle_tenderness": False})
    result = assess(data)
    assert result.working_diagnosis == ("patellofemoral_pain",)
    assert result.condition("patellofemoral_pain").icd10 == ("M22.2X1", "M22.2X2")


def test_ptfj_dysfunction():
    data = intake(age=30, side="right", symptoms=[sym("lateral_knee")],
                  findings={"fibular_head_tenderness": True, "knee_locking_or_catching": True, "acute_knee_injury": False,
                            "lateral_joint_line_tenderness": False, "mcmurray_test": False})
    result = assess(data)
    assert result.working_diagnosis == ("ptfj_dysfunction",)
    assert result.condition("ptfj_dysfunction").icd10 == ()
    assert "No verified code" in (result.condition("ptfj_dysfunction").icd10_note or "")


def test_biceps_femoris_tendinopathy():
    data = intake(age=26, side="left", symptoms=[sym("posterolateral_knee")],
                  findings={"biceps_femoris_tenderness": True, "resisted_knee_flexion_pain": True,
                            "popliteus_tenderness": False})
    assert assess(data).working_diagnosis == ("biceps_femoris_tendinopathy",)


def test_popliteus_tendinopathy():
    data = intake(age=34, side="right", symptoms=[sym("posterolateral_knee")],
                  findings={"popliteus_tenderness": True, "worse_downhill": True, "biceps_femoris_tenderness": False})
    assert assess(data).working_diagnosis == ("popliteus_tendinopathy",)


def test_bone_stress_injury_condition_and_flag():
    data = intake(age=21, sex="female", side="left", symptoms=[sym("anterior_thigh"), sym("lateral_thigh")],
                  findings={"hop_test_pain": True, "fulcrum_test": True, "training_load_increase": True,
                            "low_energy_availability_risk": True, "night_pain": True})
    result = assess(data)
    assert result.working_diagnosis == ("bone_stress_injury",)
    assert result.urgency == "urgent"


# ----------------------------------------------------------------------------- structure of the output
def test_every_condition_is_listed_best_first_with_its_evidence_sourced():
    result = assess(classic_itbs())
    assert len(result.conditions) == 13
    ranks = [{"favoured": 0, "possible": 1, "unlikely": 2}[c.verdict] for c in result.conditions]
    assert ranks == sorted(ranks)
    for condition in result.conditions:
        for item in condition.evidence:
            assert item.source and item.note and item.direction in ("for", "against")
            assert math.isfinite(item.weight) and item.weight > 0


def test_lr_weights_are_capped_so_no_single_study_dominates():
    result = assess(intake(age=50, side="right", symptoms=[sym("lateral_hip")], findings={"single_leg_stance_30s_pain": True}))
    item = next(e for e in result.condition("gtps").evidence if e.finding == "single_leg_stance_30s_pain")
    # LR+ 37 capped at ln(LR) = 2.0, then halved: the figures come from one 17-patient study.
    assert item.weight == 1.0
    assert item.quality == "single small study, n = 17"
    assert "one small study" in item.note


def test_side_drives_icd_codes_and_unspecified_side_is_reported():
    result = assess(intake(symptoms=[sym("lateral_knee")], findings={"noble_test": True}))
    assert result.condition("itbs").side == "unspecified"
    assert result.condition("itbs").icd10 == ("M76.30",)


def test_suggested_measures_follow_the_working_diagnosis():
    assert assess(classic_itbs()).suggested_measures == ("LEFS", "NPRS", "PSFS")
    spine = assess(intake(side="left", symptoms=[sym("low_back"), sym("lateral_leg", "paraesthesia")],
                          sensory_loss=[{"region": "lateral_leg"}], findings={"slr": True, "crossed_slr": True}))
    assert spine.working_diagnosis == ("lumbar_radicular",)
    assert spine.suggested_measures[:2] == ("ODI", "STarTBack")


@pytest.mark.parametrize("case", ["itbs", "spine"])
def test_assess_next_is_unassessed_items_only(case):
    data = classic_itbs() if case == "itbs" else intake(side="left", symptoms=[sym("low_back"), sym("lateral_leg")])
    result = assess(data)
    from ptassist.core.engine import default_engine
    from ptassist.core.intake import parse_intake

    parsed = parse_intake(data, default_engine().vocabulary)
    assert result.assess_next
    for suggestion in result.assess_next:
        assert not parsed.is_assessed(suggestion.finding), suggestion.finding
        assert suggestion.why


def test_repeated_movements_is_suggested_first_among_discriminators_when_itbs_and_spine_compete():
    data = intake(age=40, side="left", symptoms=[sym("lateral_knee"), sym("low_back"), sym("lateral_leg", "paraesthesia")],
                  findings={"noble_test": True, "saddle_sensory_change": False, "bladder_dysfunction": False,
                            "bowel_dysfunction": False, "cancer_history": False})
    assert assess(data).assess_next[0].finding == "repeated_movements"
