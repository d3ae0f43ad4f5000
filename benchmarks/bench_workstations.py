"""Several workstations on one database: what a draft lease costs, and how soon a sign on one
workstation shows on another.

Each on SQLite and on PostgreSQL (a throwaway server, tests/pg_server.py, with fsync on).

Lease acquire and heartbeat are timed beside the floor of any write on the same records: one raw
``BEGIN; UPDATE; COMMIT`` of the driver itself (sqlite3 with ptassist's pragmas, WAL and
synchronous FULL; psycopg).

Sign to refresh: a second process (workstation 1) signs visits one at a time and prints when
each commit returned; this process (workstation 2) runs the app's ChangeWatch on its Qt event loop
and refreshes the patient list and the open chart as the app does. The floor is the same signs
seen by a raw connection of the driver polled at the same interval (``PRAGMA data_version``, or
LISTEN's notifications): the wait for the tick alone, with no refresh.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import Figure, figure

from ptassist.ui.change_watch import POLL_MS

NAME, PASSWORD = "Bench Workstation", "bench workstation passphrase"

SIGNER = """
import sys, time
from pathlib import Path
from ptassist.security.argon2_params import TEST_ONLY
from ptassist.services.identity import log_in
from ptassist.services.records import Records
folder = Path(sys.argv[1])
records = Records.open(folder, signed_in=log_in(folder, sys.argv[2], sys.argv[3], params=TEST_ONLY),
                       daily_backup=False)
print("ready", flush=True)
for line in sys.stdin:
    records.sign(int(line), sys.argv[3])
    print(f"signed {time.time():.6f}", flush=True)
records.close()
"""


def _clinic(folder: Path, patients: int) -> tuple[Any, list[int]]:
    from ptassist.security.argon2_params import TEST_ONLY
    from ptassist.services.identity import set_up
    from ptassist.services.records import Records

    signed_in = set_up(folder, name=NAME, password=PASSWORD, credentials="PT", registration="B 1", encrypted=False,
                       params=TEST_ONLY)[0]
    records = Records.open(folder, signed_in=signed_in, daily_backup=False)
    ids = [records.patients.add(family_name=f"Family{n:04d}", given_name="Given", date_of_birth="1980-01-01").id
           for n in range(patients)]
    return records, ids


def _raw_connection(database: Any) -> Any:
    """A connection of the driver itself to the same records (sqlite3 with ptassist's pragmas, or psycopg)."""
    if database.path is not None:
        connection = sqlite3.connect(database.path, isolation_level=None)
        for pragma in ("PRAGMA busy_timeout = 5000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"):
            connection.execute(pragma)
        return connection
    import psycopg
    from sqlalchemy import make_url

    url = make_url(database.url)
    host, port = url.query["host"], url.query["port"]  # the throwaway server's socket (tests/pg_server.py)
    return psycopg.connect(host=str(host), port=str(port), user=url.username, dbname=url.database, autocommit=True)


def _raw_writer(database: Any) -> Any:
    connection = _raw_connection(database)
    connection.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, x INTEGER)")
    connection.execute("INSERT INTO bench_floor VALUES (1, 0) ON CONFLICT DO NOTHING")
    return connection


def _raw_write(connection: Any) -> None:
    sqlite = isinstance(connection, sqlite3.Connection)
    connection.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")
    connection.execute("UPDATE bench_floor SET x = x + 1 WHERE id = 1")
    connection.execute("COMMIT")


def _lease_costs(records: Any, visit_id: int, repeats: int) -> tuple[float, float, float]:
    """Acquire, heartbeat and the raw write floor, interleaved so that all three see the same disk."""
    holder = records.lease_holder
    raw = _raw_writer(records.database)
    samples: dict[str, list[float]] = {"acquire": [], "beat": [], "floor": []}
    try:
        for _ in range(repeats + 3):
            records.leases.release(visit_id, holder)
            for name, work in (("floor", lambda: _raw_write(raw)),
                               ("acquire", lambda: records.leases.acquire(visit_id, holder)),
                               ("beat", lambda: records.leases.heartbeat(holder))):
                start = time.perf_counter()
                work()
                samples[name].append(time.perf_counter() - start)
    finally:
        raw.close()
    acquire, beat, floor = (statistics.median(samples[k][3:]) for k in ("acquire", "beat", "floor"))
    return acquire, beat, floor


def _drafts(records: Any, patient_id: int, count: int) -> list[int]:
    from ptassist.store.visits import Derived

    return [records.visits.create_draft(patient_id, "follow_up", visit_time="2026-01-01T09:00:00+00:00", intake=None,
                                        derived=Derived(None, (), {}), actor=NAME).id for _ in range(count)]


def _signer(folder: Path) -> subprocess.Popen[str]:
    signer = subprocess.Popen([sys.executable, "-c", SIGNER, str(folder), NAME, PASSWORD], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ})
    assert signer.stdout is not None and signer.stdout.readline().strip() == "ready"
    return signer


def _sign(signer: subprocess.Popen[str], visit_id: int) -> float:
    assert signer.stdin is not None and signer.stdout is not None
    signer.stdin.write(f"{visit_id}\n")
    signer.stdin.flush()
    return float(signer.stdout.readline().split()[1])


def _refresh_latency(records: Any, folder: Path, patient_id: int, visits: list[int], phases: list[float],
                     work: list[float], bare: list[float]) -> list[float]:
    """Workstation 2 as the app runs it: ChangeWatch on the event loop, list and chart refreshed."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from ptassist.store.change_feed import open_change_feed
    from ptassist.ui.change_watch import ChangeWatch
    from ptassist.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(records, QSettings(str(folder / "bench-ui.ini"), QSettings.Format.IniFormat))
    window.show()
    window.open_patient(patient_id)
    assert window._watch is not None
    window._watch.stop()  # this run's own watch, so the refresh can be timed
    feed = open_change_feed(records.database)
    watch = ChangeWatch(feed)
    refreshed: list[float] = []
    polled: list[float] = []
    ask = feed.poll

    def timed_poll() -> list[Any]:
        polled.append(time.perf_counter())
        return ask()

    feed.poll = timed_poll  # type: ignore[method-assign]

    def on_change(_changes: list[Any]) -> None:
        window.changed_elsewhere(_changes)
        refreshed.append(time.time())
        work.append(time.perf_counter() - polled[-1])
        start = time.perf_counter()
        window.changed_elsewhere(_changes)  # the same refresh again, without the feed: the floor of the work
        bare.append(time.perf_counter() - start)

    watch.changed.connect(on_change)
    watch.start()
    signer = _signer(folder)
    latencies = []
    try:
        for visit_id, phase in zip(visits, phases, strict=True):
            pause = QEventLoop()
            QTimer.singleShot(int(phase * 1000), pause.quit)  # a sign comes at any moment of the poll interval
            pause.exec()
            refreshed.clear()
            committed = _sign(signer, visit_id)
            loop = QEventLoop()
            QTimer.singleShot(3000, loop.quit)
            check = QTimer(interval=5)
            check.timeout.connect(lambda loop=loop: loop.quit() if refreshed else None)
            check.start()
            loop.exec()
            check.stop()
            assert refreshed, "no refresh within 3 s"
            assert window.chart.history and any(v.id == visit_id and v.status == "signed" for v in window.chart.history)
            latencies.append(refreshed[0] - committed)
            app.processEvents()
    finally:
        signer.communicate(timeout=30)
        watch.stop()
        window.close()
    return latencies


def _signal_floor(database: Any, folder: Path, visits: list[int], interval: float,
                  phases: list[float]) -> list[float]:
    """The same signs, at the same moments within the poll interval, seen by a raw connection of the
    driver asking at the same interval (``PRAGMA data_version``, or LISTEN's notifications): the wait
    for the tick, with nothing else."""
    watcher = _raw_connection(database)
    sqlite = isinstance(watcher, sqlite3.Connection)
    if not sqlite:
        watcher.execute(database.dialect.listen_sql)

    def version() -> object:
        if sqlite:
            return watcher.execute("PRAGMA data_version").fetchone()[0]
        return len(list(watcher.notifies(timeout=0)))

    signer = _signer(folder)
    seen = []
    try:
        for visit_id, phase in zip(visits, phases, strict=True):
            before = version() if sqlite else 0
            tick = time.time()
            time.sleep(phase)
            committed = _sign(signer, visit_id)
            while True:
                tick += interval
                time.sleep(max(tick - time.time(), 0))
                if version() != before:
                    break
            seen.append(time.time() - committed)
    finally:
        signer.communicate(timeout=30)
        watcher.close()
    return seen


def _measure(folder: Path, quick: bool) -> dict[str, Any]:
    repeats = 15 if quick else 50
    signs = 5 if quick else 15
    records, patients = _clinic(folder, 200)
    try:
        lease_visit = _drafts(records, patients[0], 1)[0]
        acquire, beat, floor = _lease_costs(records, lease_visit, repeats)
        records.leases.release_all(records.lease_holder)
        to_sign = _drafts(records, patients[1], 2 * signs)
        rng = random.Random(14)
        phases = [rng.uniform(0, POLL_MS / 1000) for _ in range(signs)]
        work: list[float] = []
        bare: list[float] = []
        latency = _refresh_latency(records, folder, patients[1], to_sign[:signs], phases, work, bare)
        signal = _signal_floor(records.database, folder, to_sign[signs:], POLL_MS / 1000, phases)
    finally:
        records.close()
    return {"acquire": acquire, "beat": beat, "floor": floor, "latency": latency, "signal": signal, "work": work,
            "bare": bare}


def _figures(label: str, m: dict[str, Any]) -> list[Figure]:
    return [
        figure(f"workstations.lease_acquire ({label})", m["acquire"] * 1000, "ms", 50, floor=m["floor"] * 1000,
               max_ratio=4, floor_note="one raw BEGIN / UPDATE / COMMIT of the driver, same records",
               note="taking a free lease: read, one upsert, read, commit (SQLite: synchronous FULL; "
                    "PostgreSQL: fsync on, writers' advisory lock)"),
        figure(f"workstations.lease_heartbeat ({label})", m["beat"] * 1000, "ms", 50, floor=m["floor"] * 1000,
               max_ratio=3, floor_note="one raw BEGIN / UPDATE / COMMIT of the driver, same records",
               note="renewing every lease of the process (one held), every 20 s"),
        figure(f"workstations.sign_to_refresh ({label})", statistics.median(m["latency"]) * 1000, "ms", 1000,
               floor=statistics.median(m["signal"]) * 1000,
               floor_note=f"the same signs seen by the driver's raw signal polled every {POLL_MS} ms",
               note=f"commit on process 1 to patient list and chart refreshed on process 2 (ChangeWatch every "
                    f"{POLL_MS} ms: mostly the wait for its tick, as the floor's); max "
                    f"{max(m['latency']) * 1000:.0f} ms"),
        figure(f"workstations.change_to_screen ({label})", statistics.median(m["work"]) * 1000, "ms", 100,
               floor=statistics.median(m["bare"]) * 1000, max_ratio=2,
               floor_note="the same list and chart refresh called directly, without the feed",
               note="from the tick that finds a sign to the list (200 patients) and chart refreshed: the "
                    "signal, the audit events since the last seen, both refreshes"),
    ]


def run(quick: bool) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="ptassist-bench-ws-") as scratch:
        os.environ["PTASSIST_STATE_DIR"] = str(Path(scratch) / "state")
        figures += _figures("SQLite", _measure(Path(scratch) / "sqlite", quick))
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.pg_server import ServerUnavailableError, start_server

        try:
            server = start_server(fsync=True)
        except ServerUnavailableError as exc:
            print(f"workstations on PostgreSQL NOT MEASURED: {exc}", file=sys.stderr)
            return figures
        try:
            server.psql("CREATE DATABASE bench_workstations")
            os.environ["PTASSIST_DATABASE_URL"] = server.url("bench_workstations")
            figures += _figures("PostgreSQL", _measure(Path(scratch) / "postgresql", quick))
        finally:
            os.environ.pop("PTASSIST_DATABASE_URL", None)
            server.stop()
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for result in run(quick="--quick" in sys.argv):
        print(result)
