"""Helpers to write intakes and assess them in tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from ptassist.core.assessment import Assessment
from ptassist.core.engine import default_engine

SCHEMAS = Path(__file__).resolve().parents[1] / "resources" / "schemas"
ASSESSMENT_SCHEMA = json.loads((SCHEMAS / "assessment.schema.json").read_text(encoding="utf-8"))
INTAKE_SCHEMA = json.loads((SCHEMAS / "intake.schema.json").read_text(encoding="utf-8"))


def intake(**parts: Any) -> dict[str, Any]:
    """An intake dict; keyword arguments become top-level keys (findings=..., symptoms=...)."""
    data: dict[str, Any] = {"format": "ptassist-intake/1"}
    data.update(parts)
    return data


def sym(region: str, kind: str = "pain", side: str | None = None) -> dict[str, str]:
    item = {"region": region, "kind": kind}
    if side:
        item["side"] = side
    return item


def assess(data: dict[str, Any]) -> Assessment:
    """Assess and check the output against the published schema."""
    result = default_engine().assess_json(data)
    jsonschema.validate(result.to_json(), ASSESSMENT_SCHEMA)
    return result


def flag_ids(result: Assessment) -> set[str]:
    return {f.id for f in result.red_flags}


def suspects(result: Assessment) -> set[str]:
    return {f.suspects for f in result.red_flags}


def verdict(result: Assessment, cid: str) -> str:
    return result.condition(cid).verdict
