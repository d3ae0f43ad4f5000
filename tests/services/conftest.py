"""services tests run on both back ends."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _on_each_backend(backend):
    """Every test here runs on SQLite and on PostgreSQL (tests/conftest.py)."""
    return backend
