"""Print figures: `ptassist print hep|referral|summary` end to end on a demo database.

Each sheet is printed by a fresh process, as a clinician's command would be, beside `python -c
pass` on the same interpreter (the floor) and the in-process render time of the same sheet (what
the process spends on layout once everything is loaded). The goal is under 0.5 s end to end.

Each command runs as a user's would: with Python's bytecode cache (PYTHONDONTWRITEBYTECODE is dropped
from the environment and one warm-up run writes the cache). Beside the wall time each figure notes
the CPU time the process used (user + system), which a busy shared machine inflates far less, and
the in-process time of the log-in every command does (its password derivations), so the figure
without it can be read off.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from harness import Figure, figure, median_seconds

SHEETS = ("hep", "referral", "summary")


DEMO_LOGIN = {"PTASSIST_USER": "Demo Clinician", "PTASSIST_PASSWORD": "demo"}  # the documented demo clinic


def _wall(command: list[str], repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``command`` after one warm-up run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | DEMO_LOGIN
    subprocess.run(command, check=True, capture_output=True, env=env)
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def run(quick: bool) -> list[Figure]:
    from ptassist import paths
    from ptassist.services import identity
    from ptassist.services.printing import Printing, PrintRecords

    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "demo", "--patients", "5",
                        "--seed", "2"], check=True, capture_output=True, env=os.environ | DEMO_LOGIN)
        records: Any = PrintRecords.open(paths.database_path(folder), key=None)  # the demo clinic is unencrypted
        assert records is not None
        try:
            history = records.visits.history(1)
            visit_id = next(v.id for v in history if v.status == "signed")
            printing = Printing(records, "bench")
            render = {sheet: median_seconds(partial(getattr(printing, sheet), visit_id), repeats, warmup=1)
                      for sheet in SHEETS}
        finally:
            records.close()
        login = median_seconds(partial(identity.log_in, folder, DEMO_LOGIN["PTASSIST_USER"],
                                       DEMO_LOGIN["PTASSIST_PASSWORD"]), repeats, warmup=0)
        floor, floor_cpu = _wall([sys.executable, "-c", "pass"], repeats)
        figures = []
        for sheet in SHEETS:
            command = [sys.executable, "-m", "ptassist", "--data-dir", str(folder), "print", sheet, str(visit_id),
                       "-o", str(Path(tmp) / f"{sheet}.pdf")]
            value, cpu = _wall(command, repeats)
            figures.append(figure(f"print.{sheet}_end_to_end", value, "s", 0.5, floor=floor,
                                  floor_note="`python -c pass` on the same interpreter",
                                  note=json.dumps({"in_process_render_s": round(render[sheet], 4),
                                                   "cpu_s": round(cpu, 3), "floor_cpu_s": round(floor_cpu, 3),
                                                   "login_s": round(login, 3),
                                                   "load_average": round(os.getloadavg()[0], 1)})))
    return figures
