"""Verify what ``history`` shows of a signed visit (urgency, diagnosis, scores) against its signed content.

History reads fast summary columns; for a signed visit they must be what the signed content says:
the urgency and working diagnosis of the frozen assessment, and the scores of its stored measures.
"""

from __future__ import annotations

import json
import math
import re
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
    return _expected(zlib.decompress(assessment_z).decode("utf-8") if assessment_z is not None else None,
                     _scores(measures_json))


def _scores(measures_json: str) -> dict[str, Any]:
    scores = score_visit_measures(json.loads(measures_json))
    return {column.upper(): scores[column.upper()].value if column.upper() in scores else None
            for column in SCORE_COLUMNS}


# The end of a stored assessment (canonical JSON: sorted keys, no spaces): its last two top-level
# keys. Anchored at the end, with no brace or bracket inside the list, the match can only be the
# outermost object's own keys ('"' after ',' is never inside a JSON string), so reading these
# values from it gives what parsing the whole ~15 KB text would; anything else is parsed in full.
_SUMMARY_TAIL = re.compile(r',"urgency":("(?:[^"\\]|\\.)*"|null),"working_diagnosis":(\[[^\[\]{}]*\])\}\Z')
_TAIL_CHARS = 4096


def _summary(assessment_text: str | None) -> tuple[Any, Any]:
    """(urgency, working diagnosis list) of a stored assessment text."""
    if assessment_text is None:
        return None, ()
    tail = _SUMMARY_TAIL.search(assessment_text, max(0, len(assessment_text) - _TAIL_CHARS))
    if tail is not None:
        return json.loads(tail.group(1)), json.loads(tail.group(2))
    assessment = json.loads(assessment_text)
    return assessment.get("urgency"), assessment.get("working_diagnosis")


def _expected(assessment_text: str | None, scores: dict[str, Any]) -> dict[str, Any]:
    urgency, diagnosis = _summary(assessment_text)
    return {"urgency": urgency, "working diagnosis": ",".join(diagnosis or ()), **scores}


class HistoryCheck:
    """The history check one signed visit at a time, inside verify's single pass over the visits
    (which has decompressed the assessment already, for the chain hash)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def check(self, visit_id: int, assessment_text: str | None, measures_json: str, urgency: Any, diagnosis: Any,
              scores: tuple[Any, ...]) -> None:
        try:
            expected = _expected(assessment_text, _scores(measures_json))
        except (ValueError, MeasureError):
            return  # unreadable content: the chain check reports the record itself
        shown = {"urgency": urgency, "working diagnosis": diagnosis,
                 **{c.upper(): s for c, s in zip(SCORE_COLUMNS, scores, strict=True)}}
        wrong = [name for name in expected if not _same(shown[name], expected[name])]
        if wrong:
            self.problems.append(Problem("visit", visit_id, f"history shows a different {', '.join(wrong)} than "
                                                            "its signed content: changed outside the app"))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def history_problems(run: Run) -> list[Problem]:
    """The history check on its own (``verify`` runs it inside its pass over the visits)."""
    history = HistoryCheck()
    for visit_id, assessment_z, measures_json, urgency, diagnosis, *scores in run(_SIGNED, {}):
        try:
            text = zlib.decompress(assessment_z).decode("utf-8") if assessment_z is not None else None
        except (zlib.error, UnicodeDecodeError):
            continue
        history.check(int(visit_id), text, measures_json, urgency, diagnosis, tuple(scores))
    return history.problems
