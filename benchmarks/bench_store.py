"""Store figures on demo databases: search, history, signing, draft saves, and how they grow.

Demo databases are built once into benchmarks/.cache/ (100,000 patients take a few minutes and
about 4 GB) and reused; the benchmark adds a few visits to them each run. SQLCipher's cost is
measured on an encrypted copy of the largest one (made once with sqlcipher_export, its
benchmark-only key beside it), plain and encrypted side by side in the same run.
"""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from harness import Figure, figure, median_seconds

CACHE = Path(__file__).resolve().parent / ".cache"
QUERIES = ("mül", "zoe", "smith", "ива", "王", "garc", "παπα", "nguyen", "lef", "wojcik")


def _demo(patients: int) -> tuple[Path, float | None]:
    """The cached demo database folder for ``patients``; builds it if missing (returns build seconds)."""
    from ptassist.services.records import Records
    from ptassist.store.demo import build_demo

    folder = CACHE / f"demo-{patients}"
    if (folder / "ptassist.db").exists() and (folder / ".complete").exists():
        return folder, None
    records = Records.open(folder)
    try:
        start = time.perf_counter()
        build_demo(records.database, patients, seed=1)
        seconds = time.perf_counter() - start
    finally:
        records.close()
    (folder / ".complete").write_text(f"{seconds:.1f}\n", encoding="utf-8")
    return folder, seconds


BENCH_PASSWORD = "bench clinician passphrase"


def _bench_clinician(folder: Path) -> Any:
    """The demo folder's clinician, at Argon2's test-only costs: the store's share of signing is
    measured here; bench_security's identity.sign_visit measures it with production costs."""
    from ptassist.security.argon2_params import TEST_ONLY
    from ptassist.services.identity import clinic_state, log_in, set_up

    if clinic_state(folder) == "first_start":
        return set_up(folder, name="Bench Clinician", password=BENCH_PASSWORD, credentials="PT", registration="B 1",
                      encrypted=False, params=TEST_ONLY)[0]
    return log_in(folder, "Bench Clinician", BENCH_PASSWORD, params=TEST_ONLY)


def _measure(patients: int, quick: bool) -> dict[str, float]:
    from ptassist.services.records import Records
    from ptassist.store.patient_queries import fts_query

    folder, _ = _demo(patients)
    results: dict[str, float] = {"build": float((folder / ".complete").read_text())}
    long_patient = _long_history(folder)  # demo visits are built before the benchmark account exists
    records = Records.open(folder, signed_in=_bench_clinician(folder))
    try:
        repeats = 5 if quick else 15
        samples = [median_seconds(partial(records.patients.search, query), repeats, warmup=1) for query in QUERIES]
        results["search"] = statistics.median(samples) * 1000

        raw = sqlite3.connect(folder / "ptassist.db")
        floor_sql = (
            "SELECT p.* FROM patient_fts JOIN patient p ON p.id = patient_fts.rowid "
            "WHERE patient_fts MATCH ? ORDER BY p.family_name, p.given_name LIMIT 50"
        )
        from ptassist.core.validation import search_key

        def floor(match: str) -> object:
            return raw.execute(floor_sql, (match,)).fetchall()

        floors = [
            median_seconds(partial(floor, fts_query(search_key(query).split())), repeats, warmup=1) for query in QUERIES
        ]
        raw.close()
        results["search_floor"] = statistics.median(floors) * 1000

        results["history"] = median_seconds(lambda: records.visits.history(long_patient), repeats * 2) * 1000
        assert len(records.visits.history(long_patient)) >= 200

        results.update(save_and_sign(records, long_patient, quick))
    finally:
        records.close()
    return results


def _encrypted_demo(patients: int) -> tuple[Path, bytes]:
    """An encrypted copy of the cached demo database (same rows), made once; returns it and its key."""
    from ptassist.security.keyring import new_database_key
    from ptassist.store.encryption import export_copy, remove_with_side_files

    plain, _ = _demo(patients)
    folder = CACHE / f"demo-{patients}-encrypted"
    key_file = folder / "benchmark-only.key"  # synthetic records: the key may sit beside them
    if (folder / ".complete").exists():
        return folder, bytes.fromhex(key_file.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    key = new_database_key()
    target = folder / "ptassist.db"
    remove_with_side_files(target)
    export_copy(plain / "ptassist.db", target, source_key=None, target_key=key)
    key_file.write_text(key.hex(), encoding="utf-8")
    (folder / ".complete").write_text("copied\n", encoding="utf-8")
    return folder, key


def _search_ms(folder: Path, key: bytes | None, repeats: int) -> float:
    from ptassist.services.records import Records
    from ptassist.store.database import open_database

    records = Records(open_database(folder, key=key, daily_backup=False, thorough_check=False))
    try:
        samples = [median_seconds(partial(records.patients.search, query), repeats, warmup=1) for query in QUERIES]
    finally:
        records.close()
    return statistics.median(samples) * 1000


STARTUP_SCRIPT = """
import sys, time
start = time.perf_counter()
from pathlib import Path
from ptassist.store.patient_directory import PatientDirectory
key = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else None
directory = PatientDirectory.open(Path(sys.argv[1]), key=key)
assert directory is not None
first_page, count = directory.page(50), directory.count()
seconds = time.perf_counter() - start
assert len(first_page) == 50 and count > 0
directory.close()
print(seconds)
"""


def _startup_ms(path: Path, key: bytes | None) -> float:
    """A fresh interpreter: import the start-up directory, open the file (keyed), first page and count."""
    command = [sys.executable, "-c", STARTUP_SCRIPT, str(path), *([key.hex()] if key else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    return float(done.stdout.strip()) * 1000


def _encryption_cost(patients: int, quick: bool) -> dict[str, float]:
    """Search and the start-up patient list, plain beside encrypted, alternating so load hits both alike."""
    plain, _ = _demo(patients)
    encrypted, key = _encrypted_demo(patients)
    repeats = 5 if quick else 15
    searches: dict[str, list[float]] = {"plain": [], "encrypted": []}
    starts: dict[str, list[float]] = {"plain": [], "encrypted": []}
    for _ in range(1 if quick else 3):
        searches["plain"].append(_search_ms(plain, None, repeats))
        searches["encrypted"].append(_search_ms(encrypted, key, repeats))
    for _ in range(3 if quick else 7):
        starts["plain"].append(_startup_ms(plain / "ptassist.db", None))
        starts["encrypted"].append(_startup_ms(encrypted / "ptassist.db", key))
    return {f"{what}_{kind}": statistics.median(values) for what, runs in (("search", searches), ("startup", starts))
            for kind, values in runs.items()}


def _long_history(folder: Path) -> int:
    """A patient with 200 visits in the demo folder (added once, cached)."""
    from ptassist.services.records import Records
    from ptassist.store.demo import build_demo

    marker = folder / ".long-history"
    if marker.exists():
        return int(marker.read_text())
    records = Records.open(folder)
    try:
        build_demo(records.database, 1, seed=99, visits_per_patient=(200, 200))
    finally:
        records.close()
    long_patient = _max_patient(folder)
    marker.write_text(str(long_patient))
    return long_patient
INTAKE = {
    "format": "ptassist-intake/1",
    "side": "left",
    "symptoms": [{"region": "lateral_knee", "kind": "pain"}],
    "findings": {"noble_test": True},
}


def save_and_sign(records: Any, patient_id: int, quick: bool) -> dict[str, float]:
    """Median ms of a draft save (as typing grows the note) and of a signature, for this patient."""
    draft = records.new_visit(patient_id, "follow_up", intake=INTAKE)
    saves = []
    for n in range(30 if quick else 100):
        start = time.perf_counter()
        draft = records.save_draft(draft, narrative={"subjective": "typing " * (n + 1)})
        saves.append(time.perf_counter() - start)
    signs = []
    for _ in range(5 if quick else 15):
        visit = records.new_visit(patient_id, "follow_up", intake=INTAKE)
        start = time.perf_counter()
        records.sign(visit.id, BENCH_PASSWORD)
        signs.append(time.perf_counter() - start)
    return {"save_draft": statistics.median(saves) * 1000, "sign": statistics.median(signs) * 1000}


def _max_patient(folder: Path) -> int:
    raw = sqlite3.connect(folder / "ptassist.db")
    try:
        return int(raw.execute("SELECT MAX(id) FROM patient").fetchone()[0])
    finally:
        raw.close()


def run(quick: bool) -> list[Figure]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    measured = {size: _measure(size, quick) for size in sizes}
    largest = sizes[-1]
    top = measured[largest]
    growth = "; ".join(
        f"{size:,} patients: search {m['search']:.2f} ms, history {m['history']:.2f} ms, "
        f"save {m['save_draft']:.2f} ms, sign {m['sign']:.2f} ms"
        for size, m in measured.items()
    )
    label = f"{largest:,} patients"
    cost = _encryption_cost(largest, quick)
    return [
        figure(f"store.search_median_encrypted ({label})", cost["search_encrypted"], "ms", 10,
               floor=cost["search_plain"], max_ratio=2,
               floor_note="the same searches through the store on the plain file, same run"),
        figure(f"store.startup_directory_encrypted ({label})", cost["startup_encrypted"], "ms", 500,
               floor=cost["startup_plain"], max_ratio=2,
               floor_note="the same start on the plain file, same run",
               note="fresh interpreter: import the start-up patient list, open the file keyed (sqlcipher3), "
                    "first page of 50 and the count"),
        figure(f"store.search_median ({label})", top["search"], "ms", 10, floor=top["search_floor"], max_ratio=3,
               floor_note="the same FTS5 query returning the same rows, raw sqlite3", note=growth),
        figure(f"store.history_200_visits ({label})", top["history"], "ms", 30),
        figure(f"store.sign_visit ({label})", top["sign"], "ms", 30,
               note="synchronous=FULL: fsync on commit; Argon2 at test costs (see identity.sign_visit)"),
        figure(f"store.save_draft ({label})", top["save_draft"], "ms", 5,
               note="includes re-running the checklist and scoring the measures"),
        figure(f"store.demo_build ({label})", top["build"], "s", 300,
               note="`ptassist demo`, about 10 visits per patient, built once and cached"),
    ]
