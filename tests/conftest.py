"""Shared test configuration: headless Qt, a fresh data folder for every test, and the database
back ends (``backend``: SQLite, and PostgreSQL on a throwaway server) for the tests that take them."""

from __future__ import annotations

import os

import pytest

from ptassist.services.records import Records
from tests import backends

# Qt tests run offscreen everywhere (CI has no display); set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Tests never touch the real user folders."""
    monkeypatch.setenv("PTASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PTASSIST_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("PTASSIST_DATABASE_URL", raising=False)
    # CLI runs (in-process and subprocesses) log in as the test clinic's first account.
    monkeypatch.setenv("PTASSIST_USER", "Alex Carter")
    monkeypatch.setenv("PTASSIST_PASSWORD", "correct horse battery")
    monkeypatch.delenv("PTASSIST_NEW_PASSWORD", raising=False)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file itself (crash, disks, header, file copy)")
    config.addinivalue_line("markers", "postgresql: about PostgreSQL only (not run when no server can be started)")


def pytest_generate_tests(metafunc):
    """Every test that takes ``backend`` (the store, services and CLI tests) runs on both back ends,
    except those marked ``sqlite_only``."""
    if "backend" not in metafunc.fixturenames:
        return
    names = [] if metafunc.definition.get_closest_marker("postgresql") else ["sqlite"]
    if metafunc.definition.get_closest_marker("sqlite_only") is None and _postgresql_available():
        names.append("postgresql")
    metafunc.parametrize("backend", names, indirect=True)


def _postgresql_available() -> bool:
    if backends.server() is not None:
        return True
    if backends.in_ci():
        pytest.exit(f"PostgreSQL tests cannot run in CI: {backends.problem()}", returncode=1)
    return False


def pytest_terminal_summary(terminalreporter):
    if backends.problem():
        terminalreporter.write_line(f"PostgreSQL half NOT RUN: {backends.problem()}", yellow=True)


def pytest_unconfigure(config):
    backends.stop()


@pytest.fixture
def backend(request, _isolated_data_dir, monkeypatch):
    """'sqlite' (the file in the data folder) or 'postgresql' (PTASSIST_DATABASE_URL: a fresh database)."""
    if request.param == "postgresql":
        url = backends.new_database()
        monkeypatch.setenv("PTASSIST_DATABASE_URL", url)
        yield request.param
        backends.drop_database(url)
        return
    yield request.param


@pytest.fixture
def pg_server():
    """The run's PostgreSQL server (not available: skipped here, a failure in CI)."""
    if not _postgresql_available():
        pytest.skip(f"PostgreSQL not available: {backends.problem()}")
    return backends.server()


@pytest.fixture
def signed_in(tmp_path):
    """The records' first account (administrator-clinician "Alex Carter"), set up and logged in."""
    from tests.helpers import clinic

    return clinic(tmp_path / "data", name="Alex Carter")


@pytest.fixture
def records(tmp_path, signed_in):
    """Records in the test's data folder, opened as ``signed_in``; sign with ``TEST_PASSWORD``."""
    opened = Records.open(tmp_path / "data", signed_in=signed_in)
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _cheap_cli_logins(monkeypatch):
    """In-process CLI runs log in with the test-only Argon2 costs (subprocess runs use production's)."""
    from ptassist import cli_auth
    from ptassist.security.argon2_params import TEST_ONLY

    monkeypatch.setattr(cli_auth, "LOGIN_PARAMS", TEST_ONLY)


@pytest.fixture
def patient(records):
    return records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02", sex="male")
