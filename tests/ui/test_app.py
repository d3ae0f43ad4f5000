"""`ptassist --smoke-test`, run as a packaged build is checked: a real process, offscreen.

An empty folder stops at the first-start screen; existing records log in with PTASSIST_USER /
PTASSIST_PASSWORD when they are set (and open the first patient), else stop at the login screen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

FIXTURES = Path(__file__).resolve().parents[1] / "store" / "fixtures"
DEMO_LOGIN = {"PTASSIST_USER": "Demo Clinician", "PTASSIST_PASSWORD": "demo"}
SETUP_PASSWORD = "a long clinic passphrase"

# Which window the smoke test stopped at, and whether SQLAlchemy was loaded by then.
PROBE = """
import sys
from ptassist.ui import app as app_module

smoke = app_module._smoke

def report(app, window):
    screen = window.stack.currentWidget().objectName()
    print("probe", window.objectName(), screen, "sqlalchemy" in sys.modules, flush=True)
    smoke(app, window)

app_module._smoke = report
sys.exit(app_module.run_app(smoke_test=True, data_dir=sys.argv[1]))
"""


def environment(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PTASSIST_USER", "PTASSIST_PASSWORD")}
    return {**env, "QT_QPA_PLATFORM": "offscreen", **extra}


def smoke(folder, **extra):
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), "--smoke-test"],
                          capture_output=True, text=True, check=False, timeout=120, env=environment(**extra))


def probe(folder, **extra):
    return subprocess.run([sys.executable, "-c", PROBE, str(folder)], capture_output=True, text=True, check=False,
                          timeout=120, env=environment(**extra))


def cli(folder, *args, **extra):
    return subprocess.run([sys.executable, "-m", "ptassist", "--data-dir", str(folder), *args], check=True,
                          capture_output=True, text=True, env=environment(**extra))


def set_up(folder):
    cli(folder, "setup", "--name", "Alex Carter", "--credentials", "PT, DPT", "--registration", "PT 40213",
        "--unencrypted", PTASSIST_PASSWORD=SETUP_PASSWORD)


def lines(done, prefix):
    return [line for line in done.stdout.splitlines() if line.startswith(prefix)]


def test_smoke_test_on_a_fresh_data_folder_stops_at_the_first_start_screen(tmp_path):
    done = probe(tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert "probe start_window first_start_screen False" in done.stdout
    assert lines(done, "ptassist-ready") and not lines(done, "ptassist-patient-open")
    assert not (tmp_path / "data" / "ptassist.keys").exists()  # nothing is set up without a person
    assert (tmp_path / "data" / "logs" / "ptassist.log").exists()


def test_smoke_test_logs_in_from_the_environment_and_opens_a_patient(tmp_path):
    folder = tmp_path / "data"
    cli(folder, "demo", "--patients", "3")
    done = smoke(folder, **DEMO_LOGIN)
    assert done.returncode == 0, done.stderr
    assert lines(done, "ptassist-login-screen") and lines(done, "ptassist-ready") and lines(done, "ptassist-patient-open")
    assert "Error" not in done.stderr  # nothing cut off at exit (the backup and check finish first)
    log = (folder / "logs" / "ptassist.log").read_text(encoding="utf-8")
    assert "started" in log
    for secret in ("Müller", "Smith", "Иван", "demo\n", "password"):  # never patient names or passwords
        assert secret not in log


def test_smoke_test_without_a_login_stops_at_the_login_screen_before_sqlalchemy(tmp_path):
    folder = tmp_path / "data"
    cli(folder, "demo", "--patients", "3")
    done = probe(folder)
    assert done.returncode == 0, done.stderr
    assert "probe start_window login_screen False" in done.stdout  # up with no ORM loaded
    assert lines(done, "ptassist-ready") and not lines(done, "ptassist-patient-open")


# What the first window does without (benchmarks/bench_frozen.py: it is up within 2x a bare PySide6
# window): each of these is loaded once someone logs in, or by another screen.
LIGHT_PROBE = """
import sys
import PySide6.QtCore
from ptassist.ui import app as app_module

smoke = app_module._smoke

def report(app, window):
    heavy = ["ptassist.services.identity", "cryptography", "argon2", "ptassist.ui.main_window",
             "ptassist.ui.idle_watch", "ptassist.store.errors", "tomllib", "logging.handlers"]
    loaded = [name for name in heavy if name in sys.modules]
    if "Qt" in vars(PySide6.QtCore):  # the Qt namespace: its enums take about 15 ms to create
        loaded.append("PySide6.QtCore.Qt")
    print("probe", window.stack.currentWidget().objectName(), "loaded:", *loaded, flush=True)
    smoke(app, window)

app_module._smoke = report
sys.exit(app_module.run_app(smoke_test=True, data_dir=sys.argv[1]))
"""


def test_the_login_screen_is_up_before_the_identity_service_cryptography_and_the_qt_namespace_load(tmp_path):
    folder = tmp_path / "data"
    set_up(folder)
    done = subprocess.run([sys.executable, "-c", LIGHT_PROBE, str(folder)], capture_output=True, text=True,
                          check=False, timeout=120, env=environment())
    assert done.returncode == 0, done.stderr
    assert "probe login_screen loaded:\n" in done.stdout


def test_smoke_test_with_a_wrong_password_fails_and_says_so(tmp_path):
    folder = tmp_path / "data"
    cli(folder, "demo", "--patients", "1")
    done = smoke(folder, PTASSIST_USER="Demo Clinician", PTASSIST_PASSWORD="not it")
    assert done.returncode == 1
    assert "ptassist-smoke-failed login: Unknown user or wrong password." in done.stderr
    assert not lines(done, "ptassist-ready")


def test_smoke_test_on_an_older_schema_migrates_first_then_opens_a_patient(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "schema_0002.db", folder / "ptassist.db")
    set_up(folder)  # the first account on records from before accounts
    done = smoke(folder, PTASSIST_USER="Alex Carter", PTASSIST_PASSWORD=SETUP_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert lines(done, "ptassist-patient-open")
    assert any("pre-migration" in p.name for p in (folder / "backups").iterdir())


def test_smoke_test_on_a_damaged_file_fails_with_a_message_and_leaves_it_alone(tmp_path):
    folder = tmp_path / "data"
    set_up(folder)
    damaged = folder / "ptassist.db"
    damaged.write_bytes(b"this is not a database" * 200)
    done = smoke(folder, PTASSIST_USER="Alex Carter", PTASSIST_PASSWORD=SETUP_PASSWORD)
    assert done.returncode == 1
    assert "not a ptassist database" in done.stderr and str(damaged) in done.stderr
    assert damaged.read_bytes() == b"this is not a database" * 200
