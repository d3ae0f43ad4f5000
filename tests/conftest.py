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
def records(tmp_path):
    opened = Records.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def patient(records):
    return records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02", sex="male")
