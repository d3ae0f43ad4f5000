"""Desktop figures: cold start, checklist update after a change, search as you type.

Cold start runs `ptassist --smoke-test` on a 10,000-patient demo database beside a bare PySide6
window started the same way in the same run: to the login screen, and through a login (from
PTASSIST_USER / PTASSIST_PASSWORD, production Argon2id costs) to the main window with its list.
Search as you type is timed from the last keystroke to the results on the 100,000-patient demo
database (the quick run uses 10,000).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_store import _demo
from harness import Figure, figure, median_seconds

BARE_WINDOW = (
    "import time\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([]); w = QMainWindow(); w.show()\n"
    "QTimer.singleShot(0, lambda: (print(f'ptassist-ready {time.time():.6f}', flush=True), app.quit()))\n"
    "app.exec()\n"
)


# Not bench_store's "Bench Clinician" (test-only costs, enrolled in the cached demo records): an
# account of its own, at production costs, on a copy of those records.
BENCH_USER = "Cold Start Clinician"
BENCH_PASSWORD = "cold start passphrase"


def _with_login(demo: Path) -> Path:
    """A copy of the demo records with an account of its own (production costs), made once."""
    from ptassist.services.identity import clinic_state, set_up

    folder = demo.with_name(demo.name + "-login")
    if clinic_state(folder) == "login" and (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(demo / "ptassist.db", folder / "ptassist.db")
    set_up(folder, name=BENCH_USER, password=BENCH_PASSWORD, credentials="PT", registration="BENCH-1",
           encrypted=False)
    (folder / ".complete").write_text("set up\n", encoding="utf-8")
    return folder


def seconds_to(command: list[str], env: dict[str, str], *marks: str) -> list[float]:
    """Wall time from spawning ``command`` to each of its ``marks`` lines ('ptassist-login-screen':
    the login screen is up; 'ptassist-ready': after the login, the main window is shown with its
    patient list and takes input; 'ptassist-patient-open')."""
    start = time.time()
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    words = [line.split() for line in done.stdout.splitlines() if line.startswith("ptassist-")]
    stamps = {name: float(stamp) for name, stamp in words}
    return [stamps[mark] - start for mark in marks]


def run(quick: bool) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start_db = _with_login(_demo(10_000)[0])
    login_env = {**env, "PTASSIST_USER": BENCH_USER, "PTASSIST_PASSWORD": BENCH_PASSWORD}
    repeats = 3 if quick else 7

    app_command = [sys.executable, "-m", "ptassist", "--data-dir", str(start_db), "--smoke-test"]
    bare_command = [sys.executable, "-c", BARE_WINDOW]
    seconds_to(app_command, login_env, "ptassist-ready")  # warm-up (and the day's backup)
    marks = ("ptassist-login-screen", "ptassist-ready", "ptassist-patient-open")
    runs = [seconds_to(app_command, login_env, *marks) for _ in range(repeats)]
    login_screen = statistics.median(screen for screen, _, _ in runs)
    cold = statistics.median(ready for _, ready, _ in runs)
    opened = statistics.median(patient for _, _, patient in runs)
    bare = statistics.median(seconds_to(bare_command, env, "ptassist-ready")[0] for _ in range(repeats))
    figures = [figure("ui.login_screen (10,000 patients)", login_screen, "s", 5, floor=bare, max_ratio=3,
                      floor_note="a bare PySide6 window started the same way",
                      note="`ptassist --smoke-test`: the login screen up, taking input (no record read yet)"),
               figure("ui.cold_start (10,000 patients)", cold, "s", 10, floor=login_screen,
                      floor_note="the login screen of the same runs",
                      note="then a login from the environment (Argon2id at production costs, off the GUI "
                           "thread): main window up, patient list filled, taking input"),
               figure("ui.first_patient_open (10,000 patients)", opened, "s", 2, floor=cold,
                      floor_note="the cold start to a usable window, same runs",
                      note="start, then open the first patient at once (waits for the records to load)")]

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ptassist.services.records import Records
    from ptassist.ui.app import ui_settings
    from ptassist.ui.main_window import MainWindow
    from ptassist.ui.widgets.tristate import TriState

    _app = QApplication.instance() or QApplication([])  # kept alive for the widgets below
    search_db, _ = _demo(10_000 if quick else 100_000)
    records = Records.open(search_db, daily_backup=False)
    try:
        window = MainWindow(records, ui_settings(search_db))
        window.show()
        patient = records.patients.page(limit=1)[0]
        window.open_patient(patient.id)
        window.chart.new_visit()
        editor = window.editor
        editor.body_chart.toggle("lateral_knee")
        widget = editor.findings.widgets["noble_test"]
        assert isinstance(widget, TriState)
        states: list[bool | None] = [True, False, None]
        counter = [0]

        def change() -> None:
            widget.set_value(states[counter[0] % 3])
            counter[0] += 1
            editor.refresh_checklist()

        update = median_seconds(change, 30 if quick else 100) * 1000
        intake = editor.intake()
        engine_only = median_seconds(lambda: records.engine.assess_json(intake), 100) * 1000
        figures.append(figure("ui.checklist_update", update, "ms", 16, floor=engine_only,
                              floor_note="the engine alone on the same intake",
                              note="form read, engine, checklist and banner redrawn"))
        editor.save_now()
        window.show_patients()
        search = window.patients.search
        shown: list[float] = []
        window.patients.model.modelReset.connect(lambda: shown.append(time.perf_counter()))
        samples = []
        for query in ("mül", "zoe", "smith", "ива", "garc", "παπ", "lef"):
            search.clear()
            QTest.qWait(100)
            for char in query:  # one keystroke at a time, as typed
                search.insert(char)
                QTest.qWait(10)
            start = time.perf_counter()
            shown.clear()
            QTest.qWait(300)
            samples.append((shown[-1] if shown else start + 1.0) - start)
        label = "10,000" if quick else "100,000"
        figures.append(figure(f"ui.search_as_you_type ({label} patients)", statistics.median(samples) * 1000, "ms",
                              50, note="from the last keystroke to the results in the list"))
        window.close()
    finally:
        records.close()
    return figures
