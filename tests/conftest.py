"""Shared test configuration: headless Qt, and a fresh data folder for every test."""

from __future__ import annotations

import os

import pytest

from ptassist.services.records import Records

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
