"""Patient demographics, versioned: every change the app makes is a revision, tied to the audit chain.

A revision holds the patient's fields as canonical JSON; its SHA-256 (over the patient id, the
revision number and the fields) is the ``digest`` of the audit event that records the change, so
a revision cannot be rewritten without breaking the audit chain, and a patient row changed behind
the app's back no longer equals its newest revision (:mod:`ptassist.store.verify_demographics`).

Standard library only (see :mod:`ptassist.store.audit_chain` for ``Run``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ptassist.core.ledger import canonical_json
from ptassist.store.audit_chain import Run, RunMany, append_event, append_events, one_by_one

DEMOGRAPHIC_FIELDS = (
    "chart_number", "family_name", "given_name", "date_of_birth", "sex", "phone", "email", "address",
    "referring_physician", "referring_practice", "referring_contact", "notes", "health_service_number",
)
# What identifies the patient on a signed note: kept in the visit's signed content (id12's v2 content).
IDENTITY_FIELDS = ("chart_number", "family_name", "given_name", "date_of_birth", "sex", "health_service_number")
_SELECT = f"SELECT id, {', '.join(DEMOGRAPHIC_FIELDS)} FROM patient"


def demographics_snapshot(row: Any) -> dict[str, Any]:
    """The patient's identifying details as a signed visit keeps them (a row object or a mapping)."""
    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    return {name: get(name) for name in IDENTITY_FIELDS}


def revision_digest(patient_id: int, revision: int, fields_json: str) -> str:
    payload = canonical_json({"patient_id": patient_id, "revision": revision, "fields": json.loads(fields_json)})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def fields_of(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in DEMOGRAPHIC_FIELDS}


def record_revision(run: Run, patient_id: int, *, actor: str, action: str, at: str) -> int:
    """Keep the patient's current fields as their next revision, audited; returns the revision number."""
    rows = run(f"{_SELECT} WHERE id = :id", {"id": patient_id})
    fields = dict(zip(DEMOGRAPHIC_FIELDS, rows[0][1:], strict=True))
    return _insert(run, patient_id, fields, actor=actor, action=action, at=at)


def _insert(run: Run, patient_id: int, fields: Mapping[str, Any], *, actor: str, action: str, at: str) -> int:
    last = run("SELECT COALESCE(MAX(revision), 0) FROM patient_revision WHERE patient_id = :p", {"p": patient_id})
    revision = int(last[0][0]) + 1
    fields_json = canonical_json(dict(fields))
    digest = revision_digest(patient_id, revision, fields_json)
    event_id = append_event(run, at=at, actor=actor, action=action, record_type="patient", record_id=patient_id,
                            digest=digest)
    run("INSERT INTO patient_revision (patient_id, revision, fields_json, sha256, created_at, audit_event_id) "
        "VALUES (:p, :r, :f, :s, :at, :e)",
        {"p": patient_id, "r": revision, "f": fields_json, "s": digest, "at": at, "e": event_id})
    return revision


def baseline_revisions(run: Run, *, at: str, actor: str = "ptassist", many: RunMany | None = None) -> int:
    """A first revision for every patient without one (records from before migration 0006, an
    import, a demo build): it vouches for the fields as they are now, no earlier. Returns how many."""
    rows = run(f"{_SELECT} WHERE NOT EXISTS (SELECT 1 FROM patient_revision r WHERE r.patient_id = patient.id) "
               "ORDER BY id", {})
    revisions = [(int(row[0]), canonical_json(dict(zip(DEMOGRAPHIC_FIELDS, row[1:], strict=True)))) for row in rows]
    digests = [revision_digest(patient_id, 1, fields_json) for patient_id, fields_json in revisions]
    events = append_events(run, [(at, actor, "baseline", "patient", patient_id, digest)
                                 for (patient_id, _), digest in zip(revisions, digests, strict=True)], many)
    (many or one_by_one(run))(
        "INSERT INTO patient_revision (patient_id, revision, fields_json, sha256, created_at, audit_event_id) "
        "VALUES (:p, 1, :f, :s, :at, :e)",
        [{"p": patient_id, "f": fields_json, "s": digest, "at": at, "e": event_id}
         for (patient_id, fields_json), digest, event_id in zip(revisions, digests, events, strict=True)])
    return len(rows)
