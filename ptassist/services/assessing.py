"""Assess an intake for a use case, turning intake errors into a ValidationError (no database)."""

from __future__ import annotations

from typing import Any

from ptassist.core.assessment import Assessment
from ptassist.core.engine import Engine
from ptassist.core.errors import IntakeError
from ptassist.core.validation import ValidationError


def assess_intake(engine: Engine, intake: dict[str, Any] | None) -> Assessment | None:
    """The live assessment of an intake (None without one); raises ValidationError if invalid."""
    if intake is None:
        return None
    try:
        return engine.assess_json(intake)
    except IntakeError as exc:
        raise ValidationError(f"intake.{exc.key}" if exc.key else "intake", exc.message) from None
