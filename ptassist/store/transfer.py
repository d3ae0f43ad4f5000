"""Export the whole database as documented JSON, and import such an export into an empty database.

Format ``ptassist-export/1`` (docs/records.md; its JSON Schema is resources/schemas/export.schema.json):
one JSON object whose arrays hold every row in
id order; JSON parts of a visit appear as objects, binary parts as base64 with their SHA-256.
Export then import then export gives identical bytes.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ptassist.core.ledger import canonical_json
from ptassist.core.validation import search_key
from ptassist.store import audit
from ptassist.store.audit_chain import Run, baseline_signings, link_rows
from ptassist.store.clock import now_iso
from ptassist.store.database import Database, current_revision
from ptassist.store.demographics import baseline_revisions
from ptassist.store.errors import StoreError
from ptassist.store.export_checks import ExportError, check_chain_rows, check_records
from ptassist.store.export_schema import SchemaViolationError, check, export_schema, structure_problem
from ptassist.store.revisions import HEAD, KNOWN_REVISIONS
from ptassist.store.sql_run import connection_runner

EXPORT_FORMAT = "ptassist-export/1"
# (export key, table, columns in order)
TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("clinic_settings", "clinic_settings", ("id", "name", "address", "phone", "logo", "paper_size",
                                              "emergency_number", "time_zone")),
    ("clinicians", "clinician", ("id", "name", "credentials", "licence_number", "contact")),
    ("patients", "patient", (
        "id", "chart_number", "family_name", "given_name", "date_of_birth", "sex", "phone", "email", "address",
        "referring_physician", "referring_practice", "referring_contact", "notes", "created_at", "updated_at",
        "health_service_number",
    )),
    ("visits", "visit", (
        "id", "patient_id", "clinician_id", "visit_time", "kind", "status", "version", "intake_json", "assessment_z",
        "ruleset_version", "narrative_json", "measures_json", "prescription_json", "urgency", "working_diagnosis",
        "nprs", "lefs", "odi", "psfs", "updated_at", "updated_by", "signed_at", "signed_by", "chain_seq",
        "content_hash", "prev_hash", "time_zone", "signer_credentials", "signer_licence", "signer_contact",
    )),
    ("addenda", "addendum", ("id", "visit_id", "text", "clinician_name", "created_at", "chain_seq", "content_hash",
                             "prev_hash")),
    ("documents", "document", ("id", "visit_id", "kind", "content", "sha256", "created_at")),
    ("audit_events", "audit_event", ("id", "at", "actor", "action", "record_type", "record_id", "digest",
                                     "prev_hash", "hash")),
    ("patient_revisions", "patient_revision", ("id", "patient_id", "revision", "fields_json", "sha256",
                                               "created_at", "audit_event_id")),
    ("chain_head", "chain_head", ("id", "seq", "hash")),
)
JSON_COLUMNS = {"intake_json": "intake", "narrative_json": "narrative", "measures_json": "measures",
                "prescription_json": "prescription"}
BINARY_COLUMNS = {"logo": "logo_base64", "content": "content_base64"}
REVISION = re.compile(r"^[0-9]{4}$")
# Added in migration 0004: an export made before it lacks them, and their empty defaults apply.
SHEET_DETAIL_COLUMNS = {"emergency_number", "time_zone", "contact", "health_service_number", "signer_credentials",
                        "signer_licence", "signer_contact"}
# Added in migration 0006 (tamper evidence): an export made before it lacks them; the import then
# chains the audit events and records baseline evidence as the migration does.
EVIDENCE_COLUMNS = {"digest", "prev_hash", "hash"}
OPTIONAL_ARRAYS = {"patient_revisions"}


def _to_export(columns: tuple[str, ...], row: Any) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for name, value in zip(columns, row, strict=True):
        if name in JSON_COLUMNS:
            item[JSON_COLUMNS[name]] = json.loads(value) if value is not None else None
        elif name == "assessment_z":
            item["assessment"] = json.loads(zlib.decompress(value)) if value is not None else None
        elif name in BINARY_COLUMNS:
            item[BINARY_COLUMNS[name]] = base64.b64encode(value).decode("ascii") if value is not None else None
        else:
            item[name] = value
    return item


def _from_export(columns: tuple[str, ...], item: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in columns:
        if name in JSON_COLUMNS:
            raw = item.get(JSON_COLUMNS[name])
            values[name] = canonical_json(raw) if raw is not None else None
        elif name == "assessment_z":
            raw = item.get("assessment")
            values[name] = zlib.compress(canonical_json(raw).encode("utf-8"), 6) if raw is not None else None
        elif name in BINARY_COLUMNS:
            raw = item.get(BINARY_COLUMNS[name])
            values[name] = base64.b64decode(raw) if raw is not None else None
        else:
            values[name] = item.get(name, "" if name in SHEET_DETAIL_COLUMNS | EVIDENCE_COLUMNS else None)
    return values


def _write_array(out: IO[str], key: str, rows: Any, columns: tuple[str, ...], first: bool) -> int:
    out.write(("" if first else ",\n") + f'"{key}": [')
    count = 0
    for row in rows:
        item = json.dumps(_to_export(columns, row), ensure_ascii=False, sort_keys=True)
        out.write(("\n" if count == 0 else ",\n") + item)
        count += 1
    out.write("\n]" if count else "]")
    return count


def export_database(database: Database, target: Path, actor: str) -> dict[str, int]:
    """Write the export to ``target`` (via a temporary file); returns the row count per array."""
    counts: dict[str, int] = {}
    partial = target.with_name(target.name + ".partial")
    try:
        with database.engine.connect() as connection, open(partial, "w", encoding="utf-8") as out:
            # One read transaction: a consistent snapshot even while the app keeps saving.
            out.write("{\n")
            out.write(f'"format": "{EXPORT_FORMAT}",\n"schema_revision": "{current_revision(database.engine)}",\n')
            first = True
            for key, table, columns in TABLES:
                rows = connection.execute(text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"))
                counts[key] = _write_array(out, key, rows, columns, first)
                first = False
            out.write("\n}\n")
        partial.replace(target)
        target.chmod(0o600)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot write the export {target}: {exc.strerror or exc}") from None
    # Recorded after the snapshot, so that the file describes the database as it was exported.
    if not database.read_only:  # read-only records can be exported, but the event cannot be kept
        with database.transaction() as session:
            audit.record(session, actor, "export", "database", None)
    return counts


def _read_document(source: Path) -> Any:
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ExportError("", f"cannot be read ({exc.strerror or 'error'})") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ExportError("", "is not a ptassist export (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ExportError("", f"is not a ptassist export (not valid JSON: {exc.msg} at line {exc.lineno} "
                              f"column {exc.colno})") from None
    except RecursionError:
        raise ExportError("", "is not a ptassist export (not valid JSON: nested too deeply)") from None
    except ValueError:
        raise ExportError("", "is not a ptassist export (not valid JSON: a number is too long)") from None


def _check_revision(document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ExportError("", f"is not a ptassist export ({EXPORT_FORMAT})")
    revision = document.get("schema_revision")
    if revision is None:
        raise ExportError("schema_revision", "is missing: the file was not written by ptassist export")
    if not isinstance(revision, str) or not REVISION.match(revision):
        raise ExportError("schema_revision", "is not a ptassist schema revision: the file was not written by "
                                             "ptassist export")
    if revision not in KNOWN_REVISIONS:
        if revision > HEAD:
            raise ExportError("schema_revision", f"is newer than this ptassist knows (up to {HEAD}): update "
                                                 "ptassist, then import the file again")
        raise ExportError("schema_revision", "is not one this ptassist knows: the file was not written by ptassist")


def check_export(document: Any) -> list[tuple[str, str, tuple[str, ...], list[dict[str, Any]]]]:
    """Check a parsed export completely (schema, vocabulary, references, hash chain) without writing.

    Returns the rows to insert per table; raises :class:`ExportError` naming the first bad record.
    """
    _check_revision(document)
    for key, _table, _columns in TABLES:
        items = document.get(key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                problem = structure_problem(item)
                if problem:
                    raise ExportError(f"{key}[{index}]", problem)
    try:
        check(document, export_schema())
    except SchemaViolationError as exc:
        raise ExportError(exc.where, exc.problem) from None
    check_records(document)
    rows = {key: [_from_export(columns, item) for item in document.get(key, [] if key in OPTIONAL_ARRAYS else None)]
            for key, _table, columns in TABLES}
    check_chain_rows(rows)
    return [(key, table, columns, rows[key]) for key, table, columns in TABLES]


def adopt_evidence(run: Run, stamp: str) -> None:
    """After an import: the audit head is the newest imported link (``verify`` then checks every
    link as exported; those of an export from before migration 0006 were linked before writing),
    and signings and demographics without evidence get their baseline, as the migration does."""
    newest = run("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1", {})
    if newest:
        run("UPDATE evidence_head SET audit_seq = :s, audit_hash = :h WHERE id = 1",
            {"s": newest[0][0], "h": newest[0][1]})
    baseline_signings(run, at=stamp)
    baseline_revisions(run, at=stamp)


def _refuse_broken_evidence(run: Run) -> None:
    """The imported rows must hold together as ``verify`` checks them (an edited patient, audit
    event or sheet in the file): raised inside the import's transaction, so nothing is kept."""
    from ptassist.store.verify import FILE_CHECKS

    for file_check in FILE_CHECKS:
        for problem in file_check(run):
            where = f"{problem.record_type} {problem.record_id}" if problem.record_id else problem.record_type
            raise ExportError("", f"{where}: {problem.message}; the file was changed after it was exported, "
                                  "nothing was imported")


def import_database(database: Database, source: Path) -> dict[str, int]:
    """Load an export into an empty database, keeping every id, time and hash.

    The whole file is checked first (:func:`check_export`); then everything is written in one
    transaction, so a refused file writes nothing.
    """
    database.refuse_if_read_only()
    planned = check_export(_read_document(source))
    counts: dict[str, int] = {}
    try:
        with database.transaction() as session:
            connection = session.connection()
            for table in ("patient", "visit", "clinician", "addendum", "document", "audit_event"):
                if connection.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first():
                    raise StoreError("import needs an empty database: this one already holds records")
            connection.execute(text("DELETE FROM clinic_settings"))
            connection.execute(text("DELETE FROM chain_head"))
            plan = {key: rows for key, _table, _columns, rows in planned}
            link_rows(plan["audit_events"], {int(d["id"]): d["sha256"] for d in plan["documents"]})
            for key, table, columns, rows in planned:
                names = columns
                if table == "patient":  # the folded search name is derived, not exported
                    names = (*columns, "search_name")
                    for row in rows:
                        row["search_name"] = search_key(row["family_name"], row["given_name"])
                statement = text(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + c for c in names)})"
                )
                if rows:
                    connection.execute(statement, rows)
                counts[key] = len(rows)
            tables = [table for _key, table, _columns, _rows in planned]
            database.dialect.realign_ids(lambda sql: connection.execute(text(sql)), tables)
            run = connection_runner(connection)
            adopt_evidence(run, now_iso())
            _refuse_broken_evidence(run)
    except DBAPIError as exc:
        # SQLite's own words name the constraint, never the values (SQLAlchemy's text would).
        raise ExportError("", f"was refused by the database ({exc.orig}); nothing was imported") from None
    return counts
