"""Note search figures on the demo databases: across all patients and within one, beside the raw
FTS5 query that finds the same visits (sqlite3, no joins, no snippets) as the floor.

The demo notes are a handful of stock sentences, so most words occur in every few visits: the
worst case for a full-text index. One rare word is added to one visit each run.
"""

from __future__ import annotations

import sqlite3
import statistics
from functools import partial

from bench_store import _demo
from harness import Figure, figure, median_seconds

COMMON = ("knee", "lateral knee", "tingling leg", "stairs rest", "hip night", "runs")
RARE = "zygapophyseal"
FLOOR_SQL = "SELECT rowid FROM visit_note_fts WHERE visit_note_fts MATCH ? ORDER BY rowid DESC LIMIT 50"


def _measure(patients: int, quick: bool) -> dict[str, float]:
    from ptassist.services.records import Records
    from ptassist.store.dialects.sqlite import match_expression
    from ptassist.store.note_search import search_words

    folder, _ = _demo(patients)
    records = Records.open(folder)
    repeats = 5 if quick else 15
    try:
        patient = records.patients.page(limit=1)[0]
        visit = records.new_visit(patient.id, "follow_up")
        records.save_draft(visit, narrative={"subjective": f"Tender {RARE} joints on extension."})
        raw = sqlite3.connect(folder / "ptassist.db")
        results: dict[str, float] = {}
        for name, queries, patient_id in (("all", (*COMMON, RARE), None), ("patient", (*COMMON, RARE), patient.id)):
            mine = [median_seconds(partial(records.notes.search, q, patient_id=patient_id), repeats, warmup=1)
                    for q in queries]
            floor = [median_seconds(partial(lambda m: raw.execute(FLOOR_SQL, (m,)).fetchall(),
                                            match_expression(search_words(q), patient_id)), repeats, warmup=1)
                     for q in queries]
            results[name] = statistics.median(mine) * 1000
            results[f"{name}_floor"] = statistics.median(floor) * 1000
            results[f"{name}_worst"] = max(mine) * 1000
        raw.close()
        records.visits.delete_draft(visit.id, "benchmark")
    finally:
        records.close()
    return results


def run(quick: bool) -> list[Figure]:
    size = 10_000 if quick else 100_000
    m = _measure(size, quick)
    label = f"{size:,} patients"
    note = "median over {n} queries (common words and one rare word); worst {w:.2f} ms"
    return [
        figure(f"notes.search_all ({label})", m["all"], "ms", 50, floor=m["all_floor"], max_ratio=10,
               floor_note="raw FTS5 MATCH of the same words, newest 50 rowids, sqlite3",
               note=note.format(n=len(COMMON) + 1, w=m["all_worst"]) + "; with snippets and patient names"),
        figure(f"notes.search_patient ({label})", m["patient"], "ms", 20, floor=m["patient_floor"], max_ratio=10,
               floor_note="raw FTS5 MATCH with the patient token, sqlite3",
               note=note.format(n=len(COMMON) + 1, w=m["patient_worst"])),
    ]
