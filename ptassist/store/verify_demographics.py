"""Verify patient demographics: each patient equals its newest revision, each revision its audit event."""

from __future__ import annotations

import json

from ptassist.store.audit_chain import Run
from ptassist.store.demographics import DEMOGRAPHIC_FIELDS, revision_digest
from ptassist.store.verify_report import Problem

_REVISIONS = ("SELECT r.patient_id, r.revision, r.fields_json, r.sha256, e.record_type, e.record_id, e.digest "
              "FROM patient_revision r LEFT JOIN audit_event e ON e.id = r.audit_event_id "
              "ORDER BY r.patient_id, r.revision")


def demographics_problems(run: Run) -> list[Problem]:
    problems: list[Problem] = []
    newest: dict[int, dict[str, object]] = {}
    counts: dict[int, int] = {}
    for row in run(_REVISIONS, {}):
        patient_id, revision = int(row[0]), int(row[1])
        fields_json, recorded, event_type, event_patient, event_digest = row[2:]
        counts[patient_id] = counts.get(patient_id, 0) + 1
        if revision != counts[patient_id]:
            problems.append(Problem("patient", patient_id, f"revision {revision} follows a missing revision: "
                                                           "demographics revisions were removed"))
            counts[patient_id] = revision
        if revision_digest(patient_id, revision, fields_json) != recorded:
            problems.append(Problem("patient", patient_id, f"revision {revision} does not match its SHA-256: "
                                                           "it was changed outside the app"))
        elif (event_type, event_patient, event_digest) != ("patient", patient_id, recorded):
            problems.append(Problem("patient", patient_id, f"revision {revision} does not match the audit trail: "
                                                           "it was changed or added outside the app"))
        newest[patient_id] = json.loads(fields_json)
    for patient_id, *values in run(f"SELECT id, {', '.join(DEMOGRAPHIC_FIELDS)} FROM patient ORDER BY id", {}):
        saved = newest.get(int(patient_id))
        if saved is None:
            problems.append(Problem("patient", int(patient_id), "no revision of its demographics was recorded: it "
                                                                "was added outside the app"))
            continue
        changed = [name for name, value in zip(DEMOGRAPHIC_FIELDS, values, strict=True) if saved.get(name) != value]
        if changed:
            verb = "differs" if len(changed) == 1 else "differ"
            problems.append(Problem("patient", int(patient_id), f"{', '.join(changed)} {verb} from its last "
                                                                "recorded revision: changed outside the app"))
    return problems
