"""Store figures on demo databases: search, history, signing, draft saves, and how they grow.

Demo databases are built once into benchmarks/.cache/ (100,000 patients take a few minutes and
about 4 GB) and reused; the benchmark adds a few visits to them each run.
"""

from __future__ import annotations

import sqlite3
import statistics
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


def _measure(patients: int, quick: bool) -> dict[str, float]:
    from ptassist.services.records import Records
    from ptassist.store.demo import build_demo
    from ptassist.store.patient_queries import fts_query

    folder, _ = _demo(patients)
    results: dict[str, float] = {"build": float((folder / ".complete").read_text())}
    records = Records.open(folder)
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

        # A patient with 200 visits.
        marker = folder / ".long-history"
        if marker.exists():
            long_patient = int(marker.read_text())
        else:
            build_demo(records.database, 1, seed=99, visits_per_patient=(200, 200))
            long_patient = _max_patient(folder)
            marker.write_text(str(long_patient))
        results["history"] = median_seconds(lambda: records.visits.history(long_patient), repeats * 2) * 1000
        assert len(records.visits.history(long_patient)) >= 200

        results.update(save_and_sign(records, long_patient, quick))
    finally:
        records.close()
    return results


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
        records.sign(visit.id, "Bench Clinician")
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
    return [
        figure(f"store.search_median ({label})", top["search"], "ms", 10, floor=top["search_floor"], max_ratio=3,
               floor_note="the same FTS5 query returning the same rows, raw sqlite3", note=growth),
        figure(f"store.history_200_visits ({label})", top["history"], "ms", 30),
        figure(f"store.sign_visit ({label})", top["sign"], "ms", 30, note="synchronous=FULL: fsync on commit"),
        figure(f"store.save_draft ({label})", top["save_draft"], "ms", 5,
               note="includes re-running the checklist and scoring the measures"),
        figure(f"store.demo_build ({label})", top["build"], "s", 300,
               note="`ptassist demo`, about 10 visits per patient, built once and cached"),
    ]
