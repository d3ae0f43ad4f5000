"""Records on a server, on a machine without PostgreSQL's client library (libpq): one line saying
what to install, never a traceback; the file back end does not need libpq (issue 14).

The Linux bundle (and a psycopg installed without its binary package) loads the system's libpq
through psycopg's pure-Python wrapper; PSYCOPG_IMPL=python makes the venv's psycopg do the same,
and tests/no_libpq.py runs it where the machine has no libpq.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ptassist.store.server_check import libpq_install_hint, missing_driver
from tests.no_libpq import CannotHideError, without_libpq

URL = "postgresql://clinician@records.clinic.invalid/ptassist?sslmode=verify-full"


@pytest.fixture
def hidden(tmp_path) -> list[str]:
    """The command prefix that runs a program where libpq is not installed."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the system's libpq is loaded this way on Linux only")
    try:
        return without_libpq(tmp_path / "no-libpq")
    except CannotHideError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"cannot hide libpq: {exc}")
        pytest.skip(f"cannot hide libpq here: {exc}")


def _env(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PTASSIST_DATABASE", "PG"))}
    return {**env, "PSYCOPG_IMPL": "python", "HOME": str(tmp_path / "home")}


def test_a_server_says_in_one_line_that_libpq_is_missing_and_how_to_install_it(hidden, tmp_path):
    done = subprocess.run([*hidden, sys.executable, "-m", "ptassist", "demo", "--patients", "2",
                           "--data-dir", str(tmp_path / "server"), "--database-url", URL],
                          capture_output=True, text=True, env=_env(tmp_path), timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "ptassist: error: cannot open the records on records.clinic.invalid/ptassist: the PostgreSQL client library "
        f"libpq is not installed on this computer; {libpq_install_hint()}"]


def test_settings_test_connection_says_the_same(hidden, tmp_path):
    probe = ("from ptassist.store.server_check import check_connection\n"
             "from ptassist.store.errors import StoreError\n"
             "try:\n"
             f"    check_connection({URL!r})\n"
             "except StoreError as exc:\n"
             "    print(exc)\n")
    done = subprocess.run([*hidden, sys.executable, "-c", probe], capture_output=True, text=True,
                          env=_env(tmp_path), timeout=120, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"the PostgreSQL client library libpq is not installed on this computer; {libpq_install_hint()}\n"


def test_the_file_back_end_works_without_libpq(hidden, tmp_path):
    data = str(tmp_path / "data")
    env = _env(tmp_path)
    demo = subprocess.run([*hidden, sys.executable, "-m", "ptassist", "demo", "--patients", "2", "--data-dir", data],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert demo.returncode == 0, demo.stderr
    login = {**env, "PTASSIST_USER": "Demo Clinician", "PTASSIST_PASSWORD": "demo"}
    listed = subprocess.run([*hidden, sys.executable, "-m", "ptassist", "patient", "list", "--data-dir", data],
                            capture_output=True, text=True, env=login, timeout=120, check=False)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2, listed.stderr


@pytest.mark.parametrize(("os_release", "command"), [
    ('NAME="Debian GNU/Linux"\nID=debian\n', "sudo apt install libpq5"),
    ('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n', "sudo apt install libpq5"),
    ('NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n', "sudo apt install libpq5"),
    ('NAME="Fedora Linux"\nID=fedora\n', "sudo dnf install libpq"),
    ('NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\n', "sudo dnf install libpq"),
    ('NAME="openSUSE Tumbleweed"\nID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', "sudo zypper install libpq5"),
    ('NAME="Arch Linux"\nID=arch\n', "sudo pacman -S postgresql-libs"),
])
def test_the_install_command_is_the_distributions(tmp_path, monkeypatch, os_release, command):
    monkeypatch.setattr(sys, "platform", "linux")
    release = tmp_path / "os-release"
    release.write_text(os_release, encoding="utf-8")
    assert libpq_install_hint(release) == f"install it with: {command}"


def test_an_unknown_distribution_gets_both_commands(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert libpq_install_hint(tmp_path / "no-os-release") == (
        "install it with: sudo apt install libpq5 (Debian, Ubuntu) or sudo dnf install libpq (Fedora)")


def test_psycopg_itself_missing_is_the_pip_extra():
    missing = ModuleNotFoundError("No module named 'psycopg'", name="psycopg")
    assert missing_driver(missing) == "the PostgreSQL driver is not installed (pip install 'ptassist[postgresql]')"
