"""What an export must hold beyond its JSON Schema: real dates, the vocabulary, references between
records, signed visits that are whole, and a hash chain that holds.

Every problem names the record by its array and index (``visits[12].intake.findings``) and says
what is wrong, never what the value is: an export is full of patient details.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from ptassist.core.background import default_background_rules, parse_background
from ptassist.core.care import parse_care
from ptassist.core.errors import IntakeError
from ptassist.core.intake import parse_intake
from ptassist.core.measures import MeasureError, score_visit_measures
from ptassist.core.validation import ValidationError, check_chart_number, check_email, parse_date
from ptassist.core.vocabulary import load_vocabulary
from ptassist.store.documents import MAX_LOGO_BYTES
from ptassist.store.errors import StoreError
from ptassist.store.export_schema import key_name
from ptassist.store.models import AddendumRow, ChainHeadRow, SigningKeyRow, VisitRow
from ptassist.store.verify import chain_problems

SIGNED_FIELDS = ("signed_at", "signed_by", "chain_seq", "content_hash", "prev_hash", "assessment", "ruleset_version")
MEASURE_IDS = ("NPRS", "LEFS", "ODI", "PSFS", "STarTBack")


class ExportError(StoreError):
    """An export that cannot be imported; ``where`` names the record and key, never a value."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


def safe_reason(message: str) -> str:
    """A core validation message with anything quoted from the input taken out."""
    reason = message.split("; got", maxsplit=1)[0].split(" (did you mean", maxsplit=1)[0].strip()
    if any(mark in reason for mark in "'\"") or not reason:
        return "has a value that is not allowed"
    return reason


def safe_path(key: str) -> str:
    return ".".join(key_name(part) for part in re.split(r"[.\[\]]+", key) if part)


def _unique(items: Iterable[tuple[int, Any]], key: str, field: str, what: str) -> None:
    seen: set[Any] = set()
    for index, value in items:
        if value in seen:
            raise ExportError(f"{key}[{index}].{field}", f"is the same as another {what}'s")
        seen.add(value)


def _field_check(where: str, check: Any, *args: Any) -> None:
    try:
        check(*args)
    except ValidationError as exc:
        reason = str(exc).removeprefix(f"{exc.field}: ")
        raise ExportError(where, safe_reason(reason)) from None


def _check_patients(patients: list[dict[str, Any]]) -> None:
    for index, patient in enumerate(patients):
        where = f"patients[{index}]"
        _field_check(f"{where}.date_of_birth", parse_date, patient["date_of_birth"], "date_of_birth")
        _field_check(f"{where}.chart_number", check_chart_number, patient["chart_number"])
        _field_check(f"{where}.email", check_email, patient["email"])
    _unique(enumerate(p["chart_number"] for p in patients), "patients", "chart_number", "patient")


def _check_visit_content(where: str, visit: dict[str, Any]) -> None:
    if visit["intake"] is not None:
        try:
            parse_intake(visit["intake"], load_vocabulary())
        except IntakeError as exc:
            path = safe_path(exc.key)
            raise ExportError(f"{where}.intake" + (f".{path}" if path else ""), safe_reason(exc.message)) from None
    try:
        score_visit_measures(visit["measures"])
    except MeasureError as exc:
        measure = next((m for m in MEASURE_IDS if str(exc).startswith(m)), None)
        raise ExportError(f"{where}.measures" + (f".{measure}" if measure else ""),
                          "are not valid outcome-measure answers (see resources/clinical/measures.toml)") from None
    if visit["status"] == "signed":
        for name in SIGNED_FIELDS:
            if visit[name] is None:
                raise ExportError(f"{where}.{name}", "is missing on a signed visit")
    else:
        for name in ("signed_at", "signed_by", "chain_seq", "content_hash", "prev_hash"):
            if visit[name] is not None:
                raise ExportError(f"{where}.{name}", "is set on a draft (only signed visits have it)")


def _check_background(where: str, content: Any) -> None:
    if content is None:
        return
    try:
        parse_background(content, default_background_rules())
    except ValidationError as exc:
        path = re.sub(r"\[([0-9]+)\]", r".\1", exc.field.removeprefix("background")).strip(".")
        parts = [f"[{p}]" if p.isdigit() else f".{key_name(p)}" for p in path.split(".") if p]
        raise ExportError(where + "".join(parts), "is not a valid background entry "
                          "(see resources/clinical/background.toml)") from None


def _check_endorsements(document: dict[str, Any]) -> None:
    """Every endorsement names a signing key of the file (whether it holds is verify's to say)."""
    endorsements = document.get("key_endorsements", [])
    _unique(enumerate(item["id"] for item in endorsements), "key_endorsements", "id", "record")
    key_ids = {item["id"] for item in document.get("signing_keys", [])}
    for index, item in enumerate(endorsements):
        if item["key_id"] not in key_ids:
            raise ExportError(f"key_endorsements[{index}].key_id", "names no signing key in the file")


def _check_backgrounds(document: dict[str, Any], patient_ids: set[int]) -> None:
    versions = document["patient_backgrounds"]
    _unique(enumerate(item["id"] for item in versions), "patient_backgrounds", "id", "record")
    _unique(enumerate((item["patient_id"], item["version"]) for item in versions), "patient_backgrounds",
            "version", "version of that patient's background")
    for index, item in enumerate(versions):
        if item["patient_id"] not in patient_ids:
            raise ExportError(f"patient_backgrounds[{index}].patient_id", "names no patient in the file")
        _check_background(f"patient_backgrounds[{index}].content", item["content"])
    for index, visit in enumerate(document["visits"]):
        _check_background(f"visits[{index}].background", visit.get("background"))
        if visit.get("care") is not None:
            _field_check(f"visits[{index}].care", parse_care, visit["care"])


def check_records(document: dict[str, Any]) -> None:
    """Everything beyond the schema, record by record; raises :class:`ExportError` for the first problem."""
    for key in ("clinic_settings", "clinicians", "patients", "visits", "addenda", "documents", "audit_events"):
        _unique(enumerate(item["id"] for item in document[key]), key, "id", "record")
    _check_patients(document["patients"])
    _unique(enumerate(c["name"] for c in document["clinicians"]), "clinicians", "name", "clinician")
    for index, settings in enumerate(document["clinic_settings"]):
        logo = settings["logo_base64"]
        if logo is not None and len(base64.b64decode(logo)) > MAX_LOGO_BYTES:
            raise ExportError(f"clinic_settings[{index}].logo_base64", "is larger than 2 MB")
    patient_ids = {p["id"] for p in document["patients"]}
    clinician_ids = {c["id"] for c in document["clinicians"]}
    _check_backgrounds(document, patient_ids)
    _check_endorsements(document)
    signed_visits: set[int] = set()
    visit_ids: set[int] = set()
    for index, visit in enumerate(document["visits"]):
        where = f"visits[{index}]"
        if visit["patient_id"] not in patient_ids:
            raise ExportError(f"{where}.patient_id", "names no patient in the file")
        if visit["clinician_id"] is not None and visit["clinician_id"] not in clinician_ids:
            raise ExportError(f"{where}.clinician_id", "names no clinician in the file")
        _check_visit_content(where, visit)
        visit_ids.add(visit["id"])
        if visit["status"] == "signed":
            signed_visits.add(visit["id"])
    for key, what in (("addenda", "addendum"), ("documents", "printed sheet")):
        for index, item in enumerate(document[key]):
            if item["visit_id"] not in visit_ids:
                raise ExportError(f"{key}[{index}].visit_id", "names no visit in the file")
            if item["visit_id"] not in signed_visits:
                raise ExportError(f"{key}[{index}].visit_id", f"names a draft: only a signed visit has an {what}"
                                  if what == "addendum" else "names a draft: only a signed visit keeps its sheets")
    for index, item in enumerate(document["documents"]):
        if hashlib.sha256(base64.b64decode(item["content_base64"])).hexdigest() != item["sha256"]:
            raise ExportError(f"documents[{index}].content_base64", "does not match its sha256")


def check_chain_rows(rows: dict[str, list[dict[str, Any]]]) -> None:
    """The hash chain over the rows about to be written holds, exactly as ``ptassist verify`` checks it."""
    visits = [VisitRow(**row) for row in rows["visits"]]
    addenda = [AddendumRow(**row) for row in rows["addenda"]]
    keys = [SigningKeyRow(**row) for row in rows["signing_keys"]]
    head = ChainHeadRow(**rows["chain_head"][0]) if rows["chain_head"] else None
    report = chain_problems(visits, addenda, head, keys)
    if report.ok:
        return
    problem = report.problems[0]
    key = {"visit": "visits", "addendum": "addenda", "key": "signing_keys"}.get(problem.record_type, "chain_head")
    index = 0
    if key != "chain_head":
        index = next(i for i, row in enumerate(rows[key]) if row["id"] == problem.record_id)
    raise ExportError(f"{key}[{index}]", f"the hash chain does not hold: {problem.message}")
