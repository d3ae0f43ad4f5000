"""Realistic patients with the expected urgency, red flags, working diagnosis and root level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptassist.core.ruleset import load_ruleset
from tests.helpers import assess

CASES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "clinical_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_clinical_case(case):
    result = assess(case["intake"])
    expect = case["expect"]
    assert result.urgency == expect["urgency"]
    assert sorted(f.id for f in result.red_flags) == sorted(expect["red_flags"])
    assert sorted(result.working_diagnosis) == sorted(expect["working_diagnosis"])
    assert result.root_level == expect["root_level"]


def test_the_cases_cover_every_condition_and_every_red_flag():
    ruleset = load_ruleset()
    diagnosed = {c for case in CASES for c in case["expect"]["working_diagnosis"]}
    flagged = {f for case in CASES for f in case["expect"]["red_flags"]}
    assert diagnosed == {c.id for c in ruleset.conditions}
    assert flagged == {f.id for f in ruleset.red_flags}
    assert {case["expect"]["root_level"] for case in CASES} >= {"L3", "L4", "L5", "S1", None}
