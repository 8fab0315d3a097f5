"""Measurements and how they are printed: a plain table, or one JSON document with --json.

`python -m benchmarks.report --side-by-side sqlite.json postgresql.json` prints one row per
figure with each backend's value, the baselines, the goal and whether each backend meets it.
"""

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
    backend: str = ""  # "sqlite" or "postgresql": the database the figure was measured on

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
    """name, backend, value, unit, baseline, ratio, goal, met — then the notes below the table."""
    header = ("name", "backend", "value", "unit", "baseline", "ratio", "goal", "met")
    body = [
        (
            m.name,
            m.backend or "-",
            _fmt(m.value),
            m.unit,
            _fmt(m.baseline),
            _fmt(m.ratio),
            m.goal,
            "-" if m.met is None else ("yes" if m.met else "NO"),
        )
        for m in rows
    ]
    return _grid(header, body, left=(0, 1, 3, 6, 7)) + ("\n\n" + "\n".join(notes) if (notes := _notes(rows)) else "")


def _notes(rows: list[Measurement]) -> list[str]:
    named = [(m, m.backend and not m.name.endswith(f"({m.backend})")) for m in rows if m.note]
    return [f"- {m.name}{f' ({m.backend})' if show else ''}: {m.note}" for m, show in named]


def _grid(header: tuple[str, ...], body: list[tuple[Any, ...]], left: tuple[int, ...]) -> str:
    """Columns padded to their widest cell; `left`: the columns of text, the others are numbers."""
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(
            str(c).ljust(w) if i in left else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def emit_json(rows: list[Measurement], context: dict[str, Any]) -> str:
    return json.dumps(
        {"context": context, "measurements": [m.as_dict() for m in rows]}, ensure_ascii=False, indent=2, default=str
    )


BACKENDS = ("sqlite", "postgresql")
_SUFFIXES = tuple(f" ({b})" for b in BACKENDS)


def figure_of(name: str) -> str:
    """A row's name without the backend it names at its end: the same figure on either backend."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def backend_of(row: dict[str, Any], context: dict[str, Any]) -> str:
    if row.get("backend") in BACKENDS:
        return str(row["backend"])
    for backend, suffix in zip(BACKENDS, _SUFFIXES, strict=True):
        if str(row.get("name", "")).endswith(suffix):
            return backend
    if context.get("backend") in BACKENDS:
        return str(context["backend"])
    return "postgresql" if str(context.get("database", "")).startswith("postgres") else "sqlite"


def load_documents(paths: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """(the documents that could be read, a line for each that could not): a run that died leaves a gap."""
    from pathlib import Path

    documents, problems = [], []
    for path in paths:
        try:
            documents.append(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: not read ({type(exc).__name__}: {exc})")
    return documents, problems


def _cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return "-"
    if row.get("value") is None:
        return "failed" if str(row.get("note", "")).startswith("failed") else "-"
    return f"{_fmt(row['value'])} {row.get('unit', '')}".rstrip()


def _met(row: dict[str, Any] | None, other: dict[str, Any] | None) -> tuple[bool | None, float | None]:
    """Whether `row` meets its goal, and its ratio to SQLite when that is its goal (PostgreSQL's purge)."""
    if row is None:
        return None, None
    limit = (row.get("extra") or {}).get("vs_sqlite_at_most")
    if limit is not None:
        if other is None or not other.get("value") or row.get("value") is None:
            return None, None
        ratio = float(row["value"]) / float(other["value"])
        return ratio <= float(limit), ratio
    return row.get("met"), None


def side_by_side(documents: list[dict[str, Any]]) -> str:
    """figure | SQLite | PostgreSQL | baseline | goal | met, then where each baseline comes from."""
    figures: dict[str, dict[str, dict[str, Any]]] = {}
    orders: dict[int, Any] = {}  # id(row) -> orders in the demo it was measured on, where known
    for document in documents:
        context = document.get("context") or {}
        for row in document.get("measurements") or []:
            figures.setdefault(figure_of(str(row["name"])), {})[backend_of(row, context)] = row
            counts = context.get("rows")
            orders[id(row)] = counts.get("orders") if isinstance(counts, dict) else None
    body, notes = [], []
    baselines: dict[str, list[str]] = {}  # where each baseline comes from: the figures that use it
    for figure, by in figures.items():
        sqlite, pg = by.get("sqlite"), by.get("postgresql")
        pg_met, pg_ratio = _met(pg, sqlite)
        theirs, mine = (orders.get(id(r)) if r is not None else None for r in (sqlite, pg))
        if pg_ratio is not None and theirs and mine and abs(theirs - mine) > 0.01 * theirs:
            pg_met = None  # a ratio of different data is shown, not held to the goal
            notes.append(
                f"- {figure}: PostgreSQL measured on a demo of {mine:,} orders, SQLite on {theirs:,}: "
                "the ratio compares different data, so it is not held to the goal"
            )
        sqlite_met, _ = _met(sqlite, None)
        cells = []
        for row, ratio in ((sqlite, None), (pg, pg_ratio)):
            if row is None:
                continue
            if ratio is not None:
                cells.append(f"SQLite's × {ratio:.2f}")
            elif row.get("baseline") is not None:
                cells.append(_cell({**row, "value": row["baseline"]}))
            else:
                cells.append("-")
        baseline = " / ".join(cells) if any(c != "-" for c in cells) else "-"
        goals = list(dict.fromkeys(str(row.get("goal") or "-") for row in (sqlite, pg) if row is not None))
        mets = ["-" if m is None else ("yes" if m else "NO") for m in (sqlite_met, pg_met)]
        body.append((figure, _cell(sqlite), _cell(pg), baseline, " / ".join(goals), " / ".join(mets)))
        names = list(dict.fromkeys(str(r.get("baseline_name")) for r in (sqlite, pg) if r and r.get("baseline_name")))
        if names:
            baselines.setdefault(" / ".join(names), []).append(figure)
        for backend, row in (("sqlite", sqlite), ("postgresql", pg)):
            if row is not None and row.get("value") is None and row.get("note"):  # why there is no figure
                notes.append(f"- {figure} ({backend}): {row['note']}")
    for name, which in baselines.items():
        more = f" and {len(which) - 1} more" if len(which) > 1 else ""
        notes.append(f"- baseline of {which[0]}{more}: {name}")
    header = ("figure", "SQLite", "PostgreSQL", "baseline", "goal", "met (SQLite / PostgreSQL)")
    where = [
        f"{backend_of({}, d.get('context') or {})}: {(d.get('context') or {}).get('database', '?')}" for d in documents
    ]
    for document in documents:
        context = document.get("context") or {}
        server = f", server {context['server']}" if context.get("server") else ""
        where.append(
            f"{backend_of({}, context)} run {context.get('started', '?')} – {context.get('finished', '?')}, "
            f"load {context.get('loadavg_at_start', '?')} → {context.get('loadavg_at_end', '?')}, "
            f"{context.get('cpus', '?')} CPUs, Python {context.get('python', '?')}, SQLite {context.get('sqlite', '?')}"
            f"{server}"
        )
    text = _grid(header, body, left=(0, 3, 4, 5))
    head = ["; ".join(where[: len(documents)]), *where[len(documents) :]]
    return "\n".join([*head, text, "", *notes]) if notes else "\n".join([*head, text])


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m benchmarks.report")
    parser.add_argument("--side-by-side", nargs="+", metavar="JSON", required=True, help="documents of --json-out")
    args = parser.parse_args(argv)
    documents, problems = load_documents(args.side_by_side)
    for problem in problems:
        print(f"benchmarks.report: {problem}", file=sys.stderr)
    print(side_by_side(documents))
    return 0 if documents else 1


if __name__ == "__main__":
    raise SystemExit(main())
