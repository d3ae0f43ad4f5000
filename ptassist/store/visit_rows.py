"""Visit and addendum rows as plain records, shared by the ORM store and the sqlite3 sheet store.

Standard library only: :mod:`ptassist.store.sheet_store` prints sheets without loading the ORM.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from ptassist.core.records import Addendum, Clinician, Visit, VisitSummary

SCORE_COLUMNS = ("nprs", "lefs", "odi", "psfs")
VISIT_COLUMNS = (
    "id", "patient_id", "clinician_id", "visit_time", "kind", "status", "version", "intake_json", "assessment_z",
    "ruleset_version", "narrative_json", "measures_json", "prescription_json", "updated_at", "updated_by",
    "signed_at", "signed_by", "content_hash", "prev_hash", "time_zone", "signer_credentials", "signer_licence",
    "signer_contact", "signature", "background_json", "care_json",
)
ADDENDUM_COLUMNS = ("id", "visit_id", "text", "clinician_name", "created_at", "content_hash", "prev_hash")
HISTORY_SQL = (
    f"SELECT id, visit_time, kind, status, working_diagnosis, urgency, {', '.join(SCORE_COLUMNS)} "
    "FROM visit WHERE patient_id = :p ORDER BY visit_time DESC, id DESC"
)


def decompress(blob: bytes | None) -> dict[str, Any] | None:
    if blob is None:
        return None
    loaded: dict[str, Any] = json.loads(zlib.decompress(blob).decode("utf-8"))
    return loaded


def sheet_code(signature: str | None, content_hash: str | None) -> str:
    """The short verification code a sheet printed from a signed visit carries ("" when unsigned)."""
    if not signature or not content_hash:
        return ""
    from ptassist.security.encoding import unb64
    from ptassist.security.errors import StoredSecretError
    from ptassist.security.signing import verification_code

    try:
        return verification_code(unb64(signature), content_hash.encode("ascii"))
    except StoredSecretError:
        return ""  # a damaged signature: verify reports it; the sheet prints without a code


def visit_from_columns(row: Mapping[str, Any], clinician_name: str | None = None) -> Visit:
    """A visit from its columns (names as in :data:`VISIT_COLUMNS`)."""
    signer = None
    if row["signed_by"]:
        signer = Clinician(row["clinician_id"] or 0, row["signed_by"], row["signer_credentials"] or "",
                           row["signer_licence"] or "", row["signer_contact"] or "")
    return Visit(
        id=row["id"] or 0,
        patient_id=row["patient_id"],
        visit_time=row["visit_time"],
        kind=row["kind"],
        status=row["status"],
        version=row["version"],
        intake=json.loads(row["intake_json"]) if row["intake_json"] else None,
        assessment=decompress(row["assessment_z"]),
        ruleset_version=row["ruleset_version"],
        narrative=json.loads(row["narrative_json"]),
        measures=json.loads(row["measures_json"]),
        prescription=json.loads(row["prescription_json"]),
        clinician_name=clinician_name,
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        signed_at=row["signed_at"],
        signed_by=row["signed_by"],
        content_hash=row["content_hash"],
        verification_code=sheet_code(row["signature"], row["content_hash"]),
        prev_hash=row["prev_hash"],
        time_zone=row["time_zone"] or "",
        signer=signer,
        background=json.loads(row["background_json"]) if row["background_json"] else None,
        care=json.loads(row["care_json"]) if row["care_json"] else {},
    )


def addendum_from_columns(row: Mapping[str, Any]) -> Addendum:
    return Addendum(id=row["id"] or 0, visit_id=row["visit_id"], text=row["text"],
                    clinician_name=row["clinician_name"], created_at=row["created_at"],
                    content_hash=row["content_hash"], prev_hash=row["prev_hash"])


def summary_from_row(r: Sequence[Any]) -> VisitSummary:
    """One row of :data:`HISTORY_SQL`."""
    return VisitSummary(
        id=r[0],
        visit_time=r[1],
        kind=r[2],
        status=r[3],
        working_diagnosis=tuple(x for x in r[4].split(",") if x),
        urgency=r[5],
        scores={name: r[6 + i] for i, name in enumerate(SCORE_COLUMNS) if r[6 + i] is not None},
    )
