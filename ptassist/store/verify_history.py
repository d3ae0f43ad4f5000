"""Verify what ``history`` shows of a signed visit (urgency, diagnosis, scores) against its signed content.

History reads fast summary columns; for a signed visit they must be what the signed content says:
the urgency and working diagnosis of the frozen assessment, and the scores of its stored measures.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any

from ptassist.core.measures import MeasureError, score_visit_measures
from ptassist.store.audit_chain import Run
from ptassist.store.verify_report import Problem
from ptassist.store.visit_rows import SCORE_COLUMNS

_SIGNED = (f"SELECT id, assessment_z, measures_json, urgency, working_diagnosis, {', '.join(SCORE_COLUMNS)} "
           "FROM visit WHERE status = 'signed' ORDER BY id")


def expected_summary(assessment_z: bytes | None, measures_json: str) -> dict[str, Any]:
    """The history columns a signed visit's content implies."""
    assessment = json.loads(zlib.decompress(assessment_z)) if assessment_z is not None else {}
    expected: dict[str, Any] = {
        "urgency": assessment.get("urgency"),
        "working diagnosis": ",".join(assessment.get("working_diagnosis") or ()),
    }
    scores = score_visit_measures(json.loads(measures_json))
    for column in SCORE_COLUMNS:
        score = scores.get(column.upper())
        expected[column.upper()] = score.value if score is not None else None
    return expected


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def history_problems(run: Run) -> list[Problem]:
    problems: list[Problem] = []
    for visit_id, assessment_z, measures_json, urgency, diagnosis, *scores in run(_SIGNED, {}):
        try:
            expected = expected_summary(assessment_z, measures_json)
        except (ValueError, zlib.error, MeasureError):
            continue  # unreadable content: the chain check reports the record itself
        shown = {"urgency": urgency, "working diagnosis": diagnosis,
                 **{c.upper(): s for c, s in zip(SCORE_COLUMNS, scores, strict=True)}}
        wrong = [name for name in expected if not _same(shown[name], expected[name])]
        if wrong:
            problems.append(Problem("visit", int(visit_id), f"history shows a different {', '.join(wrong)} than "
                                                            "its signed content: changed outside the app"))
    return problems
