"""The history check reads a stored assessment's urgency and working diagnosis from its end when it
can, and must then give exactly what parsing the whole text gives."""

from __future__ import annotations

import json

import pytest

from ptassist.core.ledger import canonical_json
from ptassist.store.verify_history import _summary

CASES = [
    {"conditions": [{"urgency": "emergency"}], "urgency": "none", "working_diagnosis": ["itbs", "pfps"]},
    {"a": 1, "urgency": None, "working_diagnosis": []},
    {"urgency": "urgent", "working_diagnosis": ["lumbar_radicular"]},  # no key before: parsed in full
    {"note": 'a "quoted",\\"urgency\\":"x" text', "urgency": 'odd "value"', "working_diagnosis": ["a"]},
    {"nested": {"urgency": "emergency", "working_diagnosis": ["forged"]}},  # only nested keys: none at the top
    {"urgency": "none", "working_diagnosis": ["a"], "z_later": {"urgency": "emergency", "working_diagnosis": []}},
    {"red_flags": [], "urgency": "same_day", "working_diagnosis": ["x"], "version": 2},  # another key after
]


@pytest.mark.parametrize("assessment", CASES)
def test_the_summary_read_from_the_end_equals_the_parsed_text(assessment):
    text = canonical_json(assessment)
    parsed = json.loads(text)
    assert _summary(text) == (parsed.get("urgency"), parsed.get("working_diagnosis"))


def test_no_assessment_has_no_summary():
    assert _summary(None) == (None, ())
