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


@pytest.fixture
def records(tmp_path):
    opened = Records.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def patient(records):
    return records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02", sex="male")
