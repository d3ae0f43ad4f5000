"""Rule set 1.1.0: the safety layer, evidence groups, the red-flag screen and the 20-second report."""

from __future__ import annotations

import copy
from pathlib import Path

from ptassist.core.engine import default_engine
from ptassist.core.intake import parse_intake
from ptassist.core.report import render_report
from ptassist.core.screen_status import screen_summary, urgency_headline
from tests.helpers import assess, flag_ids, intake, sym

ENGINE = default_engine()
ROOT = Path(__file__).resolve().parents[2]

ITBS_HISTORY = {
    "pain_at_predictable_point_in_activity": True, "training_load_increase": True, "runs_on_cambered_surface": True,
    "worse_downhill": True, "worse_stairs": True, "lateral_epicondyle_tenderness": True, "noble_test": True,
    "renne_test": True, "ober_test": True,
}
# Every question of the minimum screen answered "no" (with an age), for the "complete" cases.
SCREEN_NEGATIVE = {
    key: False
    for group in ENGINE.ruleset.screen
    for item in group.items
    for key in item.keys[:1]
    if key in ENGINE.vocabulary.findings and ENGINE.vocabulary.findings[key].type == "bool"
}


def report(data: dict) -> str:
    return render_report(assess(data), parse_intake(data, ENGINE.vocabulary), ENGINE.vocabulary)


def itbs_with_l5(ehl: str = "4") -> dict:
    return intake(
        age=34, side="left", symptoms=[sym("lateral_knee"), sym("lateral_thigh")],
        sensory_loss=[{"region": "lateral_leg"}, {"region": "dorsum_foot"}],
        strength={"ehl": ehl, "hip_abduction": "4", "ankle_dorsiflexion": "5", "ankle_inversion": "5"},
        reflexes={"patellar": "normal", "achilles": "normal"}, findings=dict(ITBS_HISTORY),
    )


# ----------------------------------------------------------------------------- safety layer
def test_an_objective_l5_deficit_is_never_hidden_behind_itbs():
    result = assess(itbs_with_l5())
    assert result.working_diagnosis[0] == "lumbar_radicular"
    assert set(result.working_diagnosis) == {"lumbar_radicular", "itbs"}
    assert result.root_level == "L5"
    kinds = {note.id: note.kind for note in result.safety}
    assert kinds["root_deficit_keeps_radicular"] == "rule"
    assert kinds["root_deficit_keeps_radicular.warning"] == "warning"


def test_an_emergency_root_flag_and_itbs_alone_never_come_together():
    result = assess(itbs_with_l5(ehl="3"))
    assert result.urgency == "emergency"
    assert "severe_root_motor_loss" in flag_ids(result)
    assert "lumbar_radicular" in result.working_diagnosis


def test_a_single_weak_muscle_names_no_root_level():
    # Hip abduction weakness alone is common with pain and age: it names no root.
    result = assess(intake(age=70, side="right", symptoms=[sym("lateral_hip")], strength={"hip_abduction": "4"}))
    assert result.root_level is None
    assert "lumbar_radicular" not in result.working_diagnosis


def test_an_absent_achilles_reflex_alone_does_not_make_a_radicular_diagnosis():
    result = assess(intake(age=78, side="left", symptoms=[sym("lateral_knee")], reflexes={"achilles": "absent"}))
    assert result.root_level is None
    assert "lumbar_radicular" not in result.working_diagnosis


def test_a_fibular_pattern_does_not_lower_urgency_when_the_spine_is_in_play():
    data = intake(age=45, side="right", symptoms=[sym("low_back"), sym("lateral_leg")],
                  strength={"ankle_dorsiflexion": "2", "ankle_inversion": "5", "hip_abduction": "5"},
                  findings={"slr": True})
    result = assess(data)
    assert result.urgency == "emergency"
    assert flag_ids(result) == {"severe_root_motor_loss"}
    assert "lumbar_radicular" in result.working_diagnosis
    # Without the spinal signs the same deficit is a peripheral nerve, urgent.
    peripheral = copy.deepcopy(data)
    peripheral["symptoms"] = [sym("lateral_leg")]
    peripheral["findings"] = {"slr": False, "slump": False, "spinal_percussion_tenderness": False}
    result = assess(peripheral)
    assert flag_ids(result) == {"peripheral_nerve_motor_loss"}
    assert result.urgency == "urgent"


def test_pain_inhibited_hip_abduction_without_a_root_pattern_is_not_an_emergency():
    data = intake(age=55, sex="female", side="right", symptoms=[sym("lateral_hip"), sym("lateral_thigh")],
                  strength={"hip_abduction": "3"},
                  findings={"trochanter_tenderness": True, "single_leg_stance_30s_pain": True})
    result = assess(data)
    assert result.urgency == "none"
    assert result.working_diagnosis == ("gtps",)
    # ... but the same grade with a matching sensory loss of the root is one.
    rooted = {**data, "sensory_loss": [{"region": "lateral_leg"}]}
    assert assess(rooted).urgency == "emergency"


# ----------------------------------------------------------------------------- gaps closed
def test_spinal_infection_is_flagged_without_charted_back_pain():
    result = assess(intake(age=39, side="left", symptoms=[sym("buttock"), sym("posterior_thigh")],
                           findings={"fever": True, "iv_drug_use": True, "constant_pain": True}))
    assert result.urgency == "emergency"
    assert {f.suspects for f in result.red_flags} == {"spinal_infection"}


def test_older_age_with_minor_trauma_is_a_fracture_flag_and_asks_for_the_rest():
    data = intake(age=82, side="left", symptoms=[sym("lateral_thigh")],
                  findings={"minor_trauma": True, "spinal_percussion_tenderness": True})
    result = assess(data)
    assert result.urgency == "urgent"
    assert {f.suspects for f in result.red_flags} == {"spinal_fracture"}
    younger = assess({**data, "age": 40})
    first = [s.finding for s in younger.assess_next[:4]]
    assert {"osteoporosis", "long_term_corticosteroids"} <= set(first)


def test_a_locked_knee_after_an_injury_is_urgent():
    result = assess(intake(age=30, side="right", symptoms=[sym("lateral_knee")],
                           findings={"acute_knee_injury": True, "knee_locked": True}))
    assert result.urgency == "urgent"
    assert flag_ids(result) == {"knee_internal_derangement"}


def test_bilateral_meralgia_and_stocking_numbness_are_not_cauda_equina():
    meralgia = assess(intake(age=50, side="bilateral", findings={"tight_belt_or_clothing": True}, symptoms=[
        sym("anterolateral_thigh", "paraesthesia", "left"), sym("anterolateral_thigh", "paraesthesia", "right")]))
    assert meralgia.urgency == "routine"
    assert "cauda_equina" not in {f.suspects for f in meralgia.red_flags}
    stocking = assess(intake(age=66, side="bilateral", findings={"diabetes": True}, symptoms=[
        sym("sole", "numbness", "left"), sym("sole", "numbness", "right")]))
    assert flag_ids(stocking) == {"distal_symmetric_neuropathy"}
    assert "lumbar_radicular" not in stocking.working_diagnosis
    # With back pain the same feet are a suspected cauda equina again.
    spinal = assess(intake(age=66, side="bilateral", symptoms=[
        sym("low_back"), sym("sole", "numbness", "left"), sym("sole", "numbness", "right")]))
    assert "ces_bilateral_radicular" in flag_ids(spinal)


def test_reported_bilateral_symptoms_with_back_pain_are_suspected_cauda_equina():
    result = assess(intake(age=40, side="left", symptoms=[sym("low_back"), sym("lateral_leg", "paraesthesia")],
                           findings={"bilateral_leg_symptoms": True}))
    assert "ces_bilateral_radicular" in flag_ids(result)


# ----------------------------------------------------------------------------- evidence counted once
def test_correlated_itbs_items_count_once_per_group():
    result = assess(intake(side="right", symptoms=[sym("lateral_knee")], findings=dict(ITBS_HISTORY)))
    itbs = result.condition("itbs")
    history = [e for e in itbs.evidence if e.group == "itbs_history"]
    assert len(history) == 5
    assert sum(e.counted_weight for e in history) <= ENGINE.ruleset.evidence_groups["itbs_history"].cap + 1e-9
    pattern = sum(e.counted_weight for e in itbs.evidence if e.basis == "pattern" and e.direction == "for")
    assert pattern <= ENGINE.ruleset.scoring.pattern_cap + 0.05


def test_the_sutlive_cluster_and_its_own_items_count_once():
    cluster = {"squat_aggravates_hip": True, "hip_scour_test": True, "hip_internal_rotation_reduced_painful": True}
    result = assess(intake(side="left", symptoms=[sym("groin")], findings=cluster))
    items = [e for e in result.condition("hip_oa").evidence if e.group == "sutlive_cluster"]
    assert len(items) == 4
    assert sum(e.counted_weight for e in items) == max(e.weight for e in items)


def test_a_pilot_study_is_weighted_down_and_says_so():
    result = assess(intake(side="left", symptoms=[sym("buttock"), sym("lateral_leg")], findings={"slump": False}))
    slump = next(e for e in result.condition("lumbar_radicular").evidence if e.finding == "slump")
    assert slump.quality == "pilot, n = 33"
    assert slump.weight < 1.27 / 2 + 0.01  # |ln 0.28| = 1.27, halved for a 33-patient pilot
    slr = assess(intake(side="left", symptoms=[sym("buttock")], findings={"slr": False}))
    item = next(e for e in slr.condition("lumbar_radicular").evidence if e.finding == "slr")
    assert item.quality == "cohort against MRI, n = 2,352"


def test_the_pooled_ottawa_figures_cite_bachmann_2004():
    accuracy = ENGINE.vocabulary.findings["fibular_head_tenderness"].accuracy
    assert accuracy is not None
    assert accuracy.source == "Bachmann2004"
    assert "98.5%" in accuracy.note


# ----------------------------------------------------------------------------- the screen
def test_an_empty_intake_never_says_no_red_flag():
    result = assess(intake())
    assert not result.screen.complete
    text = report(intake())
    headline = text.splitlines()[2]
    assert headline.startswith("URGENCY: NOT ESTABLISHED: Red-flag screen incomplete:")
    assert f"{len(result.screen.not_asked)} questions not asked" in headline
    assert "treat and monitor" not in text


def test_a_complete_negative_screen_says_so():
    data = intake(age=31, side="right", symptoms=[sym("lateral_knee")], findings=dict(SCREEN_NEGATIVE))
    result = assess(data)
    assert result.screen.complete and result.screen.not_asked == ()
    assert report(data).splitlines()[2] == "URGENCY: NONE: red-flag screen complete and negative; treat and monitor"


def test_a_fever_or_a_measured_temperature_answers_the_same_question():
    by_fever = assess(intake(findings={"fever": False}))
    by_temperature = assess(intake(findings={"temperature_celsius": 36.8}))
    assert "fever" not in by_fever.screen.not_asked
    assert "fever" not in by_temperature.screen.not_asked


def test_assessments_made_before_the_screen_existed_say_it_was_not_recorded():
    old = {"format": "ptassist-assessment/1", "ruleset": {"name": "lateral-thigh-knee", "version": "1.0.0"},
           "urgency": "none"}
    assert not screen_summary(old).recorded
    assert "not recorded" in urgency_headline(old)
    assert "treat and monitor" not in urgency_headline(old)


# ----------------------------------------------------------------------------- the report
def test_after_an_emergency_assess_next_lists_only_what_bears_on_it():
    data = intake(age=44, side="left", symptoms=[sym("low_back"), sym("lateral_leg")],
                  findings={"saddle_sensory_change": True, "noble_test": True})
    result = assess(data)
    assert result.urgency == "emergency"
    allowed = {"bladder_dysfunction", "bowel_dysfunction", "sexual_dysfunction_new", "bilateral_leg_symptoms",
               "slr", "crossed_slr", "slump", "femoral_nerve_stretch", "symptoms", "sensory_loss",
               "spinal_percussion_tenderness", "weakness_progressing", "foot_slap_or_tripping"}
    suggested = {s.finding for s in result.assess_next}
    assert suggested
    assert suggested <= allowed | {k for k in suggested if k.startswith(("strength.", "reflexes."))}
    assert "lateral_epicondyle_tenderness" not in suggested


def test_the_top_of_the_report_fits_in_about_fifteen_lines():
    text = report(itbs_with_l5(ehl="3"))
    top = text.split("\n\nAssess next")[0].splitlines()[2:]
    assert len(top) <= 17
    assert any(line.startswith("!! EMERGENCY") for line in top)
    assert any("Great-toe extension (EHL) 3/5" in line for line in top)  # the actual grade
    assert any(line.startswith("Working diagnosis: Lumbar radicular") for line in top)
    assert any(line.startswith("Root level: L5") for line in top)
    assert any("WARNING: Iliotibial band syndrome is in the working diagnosis beside" in line for line in top)


def test_unlikely_conditions_are_collapsed_to_one_line():
    text = report(itbs_with_l5())
    body = text.split("Conditions in play (best first)")[1]
    assert "UNLIKELY" not in body
    assert "  Unlikely: " in body


def test_rule_set_version_and_clinical_changelog_moved_together():
    version = ENGINE.ruleset.version
    assert version == "1.1.0"
    changelog = (ROOT / "docs" / "clinical-changelog.md").read_text(encoding="utf-8")
    assert f"## {version}" in changelog
    for rule in ENGINE.ruleset.red_flags:
        if rule.id in {"spinal_infection_without_back_pain", "knee_internal_derangement", "bilateral_lfcn",
                       "distal_symmetric_neuropathy"}:
            assert rule.id in changelog


def test_a_recorded_body_chart_answers_the_both_legs_question():
    assert "bilateral_leg_symptoms" in assess(intake()).screen.not_asked
    charted = assess(intake(side="left", symptoms=[sym("lateral_knee")]))
    assert "bilateral_leg_symptoms" not in charted.screen.not_asked


# ----------------------------------------------------------------------------- found in clinical review
def screened(**parts) -> dict:
    """An intake with every screening question answered "no", then ``parts`` on top."""
    findings = {**SCREEN_NEGATIVE, **parts.pop("findings", {})}
    return intake(age=parts.pop("age", 40), findings=findings, **parts)


def test_a_yes_answer_keeps_nothing_said_until_its_flag_is_decided():
    data = screened(side="right", symptoms=[sym("lateral_knee")], findings={"acute_knee_injury": True})
    result = assess(data)
    assert result.screen.complete  # every question of the minimum screen was asked ...
    assert {"fibular_head_tenderness", "knee_flexion_90_possible"} <= set(result.screen.follow_up)
    headline = report(data).splitlines()[2]  # ... but the yes answer's flag is still open
    assert headline.startswith("URGENCY: NOT ESTABLISHED: Red-flag screen complete; a yes answer needs")
    assert "treat and monitor" not in report(data)


def test_a_complete_screen_with_a_yes_answer_is_not_called_negative():
    data = screened(age=82, side="left", symptoms=[sym("lateral_hip"), sym("groin")],
                    findings={"minor_trauma": True, "osteoporosis": True, "spinal_percussion_tenderness": False})
    result = assess(data)
    assert result.screen.complete
    assert {"minor_trauma", "osteoporosis"} <= set(result.screen.positive)
    headline = report(data).splitlines()[2]
    assert "negative" not in headline and "answers yes" in headline


def test_stocking_numbness_with_back_pain_and_a_negative_cauda_equina_screen_is_routine():
    data = screened(age=66, side="bilateral", findings={"diabetes": True, "slr": False}, symptoms=[
        sym("low_back"), sym("sole", "numbness", "left"), sym("sole", "numbness", "right"),
        sym("dorsum_foot", "numbness", "left"), sym("dorsum_foot", "numbness", "right")])
    assert flag_ids(assess(data)) == {"distal_symmetric_neuropathy"}
    unasked = copy.deepcopy(data)
    for key in ("saddle_sensory_change", "bladder_dysfunction", "bowel_dysfunction"):
        unasked["findings"].pop(key)
    assert "ces_bilateral_radicular" in flag_ids(assess(unasked))  # until they are asked


def test_a_both_legs_answer_needs_neural_symptoms_to_be_cauda_equina():
    runner = screened(side="bilateral", symptoms=[sym("low_back"), sym("lateral_knee", side="left"),
                                                  sym("lateral_knee", side="right")],
                      findings={"bilateral_leg_symptoms": True, "slr": True, "noble_test": True})
    assert "ces_bilateral_radicular" not in flag_ids(assess(runner))


def test_pain_inhibited_weakness_with_back_pain_alone_is_not_a_spinal_emergency():
    data = screened(age=52, sex="female", side="right", strength={"hip_abduction": "3"},
                    symptoms=[sym("lateral_hip"), sym("lateral_thigh"), sym("low_back")],
                    findings={"trochanter_tenderness": True, "single_leg_stance_30s_pain": True})
    result = assess(data)
    assert result.urgency == "none"
    assert "slr" in [s.finding for s in result.assess_next]
    with_slr = copy.deepcopy(data)
    with_slr["findings"]["slr"] = True
    assert flag_ids(assess(with_slr)) == {"severe_root_motor_loss"}


def test_reported_worsening_with_a_normal_examination_is_not_an_emergency():
    normal = dict.fromkeys(ENGINE.vocabulary.strength, "5")
    result = assess(screened(side="right", symptoms=[sym("lateral_knee")], strength=normal,
                             findings={"weakness_progressing": True}))
    assert result.urgency != "emergency"
    assert "weakness_progressing" in result.screen.positive


def test_one_mild_ehl_weakness_does_not_make_a_fibular_diagnosis():
    result = assess(intake(age=38, side="right", symptoms=[sym("lateral_knee")], sensory_loss=[],
                           strength={"ehl": "4", "hip_abduction": "5", "ankle_inversion": "5",
                                     "ankle_dorsiflexion": "5", "ankle_eversion": "5"},
                           reflexes={"patellar": "normal", "achilles": "normal"}, findings=dict(ITBS_HISTORY)))
    assert "fibular_neuropathy" not in result.working_diagnosis
    assert result.peripheral_nerve is None


def test_no_night_pain_means_its_character_is_not_asked():
    result = assess(intake(age=60, side="right", symptoms=[sym("lateral_knee")],
                           findings={"night_pain": False, "unexplained_weight_loss": False}))
    assert "night_pain_eased_by_position" not in [s.finding for s in result.assess_next]
    assert "night_pain_eased_by_position" not in result.screen.not_asked


def test_a_locked_knee_points_to_the_meniscus_and_no_loading_test_is_suggested():
    result = assess(intake(age=28, side="right", symptoms=[sym("lateral_knee")],
                           findings={"knee_locked": True, "acute_knee_injury": True}))
    assert result.urgency == "urgent"
    assert any(e.finding == "knee_locked" for e in result.condition("lateral_meniscus").evidence)
    suggested = {s.finding for s in result.assess_next}
    assert not suggested & {"renne_test", "thessaly_test", "mcmurray_test", "hop_test_pain", "squat_peripatellar_pain"}


def test_local_signs_abolished_by_spinal_loading_point_to_the_spine():
    data = intake(age=40, side="left", symptoms=[sym("lateral_knee"), sym("buttock")], findings=dict(ITBS_HISTORY),
                  repeated_movements={"direction": "extension", "distal_symptoms": "not_applicable",
                                      "local_signs": "abolished"})
    result = assess(data)
    assert result.working_diagnosis[0] == "lumbar_radicular"
    noble = [e for e in result.condition("itbs").evidence if e.finding == "noble_test" and e.direction == "for"]
    assert noble == []  # an abolished local test is no longer local evidence
