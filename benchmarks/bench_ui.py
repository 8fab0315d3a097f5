"""Screens to their first full frame and peak memory, each probe in a fresh interpreter (probe.py)."""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.report import Measurement, at_most

REPEAT = 5  # the fastest of five fresh apps per screen: the machine is shared, the minimum is steadier


def _probe(*argv: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.probe", *argv], capture_output=True, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"probe {' '.join(argv[:1])} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def screens_and_memory(database: str, data_dir: str | None) -> list[Measurement]:
    """One measurement per main screen (ratio to the bare app) and one for peak memory."""
    bare = _probe("bare", "--repeat", str(REPEAT))
    where = ["--database", database] + (["--data-dir", data_dir] if data_dir else [])
    console = _probe("console", *where, "--repeat", str(REPEAT))
    visit = _probe("tour", *where)  # memory: one console through every screen, in a fresh process
    bare_once = _probe("bare", "--repeat", "1")
    bare_ms = float(bare["seconds"]["bare"]) * 1000  # type: ignore[index]
    rows = []
    errors = console.get("errors") or {}
    for mode, seconds in console["seconds"].items():  # type: ignore[union-attr]
        value = None if seconds is None else float(seconds) * 1000
        m = Measurement(
            f"screen '{mode}' to first full frame",
            value,
            "ms",
            baseline=bare_ms,
            baseline_name="bare Textual app, 50-row DataTable",
            goal="ratio <= 1.5",
            note=str(errors.get(mode, "")),
        )  # type: ignore[union-attr]
        m.met = at_most(m.ratio, 1.5)
        rows.append(m)
    memory = Measurement(
        "console peak memory (one console, every main screen)",
        float(visit["maxrss_kib"]) / 1024,  # type: ignore[arg-type]
        "MiB",
        baseline=float(bare_once["maxrss_kib"]) / 1024,  # type: ignore[arg-type]
        baseline_name="bare Textual app, 50-row DataTable",
        goal="ratio <= 1.5",
    )
    memory.met = at_most(memory.ratio, 1.5)
    rows.append(memory)
    return rows
