"""Store fixtures: a fresh database (an SQLite file in the data folder, or PostgreSQL) for every test."""

from __future__ import annotations

import pytest

INTAKE = {
    "format": "ptassist-intake/1",
    "age": 45,
    "side": "left",
    "symptoms": [{"region": "lateral_knee", "kind": "pain"}],
    "findings": {"noble_test": True, "lateral_epicondyle_tenderness": True, "pain_at_predictable_point_in_activity": True},
}


@pytest.fixture(autouse=True)
def _on_each_backend(backend):
    """Every test here runs on SQLite and on PostgreSQL (tests/conftest.py)."""
    return backend
