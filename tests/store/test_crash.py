"""Kill a writer with SIGKILL many times: the database stays whole and little typing is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptassist.services.records import Records
from ptassist.store.verify import verify_chain

# About the SQLite file: a killed writer, the WAL and fsync on this disk.
pytestmark = pytest.mark.sqlite_only

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 8
MAX_LOSS_SECONDS = 2.0


@pytest.mark.slow
def test_sigkill_during_saves_and_signing_loses_at_most_two_seconds(tmp_path):
    folder = tmp_path / "data"
    Records.open(folder).close()
    rng = random.Random(20261124)
    signed: dict[int, str] = {}
    drafts: list[tuple[int, list[tuple[int, float]], float]] = []
    for round_number in range(ROUNDS):
        log = tmp_path / f"round{round_number}.log"
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.store.crash_worker", str(folder), str(log)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        # Kill it while it types and signs, not while it starts (start-up time depends on the machine's load).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (log.exists() and log.read_text(encoding="utf-8").startswith("draft")):
            time.sleep(0.05)
        time.sleep(rng.uniform(1.5, 3.5))
        killed_at = time.time()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        draft_id = None
        typed: list[tuple[int, float]] = []
        for line in log.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts[0] == "draft":
                draft_id = int(parts[1])
            elif parts[0] == "typed":
                typed.append((int(parts[1]), float(parts[2])))
            elif parts[0] == "signed" and len(parts) == 3 and len(parts[2]) == 64:
                signed[int(parts[1])] = parts[2]
        assert draft_id is not None, "the worker never started"
        drafts.append((draft_id, typed, killed_at))

    raw = sqlite3.connect(folder / "ptassist.db")
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    records = Records.open(folder)
    try:
        assert verify_chain(records.database).ok
        assert len(signed) >= ROUNDS  # signing really happened during the runs
        for visit_id, content_hash in signed.items():
            visit = records.visits.get(visit_id)
            assert visit is not None and visit.status == "signed" and visit.content_hash == content_hash
        for draft_id, typed, killed_at in drafts:
            saved = len(records.visits.get(draft_id).narrative.get("subjective", ""))
            must_have = max((n for n, at in typed if at <= killed_at - MAX_LOSS_SECONDS), default=0)
            assert saved >= must_have, f"draft {draft_id}: {saved} characters saved, {must_have} typed >2 s before"
    finally:
        records.close()
