"""Store fixtures: a fresh file database in a temporary data folder for every test."""

from __future__ import annotations

INTAKE = {
    "format": "ptassist-intake/1",
    "age": 45,
    "side": "left",
    "symptoms": [{"region": "lateral_knee", "kind": "pain"}],
    "findings": {"noble_test": True, "lateral_epicondyle_tenderness": True, "pain_at_predictable_point_in_activity": True},
}
