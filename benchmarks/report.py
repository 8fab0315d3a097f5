"""Measurements and how they are printed: a plain table, or one JSON document with --json."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Measurement:
    """One figure: value in `unit`, optional baseline of the same run, and the goal it is held to."""

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    goal: str = ""  # e.g. "<= 100 ms" or "ratio <= 1.5"
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_dict(self) -> dict[str, Any]:
        document = asdict(self)
        document["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return document


def at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def timed(func: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> tuple[float, Any]:
    """Median wall time in milliseconds of `repeat` calls after `warmup` untimed ones, and the last result."""
    result = None
    for _ in range(warmup):
        result = func()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = func()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), result


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def table(rows: list[Measurement]) -> str:
    """name, value, unit, baseline, ratio, goal, met — then the notes below the table."""
    header = ("name", "value", "unit", "baseline", "ratio", "goal", "met")
    body = [
        (
            m.name,
            _fmt(m.value),
            m.unit,
            _fmt(m.baseline),
            _fmt(m.ratio),
            m.goal,
            "-" if m.met is None else ("yes" if m.met else "NO"),
        )
        for m in rows
    ]
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    left = (0, 2, 5, 6)  # columns of text; the others are numbers
    lines = [
        "  ".join(
            str(c).ljust(w) if i in left else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"- {m.name}: {m.note}" for m in rows if m.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def emit_json(rows: list[Measurement], context: dict[str, Any]) -> str:
    return json.dumps(
        {"context": context, "measurements": [m.as_dict() for m in rows]}, ensure_ascii=False, indent=2, default=str
    )
