"""Intake keys are named as a clinician would name them, wherever the app shows them."""

from __future__ import annotations

import pytest

from ptassist.core.engine import default_engine
from ptassist.core.report import key_label


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("strength.ankle_dorsiflexion", "Ankle dorsiflexion strength (MRC)"),
        ("reflexes.achilles", "Achilles reflex"),
        ("sensory_loss.lateral_leg", "sensation, lateral leg"),
        ("symptoms.low_back", "Low back symptoms"),
        ("repeated_movements", "repeated end-range lumbar movements"),
        ("saddle_sensory_change", "Saddle sensory change"),
        ("something_new", "something new"),
    ],
)
def test_keys_have_clinical_names(key, label):
    assert key_label(key, default_engine().vocabulary) == label


def test_every_assess_next_key_the_rules_can_name_has_a_label():
    engine = default_engine()
    vocab = engine.vocabulary
    keys = {key for rule in engine.ruleset.assess_next for key in rule.findings}
    assert len(keys) > 20
    for key in keys:
        assert "." not in key_label(key, vocab) and "_" not in key_label(key, vocab), key
