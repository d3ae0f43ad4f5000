"""The clinical data files: complete, consistent, sourced, and loud when malformed."""

from __future__ import annotations

import copy
import math
import re
import tomllib
from pathlib import Path

import pytest

from ptassist.core.errors import ResourceError
from ptassist.core.measures import parse_measures
from ptassist.core.neuro import parse_neuro_map
from ptassist.core.ruleset import CONDITION_IDS, SUSPECTS, load_ruleset, parse_ruleset
from ptassist.core.vocabulary import load_sources, load_vocabulary, parse_vocabulary

CLINICAL = Path(__file__).resolve().parents[2] / "resources" / "clinical"


def raw(name: str) -> dict:
    return tomllib.loads((CLINICAL / name).read_text(encoding="utf-8"))


INTAKE_FINDINGS = """
symptom_duration_weeks acute_knee_injury major_trauma minor_trauma training_load_increase runs_on_cambered_surface
pain_at_predictable_point_in_activity worse_downhill worse_stairs worse_sitting worse_standing eased_by_sitting
eased_by_walking worse_lying_on_affected_side pain_at_rest leg_pain_worse_cough_sneeze night_pain
night_pain_eased_by_position constant_pain pain_progressive low_back_pain_history weakness_progressing
foot_slap_or_tripping knee_locking_or_catching knee_giving_way morning_stiffness_over_30_min
habitual_leg_crossing_or_squatting recent_major_weight_loss tight_belt_or_clothing obesity_or_recent_weight_gain
pregnancy cancer_history unexplained_weight_loss fever night_sweats recent_bacterial_infection iv_drug_use
immunosuppression diabetes recent_spinal_procedure long_term_corticosteroids osteoporosis saddle_sensory_change
bladder_dysfunction bowel_dysfunction sexual_dysfunction_new low_energy_availability_risk hot_swollen_joint
calf_swelling_unilateral pain_out_of_proportion_tense_compartment exertional_calf_pain_relieved_by_rest
inflammatory_back_pain_features lateral_epicondyle_tenderness noble_test ober_test renne_test trochanter_tenderness
single_leg_stance_30s_pain fader_r_test hip_internal_rotation_reduced_painful hip_scour_test squat_aggravates_hip
hop_test_pain fulcrum_test lateral_joint_line_tenderness mcmurray_test thessaly_test knee_effusion varus_stress_laxity
fibular_head_tenderness patellar_tenderness_isolated knee_flexion_90_possible weight_bearing_4_steps_immediately
weight_bearing_4_steps_now squat_peripatellar_pain tinel_fibular_head pelvic_compression_test
spinal_percussion_tenderness temperature_celsius slr crossed_slr slump femoral_nerve_stretch
""".split()


def test_the_vocabulary_keeps_every_id_of_the_intake_format():
    vocab = load_vocabulary()
    assert set(INTAKE_FINDINGS) <= set(vocab.findings)
    assert set(vocab.regions) == set(
        "low_back buttock groin lateral_hip anterior_thigh anterolateral_thigh lateral_thigh posterior_thigh "
        "anterior_knee lateral_knee posterolateral_knee medial_leg lateral_leg posterior_calf dorsum_foot "
        "great_toe lateral_foot sole".split()
    )
    assert set(vocab.strength) == set(
        "hip_flexion hip_abduction hip_extension knee_extension knee_flexion ankle_dorsiflexion ehl ankle_eversion "
        "ankle_inversion plantarflexion".split()
    )


def test_examination_tests_state_their_accuracy_or_its_absence():
    vocab = load_vocabulary()
    for finding in vocab.findings.values():
        if finding.group in ("examination", "neurodynamic") and finding.type == "bool":
            if finding.id in ("knee_effusion", "spinal_percussion_tenderness"):
                continue
            assert finding.accuracy is not None, finding.id
            assert finding.accuracy.source in vocab.sources
    for test_id in ("noble_test", "ober_test", "renne_test"):
        assert not vocab.findings[test_id].accuracy.validated  # pattern evidence only
    crossed = vocab.findings["crossed_slr"].accuracy
    assert crossed.validated and crossed.lr_computed
    assert math.isclose(crossed.lr_pos, 0.28 / 0.10)


def test_the_rule_set_is_versioned_and_covers_every_condition_and_suspect():
    ruleset = load_ruleset()
    assert ruleset.name == "lateral-thigh-knee"
    assert ruleset.version.count(".") == 2
    assert {c.id for c in ruleset.conditions} == set(CONDITION_IDS)
    assert {f.suspects for f in ruleset.red_flags} == set(SUSPECTS)
    for flag in ruleset.red_flags:
        assert flag.sources and flag.action


def test_every_source_key_resolves_to_a_citation():
    sources = load_sources()
    ruleset = load_ruleset()
    for flag in ruleset.red_flags:
        assert set(flag.sources) <= set(sources)
    for condition in ruleset.conditions:
        for item in condition.evidence:
            assert item.source in sources


@pytest.mark.parametrize(
    ("mutate", "entry", "words"),
    [
        (lambda d: d["findings"][0].update(group="nowhere"), "findings.symptom_duration_weeks", "unknown group"),
        (lambda d: d["findings"][1].pop("label"), "findings.acute_knee_injury", "'label'"),
        (lambda d: d["findings"].append(copy.deepcopy(d["findings"][1])), "findings.acute_knee_injury", "duplicate"),
        (lambda d: d["findings"][1].update(colour="red"), "findings.acute_knee_injury", "unknown key"),
    ],
)
def test_a_malformed_vocabulary_fails_fast_naming_file_and_entry(mutate, entry, words):
    data = raw("vocabulary.toml")
    mutate(data)
    with pytest.raises(ResourceError) as caught:
        parse_vocabulary(data, load_sources())
    assert caught.value.filename == "clinical/vocabulary.toml"
    assert caught.value.entry == entry
    assert words in str(caught.value)


def _noble(data: dict) -> dict:
    return next(f for f in data["findings"] if f["id"] == "noble_test")


def test_a_test_without_accuracy_is_rejected():
    data = raw("vocabulary.toml")
    _noble(data).pop("accuracy")
    with pytest.raises(ResourceError, match=re.escape("findings.noble_test: examination tests need an accuracy")):
        parse_vocabulary(data, load_sources())


def test_an_unknown_source_key_is_rejected():
    data = raw("vocabulary.toml")
    _noble(data)["accuracy"]["source"] = "Invented2024"
    with pytest.raises(ResourceError, match="unknown source key 'Invented2024'"):
        parse_vocabulary(data, load_sources())


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d["red_flags"][0].update(when="saddle_sensory_chnge"), "red_flags.ces_sphincter_saddle: when: unknown name"),
        (lambda d: d["red_flags"][0].update(when="saddle_sensory_change and"), "unexpected end"),
        (lambda d: d["red_flags"][0].update(urgency="soon"), "urgency must be"),
        (lambda d: d["red_flags"][0].update(sources=["Nobody"]), "unknown source key"),
        (lambda d: d["conditions"][0]["evidence"][0].update(weight="huge"), "conditions.itbs.evidence[0]: unknown key"),
        (lambda d: d["conditions"][0]["evidence"][0].update(against="weak"), "exactly one of"),
        (lambda d: d["conditions"][0].update(icd10={"right": ["ITBS"]}), "not an ICD-10-CM code"),
        (lambda d: d["conditions"].pop(), "missing: bone_stress_injury"),
        (lambda d: d["facts"].update(spinal_pain="neurological"), "circular definition"),
        (lambda d: d.update(version="1.0"), "semantic"),
        (lambda d: d["conditions"][0]["evidence"].append({"finding": "noble_test", "lr": "both", "note": "x", "source": "Noble-Physiopedia"}),
         "needs figures here or a finding with validated accuracy"),
    ],
)
def test_a_malformed_rule_set_fails_fast(mutate, words):
    data = raw("ruleset.toml")
    mutate(data)
    with pytest.raises(ResourceError) as caught:
        parse_ruleset(data, load_vocabulary())
    assert caught.value.filename == "clinical/ruleset.toml"
    assert words in str(caught.value)


def test_malformed_neuro_and_measure_files_fail_fast():
    neuro = raw("neuro.toml")
    neuro["roots"]["L5"]["muscles"]["big_toe"] = "primary"
    with pytest.raises(ResourceError, match=re.escape("roots.L5: muscles: unknown name 'big_toe'")):
        parse_neuro_map(neuro, load_vocabulary())
    measures = raw("measures.toml")
    measures["LEFS"]["item_topics"].pop()
    with pytest.raises(ResourceError, match="LEFS: 'item_topics' must list one topic per item"):
        parse_measures(measures, load_sources())
