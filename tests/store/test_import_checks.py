"""Import checks the whole export against its published schema and the vocabulary before writing:
a refused file writes nothing and the message names the record and key, never a value."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from ptassist.services.records import Records
from ptassist.store.export_schema import KEYWORDS, export_schema, used_keywords
from ptassist.store.revisions import HEAD
from ptassist.store.transfer import TABLES
from tests.store.import_fuzz import build_base, run_cli, sensitive_values

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "resources" / "schemas" / "export.schema.json"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    folder = tmp_path_factory.mktemp("empty") / "data"
    Records.open(folder).close()
    Records.open(folder).close()  # today's backup taken: the imports below take none
    return folder


@pytest.fixture
def folder(tmp_path, empty):
    target = tmp_path / "data"
    shutil.copytree(empty, target)
    return target


def refused(folder: Path, document: object, base: dict | None = None, raw: str | None = None) -> str:
    """Import ``document`` into an empty folder; assert the clean refusal and return the message."""
    before = hashlib.sha256((folder / "ptassist.db").read_bytes()).hexdigest()
    source = folder.parent / f"export-{len(list(folder.parent.iterdir()))}.json"
    source.write_text(raw if raw is not None else json.dumps(document), encoding="utf-8")
    status, _out, err = run_cli(folder, "import", str(source))
    assert status == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "unexpected" not in err and "nothing was imported" in err
    message = err.replace(str(source), "FILE")
    for secret in sensitive_values(base or {}):
        assert secret not in message
    assert hashlib.sha256((folder / "ptassist.db").read_bytes()).hexdigest() == before
    assert run_cli(folder, "patient", "list")[0] == 0
    return message


def changed(base: dict, key: str, index: int, field: str, value: object) -> dict:
    document = copy.deepcopy(base)
    document[key][index][field] = value
    return document


def test_the_published_schema_is_valid_and_accepts_a_real_export(base):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(base, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert used_keywords(export_schema()) <= KEYWORDS  # import interprets every keyword the file uses
    assert set(schema["properties"]) == {"format", "schema_revision", *(key for key, _t, _c in TABLES)}
    for key, _table, columns in TABLES:
        exported = {"logo": "logo_base64", "content": "content_base64", "intake_json": "intake",
                    "assessment_z": "assessment", "narrative_json": "narrative", "measures_json": "measures",
                    "prescription_json": "prescription", "background_json": "background", "content_json": "content",
                    "care_json": "care", "demographics_json": "demographics"}
        assert set(schema["properties"][key]["items"]["properties"]) == {exported.get(c, c) for c in columns}


@pytest.mark.parametrize(("key", "field", "value", "where", "words"), [
    ("patients", "date_of_birth", "not-a-date", "patients[1].date_of_birth", "is not a real date"),
    ("patients", "date_of_birth", "2023-02-30", "patients[1].date_of_birth", "is not a real date"),
    ("patients", "date_of_birth", "2999-01-01", "patients[1].date_of_birth", "is in the future"),
    ("patients", "family_name", 42, "patients[1].family_name", "must be text"),
    ("patients", "family_name", "Okafor\nInjected", "patients[1].family_name", "must be a single line"),
    ("patients", "given_name", "Ali\u202ece", "patients[1].given_name", "contains an invisible text-direction override (U+202E)"),
    ("patients", "notes", "x" * 20001, "patients[1].notes", "is 20001 characters long; at most 20000 are allowed"),
    ("patients", "sex", "f", "patients[1].sex", "must be one of female, male, other, unknown, null"),
    ("visits", "kind", "coffee", "visits[2].kind", "must be one of initial_evaluation"),
    ("visits", "patient_id", 999, "visits[2].patient_id", "names no patient in the file"),
    ("visits", "version", "2", "visits[2].version", "must be a whole number"),
    ("documents", "content_base64", "@@not base64@@", "documents[0].content_base64", "is not in the expected form"),
    ("documents", "content_base64", "QUJD", "documents[0].content_base64", "does not match its sha256"),
    ("clinic_settings", "logo_base64", "QUJ", "clinic_settings[0].logo_base64", "is not valid base64"),
])
def test_a_bad_field_is_refused_naming_the_record_and_key(folder, base, key, field, value, where, words):
    message = refused(folder, changed(base, key, 2 if key == "visits" else 1 if key == "patients" else 0,
                                        field, value), base)
    assert f"FILE: {where}: {words}" in message
    if isinstance(value, str) and len(value) > 3:
        assert value not in message


def test_a_missing_field_is_refused_without_the_rows_in_the_message(folder, base):
    document = copy.deepcopy(base)
    del document["visits"][5]["kind"]
    message = refused(folder, document, base)
    assert "FILE: visits[5].kind: is missing" in message and len(message) < 200


def test_an_unknown_finding_in_an_intake_is_refused_without_its_name(folder, base):
    document = copy.deepcopy(base)
    visit = next(i for i, v in enumerate(document["visits"]) if v["intake"])
    document["visits"][visit]["intake"]["findings"]["Secret Name Here"] = True
    message = refused(folder, document, base)
    assert f"FILE: visits[{visit}].intake.findings.(a key): unknown finding id" in message
    assert "Secret" not in message


def test_a_changed_signed_visit_breaks_the_chain_and_is_refused(folder, base):
    document = copy.deepcopy(base)
    signed = next(i for i, v in enumerate(document["visits"]) if v["status"] == "signed")
    document["visits"][signed]["narrative"]["plan"] = "rewritten after signing"
    message = refused(folder, document, base)
    assert f"FILE: visits[{signed}]: the hash chain does not hold: content does not match its hash" in message


@pytest.mark.parametrize(("revision", "words"), [
    ("9999", f"schema_revision: is newer than this ptassist knows (up to {HEAD}): update ptassist, then import"),
    ("abcd", "schema_revision: is not a ptassist schema revision"),
    (3, "schema_revision: is not a ptassist schema revision"),
])
def test_an_unknown_or_newer_revision_is_refused_with_what_to_do(folder, base, revision, words):
    document = copy.deepcopy(base)
    document["schema_revision"] = revision
    assert words in refused(folder, document, base)


def test_a_file_with_only_the_format_is_refused(folder):
    assert "schema_revision: is missing" in refused(folder, {"format": "ptassist-export/1"})
    only_revision = {"format": "ptassist-export/1", "schema_revision": HEAD}
    assert "FILE: clinic_settings: is missing" in refused(folder, only_revision)


def test_deep_nesting_huge_numbers_and_broken_text_are_refused(folder, base):
    deep = json.dumps(changed(base, "visits", 0, "narrative", "__deep__"))
    deep = deep.replace('"__deep__"', "[" * 100_000 + "]" * 100_000)
    assert "not valid JSON: nested too deeply" in refused(folder, None, base, raw=deep)
    document = copy.deepcopy(base)
    nested: object = 1
    for _ in range(40):
        nested = [nested]
    document["visits"][0]["measures"] = {"NPRS": nested}
    assert "FILE: visits[0]: nests objects or lists more than 32 levels deep" in refused(folder, document)
    assert "a number is too long" in refused(folder, None, raw='{"format": ' + "9" * 5000 + "}")
    lone = json.dumps(changed(base, "patients", 0, "family_name", "\ud800"), ensure_ascii=True)
    assert "FILE: patients[0]: contains bytes that are not valid text" in refused(folder, None, raw=lone)


def test_a_good_export_imports_whole_and_verifies(folder, base):
    source = folder.parent / "export.json"
    source.write_text(json.dumps(base), encoding="utf-8")
    status, _out, err = run_cli(folder, "import", str(source))
    assert status == 0, err
    assert run_cli(folder, "verify")[0] == 0
    again = folder.parent / "again.json"
    assert run_cli(folder, "export", str(again), "--plaintext")[0] == 0
    back = json.loads(again.read_text(encoding="utf-8"))
    assert {k: v for k, v in back.items() if k != "audit_events"} == {k: v for k, v in base.items() if k != "audit_events"}
