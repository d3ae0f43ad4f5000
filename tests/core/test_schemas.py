"""The published JSON Schemas stay in step with the vocabulary (one source of truth)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ptassist.core.vocabulary import load_vocabulary
from tests.helpers import INTAKE_SCHEMA

CASES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "clinical_cases.json").read_text(encoding="utf-8"))


def test_intake_schema_lists_exactly_the_vocabulary():
    vocab = load_vocabulary()
    props = INTAKE_SCHEMA["properties"]
    assert set(props["findings"]["properties"]) == set(vocab.findings)
    assert set(props["symptoms"]["items"]["properties"]["region"]["enum"]) == set(vocab.regions)
    assert set(props["strength"]["properties"]) == set(vocab.strength)
    assert set(props["reflexes"]["properties"]) == set(vocab.reflexes)
    for fid, finding in vocab.findings.items():
        expected = "boolean" if finding.type == "bool" else "number"
        assert props["findings"]["properties"][fid]["type"] == expected, fid


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_case_intake_is_schema_valid(case):
    jsonschema.validate(case["intake"], INTAKE_SCHEMA)
