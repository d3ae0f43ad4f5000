"""A seeded mutator of ptassist exports and the check that import treats every mutant safely.

Used by tests/store/test_import_fuzz.py (a modest campaign on every run) and by hand for a bigger
one::

    .venv/bin/python -m tests.store.import_fuzz 5000 [SEED]

Every mutant must be either refused cleanly (exit 2, one line, no value from the file in the
message, the database byte-for-byte unchanged) or imported whole (every record back out of a new
export exactly as it went in, the hash chain verified, the patient list readable).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptassist import cli
from ptassist.core.records import ClinicSettings
from ptassist.services.records import Records
from ptassist.store.demo import build_demo
from ptassist.store.transfer import OPTIONAL_ARRAYS, TABLES, export_database
from tests.helpers import keys_only

MARK = "Zqxmark"  # every string the mutator writes carries it, so a leak is easy to see
SENSITIVE_FIELDS = {
    "family_name", "given_name", "address", "notes", "phone", "email", "referring_physician", "referring_practice",
    "referring_contact", "text", "name", "clinician_name", "subjective", "objective", "assessment", "plan",
    "signed_by", "updated_by", "actor",
}
ARRAYS = [key for key, _table, _columns in TABLES]


def build_base(folder: Path) -> dict[str, Any]:
    """A small practice with every kind of record: drafts, signed visits, addenda, a sheet, a logo."""
    records = Records.open(folder)
    try:
        build_demo(records.database, 3, seed=4)
        signed = next(v for p in records.patients.page() for v in records.visits.history(p.id) if v.status == "signed")
        records.documents.store(signed.id, "hep", b"%PDF-1.4 synthetic sheet\n", "fuzz")
        records.settings.save(ClinicSettings(name="Demo Clinic", address="1 Demo Road\nDemo Town",
                                             logo=b"\x89PNG synthetic logo"), "fuzz")
        target = folder / "base.json"
        export_database(records.database, target, "fuzz")
    finally:
        records.close()
    loaded: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return loaded


def sensitive_values(document: dict[str, Any]) -> set[str]:
    """Strings from the fields that hold personal details or notes (at least 4 characters)."""
    found: set[str] = set()

    def walk(node: Any, key: str) -> None:
        if isinstance(node, dict):
            for name, child in node.items():
                walk(child, name)
        elif isinstance(node, list):
            for child in node:
                walk(child, key)
        elif isinstance(node, str) and key in SENSITIVE_FIELDS and len(node.strip()) >= 4:
            found.add(node.strip())

    walk(document, "")
    return found


# ------------------------------------------------------------------------------------ mutations
def _nodes(document: Any) -> list[tuple[Any, Any]]:
    """(container, key or index) for every value in the document."""
    found: list[tuple[Any, Any]] = []
    stack = [document]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            found.append((node, key))
            if isinstance(child, dict | list):
                stack.append(child)
    return found


def _nested(rng: random.Random) -> Any:
    depth = rng.choice([33, 40, 200, 5000, 200_000])
    if depth > 200:  # deeper than json.dumps goes: spliced into the text (see to_text)
        return f"__nest_{depth}__"
    value: Any = MARK
    for _ in range(depth):
        value = [value] if rng.random() < 0.5 else {"k": value}
    return value


def to_text(mutant: dict[str, Any] | str, ensure_ascii: bool) -> str:
    text = mutant if isinstance(mutant, str) else json.dumps(mutant, ensure_ascii=ensure_ascii)
    return re.sub(r'"__nest_(\d+)__"', lambda m: "[" * int(m.group(1)) + "1" + "]" * int(m.group(1)), text)


def _odd_string(rng: random.Random) -> str:
    return rng.choice([
        f"{MARK}\n second line", f"{MARK}\x00", f"\u202e{MARK}", f"{MARK}\u2066x\u2069", f"{MARK}\x1b[31m",
        f"{MARK}\ud800", f"{MARK}\u200b", f"{MARK}\r", f"{MARK}\u2028", MARK * rng.choice([1, 30_000]),
        "", " ", "2023-02-30", "not-a-date", "1800-01-01", "2999-01-01", "@@@" + MARK, MARK + "=", "A" * 64,
        "0" * 64, "initial_evaluation", "signed", "draft", "a4", "hep", "9999", "0001",
    ])


def _odd_value(rng: random.Random) -> Any:
    return rng.choice([
        None, True, False, 0, -1, 1, 2, 7, 1.5, -0.0, 1e308, 10**30, 2**63, [], {}, [MARK], {MARK: MARK},
        {"format": "ptassist-intake/1"}, _odd_string(rng),
    ])


BENIGN_TEXT = ("Nguyễn-Ḑ’Ålvarez", "می\u200cخواهم", "Ἀθηνᾶ", "王小明", "👩\u200d⚕️", "O'Brien", "x" * 200, " padded ")
BENIGN_FIELDS = ("family_name", "given_name", "phone", "referring_physician", "referring_practice", "address", "notes")


def _benign(mutant: dict[str, Any], rng: random.Random) -> None:
    """A change import must accept: unusual but valid text, or another real date, on a patient of an
    export without demographics revisions (one from before migration 0006; with them, the change is
    tampering and refused: tests/store/test_tamper_export.py)."""
    mutant.pop("patient_revisions", None)
    patients = mutant.get("patients")
    if not isinstance(patients, list) or not patients or not isinstance(patients[0], dict):
        return
    patient = rng.choice([p for p in patients if isinstance(p, dict)])
    name = rng.choice(BENIGN_FIELDS)
    if name in ("address", "notes") and rng.random() < 0.5:
        patient[name] = f"line one\n\tline two {rng.randrange(10**6)}"
    elif rng.random() < 0.2:
        patient["date_of_birth"] = rng.choice(["1900-01-01", "2000-02-29", "1979-12-31"])
    else:
        patient[name] = rng.choice(BENIGN_TEXT)


def mutate(document: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any] | str, str]:
    """One mutant (a document, or raw text for the text-level mutations) and the name of what was done."""
    mutant = copy.deepcopy(document)
    kinds = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        kind = rng.choice([
            "replace", "replace", "replace", "string", "string", "delete", "add_key", "nest", "revision",
            "drop_array", "duplicate", "number", "only_format", "swap_ids", "benign", "benign",
        ])
        kinds.append(kind)
        nodes = _nodes(mutant)
        if not nodes:
            break
        container, key = rng.choice(nodes)
        if kind == "benign":
            _benign(mutant, rng)
        elif kind == "replace":
            container[key] = _odd_value(rng)
        elif kind == "string":
            strings = [(c, k) for c, k in nodes if isinstance(c[k], str)] or nodes
            container, key = rng.choice(strings)
            container[key] = _odd_string(rng)
        elif kind == "delete":
            del container[key]
        elif kind == "add_key":
            dicts = [c for c, _k in nodes if isinstance(c, dict)]
            rng.choice(dicts)[rng.choice(["extra", MARK, "id_", "x y"])] = _odd_value(rng)
        elif kind == "nest":
            container[key] = _nested(rng)
        elif kind == "revision":
            mutant["schema_revision"] = rng.choice(["9999", "0004", "0000", "abcd", 3, None, "", "0001", "0003"])
        elif kind == "drop_array":
            mutant.pop(rng.choice(ARRAYS), None)
        elif kind == "duplicate":
            array = mutant.get(rng.choice(ARRAYS))
            if isinstance(array, list) and array:
                array.append(copy.deepcopy(rng.choice(array)))
        elif kind == "number":
            numbers = [(c, k) for c, k in nodes if isinstance(c[k], int | float) and not isinstance(c[k], bool)]
            if numbers:
                container, key = rng.choice(numbers)
                container[key] = rng.choice([-1, 0, container[key] + 1, container[key] * 1000, 0.5, 2**53 + 1])
        elif kind == "only_format":
            mutant = {"format": "ptassist-export/1"}
        elif kind == "swap_ids":
            visits = mutant.get("visits")
            if isinstance(visits, list) and len(visits) > 1:
                a, b = rng.sample(range(len(visits)), 2)
                if isinstance(visits[a], dict) and isinstance(visits[b], dict):
                    visits[a]["id"], visits[b]["id"] = visits[b].get("id"), visits[a].get("id")
    if rng.random() < 0.05:
        text = json.dumps(mutant, ensure_ascii=True)
        return text[: rng.randrange(1, max(2, len(text)))], "truncated"
    return mutant, "+".join(kinds)


# ------------------------------------------------------------------------------------ checking
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(folder: Path, *args: str) -> tuple[int, str, str]:
    """A command in-process; after an import (records without accounts) it logs in with a key file
    alone, so the imported rows stay exactly as they came."""
    if args[0] != "import":
        keys_only(folder)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.main(["--data-dir", str(folder), *args], out=out)
    return status, out.getvalue(), err.getvalue()


@dataclass
class Campaign:
    """Counts of a fuzz campaign, and every failure found (empty when import behaved)."""

    mutants: int = 0
    refused: int = 0
    imported: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def check_mutant(workdir: Path, template: Path, text: str, secrets: set[str], label: str, campaign: Campaign) -> None:
    folder = workdir / "data"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(template, folder)
    # Every mutant's folder is a copy of one database: each gets its own workstation state, or the
    # anchor would rightly report the previous mutant's import as records this copy lacks.
    state = workdir / "state"
    shutil.rmtree(state, ignore_errors=True)
    os.environ["PTASSIST_STATE_DIR"] = str(state)
    source = workdir / "mutant.json"
    source.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = _digest(folder / "ptassist.db")
    status, _out, err = run_cli(folder, "import", str(source))
    campaign.mutants += 1
    problems: list[str] = []
    if status == 2:
        campaign.refused += 1
        lines = err.splitlines()
        if len(lines) != 1 or not lines[0].startswith("ptassist: error: "):
            problems.append(f"not one error line: {err[:300]!r}")
        said = err.replace(str(source), "FILE")  # the file's own name is the user's argument
        leaked = [s for s in secrets if s in said] + ([MARK] if MARK in said else [])
        if leaked:
            problems.append(f"message shows a value from the file: {err[:300]!r}")
        if _digest(folder / "ptassist.db") != before:
            problems.append("the database changed although the import was refused")
    elif status == 0:
        campaign.imported += 1
        problems.extend(_imported_whole(folder, workdir, text))
    else:
        problems.append(f"exit {status}: {err[:300]!r}")
    campaign.by_kind[f"{label}:{'refused' if status == 2 else 'imported' if status == 0 else 'FAILED'}"] += 1
    if problems:
        campaign.failures.append(f"{label}: " + "; ".join(problems))


def _imported_whole(folder: Path, workdir: Path, text: str) -> list[str]:
    problems = []
    again = workdir / "again.json"
    status, _out, err = run_cli(folder, "export", str(again), "--plaintext")
    if status != 0:
        return [f"export after import failed: {err[:200]!r}"]
    sent, back = json.loads(text), json.loads(again.read_text(encoding="utf-8"))
    for key in ARRAYS:
        if key == "patient_revisions" and key not in sent:
            continue  # made at import from what came in (the export was from before migration 0006)
        absent = [] if key in OPTIONAL_ARRAYS else None  # an export made before accounts has none
        if key != "audit_events" and sent.get(key, absent) != back.get(key):
            problems.append(f"{key} did not come back as it went in")
    if back["audit_events"][: len(sent["audit_events"])] != sent["audit_events"]:
        problems.append("audit events did not come back as they went in")
    for args in (("verify",), ("patient", "list")):
        status, _out, err = run_cli(folder, *args)
        if status != 0:
            problems.append(f"{' '.join(args)} failed after import: {err[:200]!r}")
    return problems


def campaign(count: int, seed: int, workdir: Path) -> Campaign:
    """Build the base export and an empty records folder, then check ``count`` mutants."""
    base = build_base(workdir / "base")
    template = workdir / "empty"
    Records.open(template).close()
    Records.open(template).close()  # the day's backup exists: no mutant run takes one
    secrets = sensitive_values(base)
    rng = random.Random(seed)
    result = Campaign()
    for _ in range(count):
        mutant, label = mutate(base, rng)
        text = to_text(mutant, ensure_ascii=rng.random() < 0.5)
        check_mutant(workdir, template, text, secrets, label.split("+")[0], result)
    return result


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with tempfile.TemporaryDirectory(prefix="ptassist-fuzz-") as scratch:
        result = campaign(count, seed, Path(scratch))
    print(f"{result.mutants} mutants: {result.refused} refused, {result.imported} imported, "
          f"{len(result.failures)} failures")
    for kind, n in sorted(result.by_kind.items()):
        print(f"  {kind:<24} {n}")
    for failure in result.failures[:50]:
        print("FAIL", failure)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
