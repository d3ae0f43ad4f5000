"""Small benchmark harness: each figure is measured beside a floor taken in the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Figure:
    """One benchmark figure, compared with its goal and (where one applies) a floor."""

    name: str
    value: float
    unit: str
    goal: str
    meets_goal: bool
    floor: float | None = None
    ratio: float | None = None
    floor_note: str = ""
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def median_seconds(work: Callable[[], object], repeats: int, warmup: int = 3) -> float:
    """Median wall time of ``work`` over ``repeats`` calls, after a few warm-up calls."""
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def figure(
    name: str,
    value: float,
    unit: str,
    goal_value: float,
    *,
    floor: float | None = None,
    floor_note: str = "",
    note: str = "",
    max_ratio: float | None = None,
) -> Figure:
    """A figure whose goal is ``value < goal_value`` (and ``ratio <= max_ratio`` when given)."""
    ratio = round(value / floor, 2) if floor else None
    meets = value < goal_value and (max_ratio is None or (ratio is not None and ratio <= max_ratio))
    goal = f"< {goal_value:g} {unit}" + (f" and <= {max_ratio:g}x floor" if max_ratio is not None else "")
    return Figure(
        name=name,
        value=round(value, 4),
        unit=unit,
        goal=goal,
        meets_goal=meets,
        floor=round(floor, 4) if floor is not None else None,
        ratio=ratio,
        floor_note=floor_note,
        note=note,
    )
