"""Store fixtures: a fresh file database in a temporary data folder for every test."""

from __future__ import annotations

import pytest

from ptassist.services.records import Records


@pytest.fixture
def records(tmp_path):
    opened = Records.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def patient(records):
    return records.patients.add(family_name="Okafor", given_name="Chidi", date_of_birth="1979-05-02", sex="male")


INTAKE = {
    "format": "ptassist-intake/1",
    "age": 45,
    "side": "left",
    "symptoms": [{"region": "lateral_knee", "kind": "pain"}],
    "findings": {"noble_test": True, "lateral_epicondyle_tenderness": True, "pain_at_predictable_point_in_activity": True},
}
