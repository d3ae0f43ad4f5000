"""Verify visit status against the audit chain: a signed visit stays signed, and only the app signs.

The chained audit trail records every signing (a ``baseline`` event for visits signed before the
trail was chained), so a signed visit set back to draft or deleted, and a draft made "signed" by
an UPDATE, each disagree with it. Addenda are links of the signed-record chain itself.
"""

from __future__ import annotations

from ptassist.store.audit_chain import Run
from ptassist.store.verify_report import Problem

_SIGNINGS = ("SELECT record_id FROM audit_event WHERE record_type = 'visit' AND action IN ('sign', 'baseline') "
             "AND record_id IS NOT NULL")


def status_problems(run: Run) -> list[Problem]:
    problems: list[Problem] = []
    signed_events = {int(visit_id) for (visit_id,) in run(_SIGNINGS, {})}
    status = {int(v): s for v, s in run(f"SELECT id, status FROM visit WHERE status = 'signed' OR id IN ({_SIGNINGS})",
                                        {})}
    for visit_id in sorted(signed_events | set(status)):
        state = status.get(visit_id)
        if state is None:
            problems.append(Problem("visit", visit_id, "the audit trail records its signing, but it is missing: "
                                                       "a signed visit was removed"))
        elif state != "signed":
            problems.append(Problem("visit", visit_id, "the audit trail records its signing, but it is a draft "
                                                       "now: a signed visit was set back to draft"))
        elif visit_id not in signed_events:
            problems.append(Problem("visit", visit_id, "signed, but the audit trail has no signing of it: it was "
                                                       "made signed outside the app"))
    return problems
