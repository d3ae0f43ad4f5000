"""PostgreSQL figures beside SQLite's, on the same demo size: search (beside the same query raw in
psql), a 200-visit history, a draft save, a signature (the server with fsync on), and signing
throughput with 8 workstations at once.

The server is a throwaway one (tests/pg_server.py) with fsync, synchronous_commit and
full_page_writes on, as a clinic's server runs; the SQLite figures come from bench_store.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import bench_store
from harness import Figure, figure, median_seconds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pg_server import PgServer, start_server  # noqa: E402

QUERIES = ("mül", "zoe", "smith", "ива", "王", "garc", "παπα", "nguyen", "lef", "wojcik")
WORKSTATIONS = 8
RESTORE_PATIENTS = 10_000  # a restore verifies every signature: at 100,000 patients it takes many minutes


def _psql_floor(server: PgServer, database: str, words: list[str], repeats: int) -> float:
    """Median ms psql reports (\\timing) for the app's name query, run raw on the server."""
    from ptassist.core.validation import search_key
    from ptassist.store.patient_queries import PATIENT_COLUMNS

    statements = []
    for word in words:
        pattern = "%" + search_key(word).replace("'", "''") + "%"
        sql = (f"WITH m AS MATERIALIZED (SELECT id, search_name FROM patient WHERE search_name LIKE '{pattern}') "
               f"SELECT {', '.join(PATIENT_COLUMNS)} FROM patient WHERE id IN "
               "(SELECT id FROM m ORDER BY search_name, id LIMIT 50);")
        statements += [sql] * (repeats + 1)
    script = "\\timing on\n" + "\n".join(statements) + "\n"
    done = subprocess.run([str(server.bindir / "psql"), "-X", "-q", "-h", str(server.socket_dir), "-p",
                           str(server.port), "-U", "ptassist", "-d", database], input=script, capture_output=True,
                          text=True, check=True)
    times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", done.stdout)]
    per_word = [statistics.median(times[i * (repeats + 1) + 1:(i + 1) * (repeats + 1)]) for i in range(len(words))]
    return statistics.median(per_word)


def _sign_throughput(folder: Path, drafts: list[int]) -> float:
    """Signatures per second with WORKSTATIONS processes signing their share of ``drafts`` at once."""
    start_at = time.time() + 5
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", str(folder), str(start_at),
                                 *map(str, drafts[n::WORKSTATIONS])], stdout=subprocess.PIPE, text=True)
               for n in range(WORKSTATIONS)]
    ends = []
    for worker in workers:
        out, _ = worker.communicate(timeout=600)
        assert worker.returncode == 0 and "failed" not in out, out
        ends.append(float(out.split()[-1]))
    return len(drafts) / (max(ends) - start_at)


def _worker(folder: str, start_at: str, *ids: str) -> None:
    from ptassist.services.records import Records

    records = Records.open(Path(folder), daily_backup=False, signed_in=bench_store._bench_clinician(Path(folder)))
    time.sleep(max(0.0, float(start_at) - time.time()))
    for visit_id in ids:
        records.sign(int(visit_id), bench_store.BENCH_PASSWORD)
    print(f"done {time.time()}")
    records.close()


def _backup_and_restore(server: PgServer, records: Any, folder: Path) -> dict[str, float]:
    """Seconds for ``backup`` (pg_dump, checked) and for ``restore`` of it over the same records (staged,
    verified, the current records dumped first, swapped), beside pg_restore of the same archive
    into an empty database (what restoring by hand takes, with none of the checks)."""
    from ptassist.store import backup as backups
    from ptassist.store.server_backup import libpq_environment

    target = folder / "bench-backup.dump"
    start = time.perf_counter()
    backups.backup_to(records.database, target)
    results = {"backup": time.perf_counter() - start}
    start = time.perf_counter()
    backups.restore_from(records.database, target, replace_newer=True)
    results["restore"] = time.perf_counter() - start
    server.psql("CREATE DATABASE bench_raw_restore")
    env = libpq_environment(server.url("bench_raw_restore"))
    start = time.perf_counter()
    subprocess.run([str(server.bindir / "pg_restore"), "--no-owner", "--exit-on-error",
                    "--dbname=bench_raw_restore", str(target)], env=env, check=True, capture_output=True)
    results["restore_floor"] = time.perf_counter() - start
    server.psql("DROP DATABASE bench_raw_restore")
    return results


def _measure(server: PgServer, patients: int, quick: bool) -> dict[str, float]:
    from ptassist.services.records import Records

    name = f"bench_{patients}"
    server.psql(f"CREATE DATABASE {name}")
    os.environ["PTASSIST_DATABASE_URL"] = server.url(name)
    folder = server.base / f"folder-{patients}"
    records = Records.open(folder, daily_backup=False, signed_in=bench_store._bench_clinician(folder))
    results: dict[str, float] = {}
    try:
        start = time.perf_counter()
        records.build_demo(patients, 1, bench_store.BENCH_PASSWORD)  # signed by the benchmark's clinician
        results["build"] = time.perf_counter() - start
        repeats = 5 if quick else 15
        samples = [median_seconds(partial(records.patients.search, query), repeats, warmup=1) for query in QUERIES]
        results["search"] = statistics.median(samples) * 1000
        results["search_floor"] = _psql_floor(server, name, list(QUERIES), repeats)

        if patients <= RESTORE_PATIENTS:
            results.update(_backup_and_restore(server, records, folder))

        records.build_demo(1, 99, bench_store.BENCH_PASSWORD, visits_per_patient=(200, 200))
        long_patient = records.patients.count()
        assert len(records.visits.history(long_patient)) >= 200
        results["history"] = median_seconds(lambda: records.visits.history(long_patient), repeats * 2) * 1000
        results.update(bench_store.save_and_sign(records, long_patient, quick))
        drafts = [records.new_visit(long_patient, "follow_up", intake=bench_store.INTAKE).id
                  for _ in range(80 if quick else 400)]
        results["sign_8"] = _sign_throughput(folder, drafts)
        results["sign_1"] = 1000 / results["sign"]
    finally:
        records.close()
        os.environ.pop("PTASSIST_DATABASE_URL", None)
    return results


def _restore_only(server: PgServer) -> dict[str, float]:
    from ptassist.services.records import Records

    name = f"bench_restore_{RESTORE_PATIENTS}"
    server.psql(f"CREATE DATABASE {name}")
    os.environ["PTASSIST_DATABASE_URL"] = server.url(name)
    folder = server.base / f"folder-restore-{RESTORE_PATIENTS}"
    records = Records.open(folder, daily_backup=False, signed_in=bench_store._bench_clinician(folder))
    try:
        records.build_demo(RESTORE_PATIENTS, 1, bench_store.BENCH_PASSWORD)
        return _backup_and_restore(server, records, folder)
    finally:
        records.close()
        os.environ.pop("PTASSIST_DATABASE_URL", None)


def run(quick: bool) -> list[Figure]:
    patients = 10_000 if quick else 100_000
    server = start_server(fsync=True)
    try:
        pg = _measure(server, patients, quick)
        if "restore" not in pg:
            pg.update(_restore_only(server))
    finally:
        server.stop()
    lite = bench_store._measure(patients, quick)
    label = f"{patients:,} patients"

    def beside(key: str) -> str:
        return f"SQLite {lite[key]:.2f} ms"

    return [
        figure(f"pg.search_median ({label})", pg["search"], "ms", 30, floor=pg["search_floor"], max_ratio=3,
               floor_note="the same query returning the same rows, raw in psql (\\timing)",
               note=f"{beside('search')} (FTS5; its raw floor {lite['search_floor']:.2f} ms)"),
        figure(f"pg.history_200_visits ({label})", pg["history"], "ms", 60, note=beside("history")),
        figure(f"pg.save_draft ({label})", pg["save_draft"], "ms", 15, note=beside("save_draft")),
        figure(f"pg.sign_visit ({label})", pg["sign"], "ms", 60, note=f"{beside('sign')}; server fsync on"),
        figure(f"pg.sign_per_second_8_workstations ({label})", 1 / pg["sign_8"], "s", 0.25,
               note=f"{pg['sign_8']:.1f} signatures/s with {WORKSTATIONS} processes at once "
                    f"(one alone: {pg['sign_1']:.1f}/s); value = seconds per signature"),
        figure(f"pg.demo_build ({label})", pg["build"], "s", 300, note=f"COPY; SQLite {lite['build']:.0f} s"),
        figure(f"pg.backup ({RESTORE_PATIENTS:,} patients)", pg["backup"], "s", 120,
               note="pg_dump, custom format, its table list checked"),
        figure(f"pg.restore ({RESTORE_PATIENTS:,} patients)", pg["restore"], "s", 600, floor=pg["restore_floor"],
               floor_note="pg_restore of the same archive into an empty database, no checks",
               note="read, staged, hash chain and signatures verified, current records dumped first, swapped"),
    ]


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _worker(*sys.argv[2:])
