"""The built bundle behaves like the installed app, with no Python on PATH.

Run after ``python3 dev.py package`` (CI does): ``pytest -m frozen tests/packaging``. The bundle is
dist/ptassist, or $PTASSIST_BUNDLE. Deselected from the default run, which has no bundle to test.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import APP_ID, PACKAGING, ROOT, tool, x_server

pytestmark = [pytest.mark.frozen, pytest.mark.slow]

EMERGENCY_INTAKE = {"format": "ptassist-intake/1", "side": "left", "findings": {"saddle_sensory_change": True}}


@pytest.fixture(scope="module")
def bundle() -> Path:
    folder = Path(os.environ.get("PTASSIST_BUNDLE", ROOT / "dist" / "ptassist"))
    if not (folder / "ptassist").is_file():
        pytest.fail(f"no bundle at {folder}: build it with `python3 dev.py package`")
    return folder


@pytest.fixture
def bare_env(tmp_path) -> dict[str, str]:
    """A user with a home of their own and nothing on PATH: no Python, no tools."""
    home = tmp_path / "home"
    (home / "empty-path").mkdir(parents=True)
    return {"HOME": str(home), "PATH": str(home / "empty-path"), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}


def frozen(bundle: Path, env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bundle / "ptassist"), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)


CLINICIAN, PASSWORD = "Test Clinician", "Frozen-Bundle-Check-7"
DEMO_LOGIN = {"PTASSIST_USER": "Demo Clinician", "PTASSIST_PASSWORD": "demo"}


def set_up(bundle: Path, env: dict[str, str], *where: str, unencrypted: bool = False) -> dict[str, str]:
    """The first account, as a clinic's first start makes it (issue 12); the environment that logs in."""
    login = {**env, "PTASSIST_USER": CLINICIAN, "PTASSIST_PASSWORD": PASSWORD}
    done = frozen(bundle, login, "setup", "--name", CLINICIAN, "--credentials", "PT, DPT", "--registration", "PT-1",
                  *where, *(["--unencrypted"] if unencrypted else []))
    assert done.returncode == 0 and "recovery key:" in done.stdout, done.stderr
    return login


def test_resources_migrations_fonts_and_licences_are_inside_and_unused_qt_is_not(bundle):
    inside = bundle / "_internal"
    assert (inside / "ptassist" / "_resources" / "clinical" / "ruleset.toml").is_file()
    assert (inside / "ptassist" / "_resources" / "icons" / "ptassist.svg").is_file()
    fonts = inside / "ptassist" / "_resources" / "fonts"
    shipped = sorted(p.name for p in (ROOT / "resources" / "fonts").iterdir() if p.suffix in (".ttf", ".otf"))
    assert shipped and [name for name in shipped if not (fonts / name).is_file()] == []
    assert [p.name for p in fonts.glob("LICENSE*")]  # the fonts' licence travels with them
    migrations = inside / "ptassist" / "store" / "migrations"
    assert (migrations / "env.py").is_file() and len(list((migrations / "versions").glob("0*.py"))) >= 3
    summary = (inside / "licenses" / "README.txt").read_text(encoding="utf-8")
    for component in ("Python", "PySide6_Essentials", "shiboken6", "SQLAlchemy", "alembic", "reportlab", "svglib"):
        assert re.search(rf"^{component} [\d.]+: ", summary, re.MULTILINE | re.IGNORECASE), component
    assert (inside / "licenses" / "pyside6-essentials" / "LGPL-3.0.txt").is_file()
    names = {p.name for p in inside.rglob("*")}
    unused = [n for n in names if re.match(r"libQt6(WebEngine|Quick|Qml|3D|Multimedia|Charts|VirtualKeyboard)", n)]
    assert unused == []
    assert not [n for n in names if re.match(r"lib(gtk-3|cairo|cups)\.so", n)]  # GTK never, CUPS the system's


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the 150 MB budget is the Linux bundle's")
def test_the_linux_bundle_stays_within_its_150_mb_budget(bundle):
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert size < 150_000_000, f"{size / 1e6:.1f} MB"
    assert not list((bundle / "_internal").glob("psycopg_binary*"))  # its vendored libraries stay out
    # the system's libpq5 is used (issue 14), and the system's OpenSSL, which it and Python's _ssl link
    assert not [p.name for p in (bundle / "_internal").rglob("lib*") if re.match(r"lib(pq|ssl|crypto)\.so", p.name)]


def test_version(bundle, bare_env):
    from ptassist import __version__

    done = frozen(bundle, bare_env, "--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"ptassist {__version__}")


def test_smoke_test_offscreen_opens_the_window_and_the_first_patient(bundle, bare_env, tmp_path):
    data = tmp_path / "data"
    assert frozen(bundle, bare_env, "demo", "--patients", "3", "--data-dir", str(data)).returncode == 0
    done = frozen(bundle, {**bare_env, **DEMO_LOGIN}, "--data-dir", str(data), "--smoke-test")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^ptassist-login-screen \d", done.stdout, re.MULTILINE)
    assert re.search(r"^ptassist-ready \d", done.stdout, re.MULTILINE)
    assert re.search(r"^ptassist-patient-open \d", done.stdout, re.MULTILINE)


def test_the_login_screen_comes_up_without_what_only_a_logged_in_session_needs(bundle, bare_env, tmp_path):
    """The start-up goal (benchmarks/bench_frozen.py): the first window loads neither the identity
    service and its cryptography nor the Qt namespace, and its icon comes from PNGs, not QtSvg."""
    data = tmp_path / "data"
    set_up(bundle, bare_env, "--data-dir", str(data))
    done = frozen(bundle, bare_env, "--bundle-check", "first-window", str(data))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["screen"], report["loaded"]) == ("login_screen", [])
    assert set(report["qt_libraries"]) <= {"libQt6Core", "libQt6Gui", "libQt6Widgets", "libQt6DBus"}, report
    icons = bundle / "_internal" / "ptassist" / "_resources" / "icons"
    assert sorted(int(p.stem.split("-")[1]) for p in icons.glob("ptassist-*.png")) == [16, 24, 32, 48, 64, 128]


def test_smoke_test_on_a_real_x_server(bundle, bare_env, tmp_path):
    with x_server() as display:
        env = {**bare_env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        done = frozen(bundle, env, "--data-dir", str(tmp_path / "data"), "--smoke-test")
    assert done.returncode == 0, done.stderr
    assert "ptassist-ready" in done.stdout


def test_qt_answers_from_the_slim_icu_data_as_from_the_full_library_but_for_what_it_leaves_out(bundle, bare_env):
    """Collation in a dozen locales, case mapping, the window's date strings and every single-byte
    converter: as the venv's full ICU answers. Left out on purpose (packaging/icu_data.py), and so
    answered differently: time-zone display names and the multi-byte converters."""
    done = frozen(bundle, bare_env, "--bundle-check", "icu")
    assert done.returncode == 0, done.stderr
    reference = subprocess.run([sys.executable, str(PACKAGING / "bundle_check.py"), "icu"], capture_output=True,
                               text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=True)
    slim, full = json.loads(done.stdout), json.loads(reference.stdout)
    room, kept = full["room for 10 characters"], set(slim["codecs"])
    assert kept < set(full["codecs"]) and slim["room for 10 characters"] == {name: room[name] for name in kept}
    # what is gone needs more room than a single-byte code page: the multi-byte converters only
    assert [name for name in full["codecs"] if name not in kept and room[name] <= room["windows-1252"]] == []
    codecs = [key for key in full if key.startswith("codec ")]
    assert {key: slim[key] for key in codecs} == {key: full[key] if full[key] in kept else None for key in codecs}
    assert slim["codec Shift_JIS"] is None and None not in (slim["codec windows-1252"], slim["codec KOI8-R"])
    assert slim["zone names"] == [""] * len(full["zone names"]) and "" not in full["zone names"]
    compared = set(full) - {"codecs", "room for 10 characters", "zone names", *codecs}
    assert compared >= {"sorted de_DE", "sorted zh_CN", "upper", "date and time strings"}
    assert {key: slim[key] for key in compared} == {key: full[key] for key in compared}


def test_the_compacted_pillow_library_loads_and_answers_as_the_wheels(bundle):
    import ctypes

    def xau_file_name(library: Path) -> bytes:
        xau = ctypes.CDLL(str(library))
        xau.XauFileName.restype = ctypes.c_char_p
        return xau.XauFileName()

    inside = next((bundle / "_internal" / "pillow.libs").glob("libXau-*.so*"))
    wheel = next(Path(sys.prefix).glob(f"lib/python3*/site-packages/pillow.libs/{inside.name}"))
    assert inside.stat().st_size < 200_000 < wheel.stat().st_size
    assert xau_file_name(inside) == xau_file_name(wheel)


def test_sqlcipher_opens_a_keyed_database_in_the_bundle(bundle, bare_env, tmp_path):
    import sqlcipher3.dbapi2 as sqlcipher

    key = os.urandom(32)
    path = tmp_path / "records.db"
    made = sqlcipher.connect(str(path))
    made.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    made.execute("CREATE TABLE checks (id INTEGER PRIMARY KEY, text TEXT)")
    made.execute("INSERT INTO checks (text) VALUES ('Zoë Ångström, written by the venv')")
    made.commit()
    made.close()
    assert b"Zo\xc3\xab" not in path.read_bytes() and not path.read_bytes().startswith(b"SQLite format 3")

    done = frozen(bundle, {**bare_env, "PTASSIST_CHECK_KEY": key.hex()}, "--bundle-check", "sqlcipher", str(path))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["rows"] == ["Zoë Ångström, written by the venv"] and report["count_after_insert"] == 2
    assert report["cipher_version"]
    reopened = sqlcipher.connect(str(path))
    reopened.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    assert [row[0] for row in reopened.execute("SELECT text FROM checks ORDER BY id")][-1] == "written by the bundle"
    reopened.close()
    wrong = frozen(bundle, {**bare_env, "PTASSIST_CHECK_KEY": os.urandom(32).hex()}, "--bundle-check", "sqlcipher",
                   str(path))
    assert wrong.returncode != 0 and "file is not a database" in wrong.stderr


def test_assess_and_print_a_programme_from_an_intake(bundle, bare_env, tmp_path):
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(EMERGENCY_INTAKE), encoding="utf-8")
    done = frozen(bundle, bare_env, "assess", str(intake), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["urgency"] == "emergency"
    pdf = tmp_path / "programme.pdf"
    data = tmp_path / "data"
    login = set_up(bundle, bare_env, "--data-dir", str(data))  # encrypted records, as a clinic's are
    assert not (data / "ptassist.db").read_bytes().startswith(b"SQLite format 3")
    printed = frozen(bundle, login, "print", "hep", "--intake", str(intake), "-o", str(pdf), "--data-dir", str(data))
    assert printed.returncode == 0, printed.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000  # fonts and pictures inside


def test_bad_input_is_one_line_not_a_traceback(bundle, bare_env, tmp_path):
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps({**EMERGENCY_INTAKE, "findings": {"noble_tset": True}}), encoding="utf-8")
    done = frozen(bundle, bare_env, "assess", str(intake))
    assert done.returncode == 2
    assert "did you mean: noble_test" in done.stderr and "Traceback" not in done.stderr


def test_backup_restore_and_verify(bundle, bare_env, tmp_path):
    data = tmp_path / "data"
    assert frozen(bundle, bare_env, "demo", "--patients", "2", "--data-dir", str(data)).returncode == 0
    copy = tmp_path / "copy.db"
    demo_login = {**bare_env, **DEMO_LOGIN}
    backed = frozen(bundle, demo_login, "backup", str(copy), "--data-dir", str(data))
    assert backed.returncode == 0, backed.stderr
    assert sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # a restore goes into records one is logged in to (issue 12): the copy replaces them
    restored = frozen(bundle, demo_login, "restore", str(copy), "--data-dir", str(data))
    assert restored.returncode == 0, restored.stderr
    verified = frozen(bundle, demo_login, "verify", "--data-dir", str(data))
    assert verified.returncode == 0, verified.stderr


def test_a_newer_bundle_migrates_older_records_after_a_backup(bundle, bare_env, tmp_path):
    """An upgrade: records written at an older schema (before accounts), in the user's own data
    folder; the first start after the upgrade creates the first account."""
    from ptassist.store import backup as backups
    from ptassist.store.database import open_database, upgrade
    from ptassist.store.revisions import HEAD, KNOWN_REVISIONS

    home_data = Path(bare_env["HOME"]) / ".local" / "share" / "ptassist"  # no --data-dir: the default folder
    older = open_database(home_data, migrate=False, backup=False)
    upgrade(older, KNOWN_REVISIONS[-2])
    older.close()
    login = set_up(bundle, bare_env, unencrypted=True)  # plain, so that sqlite3 reads the revision below
    done = frozen(bundle, login, "patient", "add", "--family", "Nakamura", "--given", "Aiko", "--dob", "1990-01-02",
                  "--sex", "female")
    assert done.returncode == 0, done.stderr
    revision = sqlite3.connect(home_data / "ptassist.db").execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == (HEAD,)
    saved = [p.name for p in backups.list_backups(home_data)]
    assert any(name.endswith("-pre-migration.db") for name in saved), saved
    before = sqlite3.connect(next(p for p in backups.list_backups(home_data) if "pre-migration" in p.name))
    assert before.execute("SELECT version_num FROM alembic_version").fetchone() == (KNOWN_REVISIONS[-2],)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system's libpq is the Linux bundle's")
def test_the_bundle_keeps_its_records_on_a_postgresql_server_through_the_systems_libpq(bundle, bare_env, pg_server,
                                                                                        tmp_path):
    """Issue 14: a workstation's installed app on the clinic's server (a real, throwaway one)."""
    pg_server.psql("CREATE DATABASE frozen_records")
    url = pg_server.url("frozen_records")
    where = ("--data-dir", str(tmp_path / "data"), "--database-url", url)
    demo = frozen(bundle, bare_env, "demo", "--patients", "3", *where)  # migrations, COPY, the demo account
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith("3 patients, ")
    login = {**bare_env, **DEMO_LOGIN}
    added = frozen(bundle, login, "patient", "add", "--family", "Frozen", "--given", "Server", "--dob", "1970-01-02",
                   "--sex", "other", *where)
    assert added.returncode == 0, added.stderr
    listed = frozen(bundle, login, "patient", "list", *where)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 4 and f"{added.stdout.strip()}  " in listed.stdout
    assert "Frozen, Server  (1970-01-02)" in listed.stdout
    found = frozen(bundle, login, "search", "frozen", *where)
    assert found.returncode == 0 and "Frozen, Server" in found.stdout, found.stderr
    verified = frozen(bundle, login, "verify", *where)
    assert verified.returncode == 0 and verified.stdout.startswith("OK: "), verified.stderr
    # The rows are on the server, not in a file of the data folder.
    assert pg_server.psql("SELECT family_name FROM patient ORDER BY id DESC LIMIT 1", "frozen_records").strip() == "Frozen"
    assert not (tmp_path / "data" / "ptassist.db").exists()

    # backup (the system's pg_dump) and restore (pg_restore, staged and verified) through the bundle
    dump = tmp_path / "records.dump"
    backed_up = frozen(bundle, login, "backup", str(dump), *where)
    assert backed_up.returncode == 0 and dump.read_bytes()[:5] == b"PGDMP", backed_up.stderr
    later = frozen(bundle, login, "patient", "add", "--family", "Later", "--given", "One", "--dob", "1980-02-03",
                   *where)
    assert later.returncode == 0, later.stderr
    restored = frozen(bundle, login, "restore", str(dump), "--replace-newer", *where)
    assert restored.returncode == 0 and "restored from" in restored.stdout, restored.stderr
    assert pg_server.psql("SELECT count(*) FROM patient WHERE family_name = 'Later'", "frozen_records").strip() == "0"
    assert frozen(bundle, login, "verify", *where).stdout.startswith("OK: ")

    # psycopg's pure-Python wrapper, on the machine's own libpq and the TLS and Kerberos libraries it links.
    checked = frozen(bundle, bare_env, "--bundle-check", "postgresql", url)
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["impl"] == "python" and report["libpq_version"] >= 100000 and report["server_version_num"] >= 100000
    system_libpq = re.search(r"libpq\.so\.5 \(.*\) => (\S+)", subprocess.run(
        ["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True).stdout).group(1)
    assert report["loaded"]["libpq"] == str(Path(system_libpq).resolve())
    assert not Path(report["loaded"]["libpq"]).is_relative_to(bundle.resolve())
    assert {"libssl", "libcrypto"} <= set(report["loaded"])
    assert [name for name, path in report["loaded"].items() if name in ("libssl", "libcrypto")
            and Path(path).is_relative_to(bundle.resolve())] == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system's libpq is the Linux bundle's")
def test_without_libpq_a_server_is_one_line_saying_what_to_install_and_the_file_back_end_works(bundle, bare_env,
                                                                                              tmp_path):
    from ptassist.store.server_check import libpq_install_hint
    from tests.no_libpq import CannotHideError, without_libpq

    try:
        hidden = without_libpq(tmp_path / "no-libpq")
    except CannotHideError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"cannot hide libpq: {exc}")
        pytest.skip(f"cannot hide libpq here: {exc}")

    def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*hidden, str(bundle / "ptassist"), *args], capture_output=True, text=True, env=env,
                              timeout=120, check=False)

    url = "postgresql://clinician@records.clinic.invalid/ptassist?sslmode=verify-full"
    done = run(bare_env, "demo", "--patients", "2", "--data-dir", str(tmp_path / "server"), "--database-url", url)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "ptassist: error: cannot open the records on records.clinic.invalid/ptassist: the PostgreSQL client library "
        f"libpq is not installed on this computer; {libpq_install_hint()}"]
    assert "sudo " in done.stderr and "Traceback" not in done.stderr
    data = str(tmp_path / "data")
    demo = run(bare_env, "demo", "--patients", "2", "--data-dir", data)
    assert demo.returncode == 0, demo.stderr
    listed = run({**bare_env, **DEMO_LOGIN}, "patient", "list", "--data-dir", data)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2, listed.stderr


def test_install_script_gives_a_menu_entry_that_starts_the_app(bundle, tmp_path):
    """Unpack, install for the user, start what the menu entry says, see the window, uninstall."""
    archive = next((ROOT / "dist").glob("ptassist-*.tar.gz"), None) if "PTASSIST_BUNDLE" not in os.environ else None
    if archive is not None:
        subprocess.run(["tar", "-xzf", str(archive), "-C", str(tmp_path)], check=True)
        unpacked = tmp_path / "ptassist"
    else:
        unpacked = bundle
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    installed = subprocess.run(["sh", str(unpacked / "install.sh")], capture_output=True, text=True, env=env,
                               check=False, timeout=300)
    assert installed.returncode == 0, installed.stderr
    entry = (home / ".local" / "share" / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    # as a menu launches it with no files: field codes (%f, %F, %u, ...) dropped
    command = [arg for arg in shlex.split(re.search(r"^Exec=(.*)$", entry, re.MULTILINE).group(1))
               if not re.fullmatch(r"%[fFuUdDnNickvm]", arg)]
    assert Path(command[0]).is_relative_to(home / ".local" / "opt" / "ptassist")

    xwininfo = tool("xwininfo")
    with x_server() as display:
        run_env = {**env, "DISPLAY": display, "PATH": str(tmp_path)}
        app = subprocess.Popen(command, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline, seen = time.monotonic() + 60, ""
            while time.monotonic() < deadline and app.poll() is None:
                seen = subprocess.run([xwininfo, "-root", "-tree"], capture_output=True, text=True,
                                      env={"DISPLAY": display}, check=False).stdout
                if '"ptassist"' in seen:
                    break
                time.sleep(0.25)
            assert '"ptassist"' in seen, app.stderr.read() if app.poll() is not None else seen[-2000:]
        finally:
            app.terminate()
            app.communicate(timeout=30)
    removed = subprocess.run(["sh", str(home / ".local" / "opt" / "ptassist" / "uninstall.sh")], capture_output=True,
                             text=True, env=env, check=False)
    assert removed.returncode == 0, removed.stderr
    assert not (home / ".local" / "opt" / "ptassist").exists()
    assert not (home / ".local" / "share" / "applications" / f"{APP_ID}.desktop").exists()
