"""Security tests run Argon2id at cheap costs through the explicit test-only parameter object."""

from __future__ import annotations

import pytest

from ptassist.security.argon2_params import TEST_ONLY, Argon2Parameters


@pytest.fixture
def fast() -> Argon2Parameters:
    return TEST_ONLY
