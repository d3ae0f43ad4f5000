"""What ``verify`` reports: one problem per broken record or link."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One broken record or link."""

    record_type: str
    record_id: int | None
    message: str


@dataclass(frozen=True)
class VerifyReport:
    """The result of walking the chain."""

    records: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems
