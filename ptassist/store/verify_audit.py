"""Verify the audit chain: every event's hash and link, no gap in the ids, and the audit head."""

from __future__ import annotations

from ptassist.core.ledger import GENESIS
from ptassist.store.audit_chain import AUDIT_FIELDS, Run, audit_hash
from ptassist.store.verify_report import Problem

CHANGED = "it does not match its hash: the event was changed"
RELINKED = "its link to the previous event does not match: an event before it was changed or removed"


def audit_problems(run: Run) -> list[Problem]:
    problems: list[Problem] = []
    expected_prev, expected_id = GENESIS, 1
    rows = run(f"SELECT {', '.join(AUDIT_FIELDS)}, prev_hash, hash FROM audit_event ORDER BY id", {})
    for *values, prev, stored in rows:
        event_id = int(values[0])
        if event_id != expected_id:
            problems.append(Problem("audit_event", event_id, f"events {expected_id} to {event_id - 1} before it "
                                                             "are missing: audit events were removed"))
        if prev != expected_prev:
            problems.append(Problem("audit_event", event_id, RELINKED))
        if audit_hash(prev, values) != stored:
            problems.append(Problem("audit_event", event_id, CHANGED))
        expected_prev, expected_id = stored, event_id + 1
    head = run("SELECT audit_seq, audit_hash FROM evidence_head WHERE id = 1", {})
    if not head:
        problems.append(Problem("audit_head", None, "the audit head is missing"))
    elif (int(head[0][0]), head[0][1]) != (expected_id - 1, expected_prev):
        problems.append(Problem("audit_head", None, f"the audit trail ends at event {expected_id - 1} but its head "
                                                    f"says {head[0][0]}: audit events were removed or added outside "
                                                    "the app"))
    return problems
