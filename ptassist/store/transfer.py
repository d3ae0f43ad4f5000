"""Export the whole database as documented JSON, and import such an export into an empty database.

Format ``ptassist-export/1`` (docs/records.md; its JSON Schema is resources/schemas/export.schema.json):
one JSON object whose arrays hold every row in
id order; JSON parts of a visit appear as objects, binary parts as base64 with their SHA-256.
Export then import then export gives identical bytes.

Exports are encrypted unless asked otherwise: the JSON goes through
:mod:`ptassist.security.export_container` (a ``.ptx`` file opened by a passphrase chosen for the
export or by the clinic's recovery key; docs/formats.md) and never touches the disk in plain
text. Import reads both kinds.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ptassist.core.ledger import canonical_json
from ptassist.core.validation import search_key
from ptassist.security import export_container
from ptassist.security.argon2_params import PRODUCTION, Argon2Parameters
from ptassist.security.errors import SecurityError
from ptassist.security.export_container import ExportSecret
from ptassist.security.files import private_writer
from ptassist.store import audit
from ptassist.store.account_lookup import name_key
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
    ("accounts", "account", ("id", "name", "roles", "credentials", "registration", "contact", "active", "created_at",
                             "fingerprint")),
    ("signing_keys", "signing_key", ("id", "account_id", "account_name", "public_key", "fingerprint", "created_at",
                                     "tag", "chain_seq", "content_hash", "prev_hash")),
    ("key_endorsements", "key_endorsement", ("id", "key_id", "endorser", "roles", "recovery_public_key", "signature",
                                             "created_at")),
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
        "content_version", "signer_key_id", "signature", "background_json", "care_json",
        "demographics_json",
    )),
    ("patient_backgrounds", "patient_background", ("id", "patient_id", "version", "content_json", "created_at",
                                                    "created_by")),
    ("addenda", "addendum", ("id", "visit_id", "text", "clinician_name", "created_at", "chain_seq", "content_hash",
                             "prev_hash", "content_version", "signer_key_id", "signature")),
    ("documents", "document", ("id", "visit_id", "kind", "content", "sha256", "created_at")),
    ("audit_events", "audit_event", ("id", "at", "actor", "action", "record_type", "record_id", "digest",
                                     "prev_hash", "hash")),
    ("patient_revisions", "patient_revision", ("id", "patient_id", "revision", "fields_json", "sha256",
                                               "created_at", "audit_event_id")),
    ("chain_head", "chain_head", ("id", "seq", "hash")),
)
JSON_COLUMNS = {"intake_json": "intake", "narrative_json": "narrative", "measures_json": "measures",
                "prescription_json": "prescription", "background_json": "background", "content_json": "content",
                "care_json": "care", "demographics_json": "demographics"}
BINARY_COLUMNS = {"logo": "logo_base64", "content": "content_base64"}
REVISION = re.compile(r"^[0-9]{4}$")
# Added in migration 0007: an export made before it has none (imported as empty).
BACKGROUND_ARRAYS = ("patient_backgrounds",)
# Added in migration 0004: an export made before it lacks them, and their empty defaults apply.
SHEET_DETAIL_COLUMNS = {"emergency_number", "time_zone", "contact", "health_service_number", "signer_credentials",
                        "signer_licence", "signer_contact"}
# Added in migration 0005: an export made before it has no accounts or signatures (content version 1).
SIGNATURE_DEFAULTS: dict[str, Any] = {"content_version": 1, "fingerprint": ""}
# Added in migration 0006 (tamper evidence): an export made before it lacks them; the import then
# chains the audit events and records baseline evidence as the migration does.
EVIDENCE_COLUMNS = {"digest", "prev_hash", "hash"}
# Added in migration 0008: an export made before it has no endorsements (the first administrator to
# open the imported records endorses the keys, as after the migration).
ENDORSEMENT_ARRAYS = ("key_endorsements",)
OPTIONAL_ARRAYS = ("accounts", "signing_keys", "patient_revisions", *BACKGROUND_ARRAYS, *ENDORSEMENT_ARRAYS)
# The revision that added each column an older export may lack (then filled as above): an export at
# that revision or later was written with it, so a record without it is refused, never filled in.
ADDED_IN: dict[str, str] = {
    **dict.fromkeys(SHEET_DETAIL_COLUMNS, "0004"),
    **dict.fromkeys(SIGNATURE_DEFAULTS, "0005"),
    **dict.fromkeys(EVIDENCE_COLUMNS, "0006"),
    **dict.fromkeys(("background_json", "care_json", "demographics_json"), "0007"),
}


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
            values[name] = item.get(name, "" if name in SHEET_DETAIL_COLUMNS | EVIDENCE_COLUMNS
                                    else SIGNATURE_DEFAULTS.get(name))
    return values


def _array_text(key: str, rows: Any, columns: tuple[str, ...], first: bool, counts: dict[str, int]) -> Iterator[str]:
    yield ("" if first else ",\n") + f'"{key}": ['
    count = 0
    for row in rows:
        item = json.dumps(_to_export(columns, row), ensure_ascii=False, sort_keys=True)
        yield ("\n" if count == 0 else ",\n") + item
        count += 1
    yield "\n]" if count else "]"
    counts[key] = count


def _export_bytes(connection: Any, revision: str | None, counts: dict[str, int]) -> Iterator[bytes]:
    """The export, piece by piece, as UTF-8 (the same bytes every time over the same snapshot)."""
    yield f'{{\n"format": "{EXPORT_FORMAT}",\n"schema_revision": "{revision}",\n'.encode()
    for index, (key, table, columns) in enumerate(TABLES):
        rows = connection.execute(text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"))
        for piece in _array_text(key, rows, columns, index == 0, counts):
            yield piece.encode("utf-8")
    yield b"\n}\n"


class _PieceReader:
    """A read-only binary stream over pieces of bytes (what the encrypting stream reads from)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces = pieces
        self.buffer = bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            piece = next(self.pieces, None)
            if piece is None:
                break
            self.buffer += piece
        taken = bytes(self.buffer if size < 0 else self.buffer[:size])
        del self.buffer[:len(taken)]
        return taken


def export_database(database: Database, target: Path, actor: str, secret: ExportSecret | None = None, *,
                    params: Argon2Parameters = PRODUCTION) -> dict[str, int]:
    """Write the export to ``target`` (atomically, 0600); returns the row count per array.

    With ``secret`` (a :class:`~ptassist.security.export_container.Passphrase` or the recovery
    key) the file is an encrypted container; the plain JSON is never written to disk: its length
    is counted in a first pass over the same read snapshot, then it is encrypted as it is read.
    ``secret=None`` writes the plain JSON (``--plaintext``: it holds readable patient data).
    """
    counts: dict[str, int] = {}
    try:
        with database.engine.connect() as connection, private_writer(target) as out:
            # One read transaction: a consistent snapshot even while the app keeps saving.
            revision = current_revision(database.engine)
            if secret is None:
                for piece in _export_bytes(connection, revision, counts):
                    out.write(piece)
            else:
                length = sum(len(piece) for piece in _export_bytes(connection, revision, {}))
                source = _PieceReader(_export_bytes(connection, revision, counts))
                # encrypt_stream only calls read(n) on its source.
                export_container.encrypt_stream(cast(BinaryIO, source), out, secret, length, params=params)
    except OSError as exc:
        raise StoreError(f"cannot write the export {target}: {exc.strerror or exc}") from None
    # Recorded after the snapshot, so that the file describes the database as it was exported.
    if not database.read_only:  # read-only records can be exported, but the event cannot be kept
        with database.transaction() as session:
            audit.record(session, actor, "export", "database", None)
    return counts


def is_encrypted_export(source: Path) -> bool:
    """Whether ``source`` starts like an encrypted export container (``.ptx``)."""
    try:
        with open(source, "rb") as handle:
            return handle.read(len(export_container.MAGIC)) == export_container.MAGIC
    except OSError:
        return False


def _read_document(source: Path, secret: ExportSecret | None = None) -> Any:
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ExportError("", f"cannot be read ({exc.strerror or 'error'})") from None
    if raw.startswith(export_container.MAGIC):
        if secret is None:
            raise ExportError("", "is an encrypted export: give its passphrase or the recovery key to import it")
        try:
            raw = export_container.decrypt_bytes(raw, secret)
        except SecurityError as exc:
            raise ExportError("", f"cannot be opened: {exc}") from None
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


def export_revision(source: Path) -> str:
    """The schema revision of a plain export at ``source`` (ExportError if it is not one ptassist reads)."""
    document = _read_document(source)
    _check_revision(document)
    return str(document["schema_revision"])


def _refuse_missing_columns(document: dict[str, Any]) -> None:
    """Every record of an export carries the columns its schema revision already had."""
    revision = str(document["schema_revision"])
    for key, _table, columns in TABLES:
        required = [JSON_COLUMNS.get(name, name) for name in columns if ADDED_IN.get(name, "9999") <= revision]
        for index, item in enumerate(document.get(key) or []):
            missing = [name for name in required if name not in item]
            if missing:
                raise ExportError(f"{key}[{index}]", f"lacks {missing[0]}, which every record of a schema revision "
                                  f"{revision} export has: the file was changed after ptassist wrote it")


def check_export(document: Any) -> list[tuple[str, str, tuple[str, ...], list[dict[str, Any]]]]:
    """Check a parsed export completely (schema, vocabulary, references, hash chain) without writing.

    Returns the rows to insert per table; raises :class:`ExportError` naming the first bad record.
    """
    _check_revision(document)
    if document["schema_revision"] >= "0008" and document.get("signing_keys") and "key_endorsements" not in document:
        raise ExportError("key_endorsements", "is missing, which every export of schema revision 0008 or later with "
                                              "signing keys has: the file was changed after ptassist wrote it")
    for key in (*BACKGROUND_ARRAYS, *ENDORSEMENT_ARRAYS):
        document.setdefault(key, [])
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
    _refuse_missing_columns(document)
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


def import_database(database: Database, source: Path, secret: ExportSecret | None = None) -> dict[str, int]:
    """Load an export (plain JSON, or encrypted and opened with ``secret``) into an empty database,
    keeping every id, time and hash.

    The whole file is checked first (:func:`check_export`); then everything is written in one
    transaction, so a refused file writes nothing.
    """
    database.refuse_if_read_only()
    planned = check_export(_read_document(source, secret))
    counts: dict[str, int] = {}
    try:
        with database.transaction() as session:
            connection = session.connection()
            for table in ("patient", "visit", "clinician", "addendum", "document", "audit_event", "account",
                          "signing_key", "key_endorsement", "patient_background"):
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
                elif table == "account":  # so is the case-blind name
                    names = (*columns, "name_key")
                    for row in rows:
                        row["name_key"] = name_key(row["name"])
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
