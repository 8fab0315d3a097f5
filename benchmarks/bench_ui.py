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


SWITCH_SIZES = ((120, 40), (80, 24))
SWITCH_ROUNDS = 3  # fresh apps per program and size, bare and console alternating; the median counts


def first_visits(
    database: str, data_dir: str | None, rounds: int = SWITCH_ROUNDS, idle: float = 0.0
) -> list[Measurement]:
    """Each main screen's first visit and the palette, against a bare app's first switch to a 50-row table.

    Headless (App.run_test) at 120x40 and 80x24: from `switch_mode` (or ^p) until the screen's
    workers are done and it has been painted. Bare and console runs alternate, so both see the
    same load. With `idle` seconds on the start screen first (both apps), the console has imported
    the other screens' code meanwhile, as it does while an operator reads its first screen.
    """
    import statistics

    where = ["--database", database] + (["--data-dir", data_dir] if data_dir else [])
    rows = []
    for columns, lines in SWITCH_SIZES:
        size = f"{columns}x{lines}"
        bare_runs, console_runs = [], []
        for _ in range(rounds):
            timing = ["--size", size, "--repeat", "1", "--idle", str(idle)]
            bare_runs.append(_probe("bare-switch", *timing)["seconds"])
            console_runs.append(_probe("switch", *where, *timing)["seconds"])
        bare_ms = statistics.median(float(run["table"]) for run in bare_runs) * 1000  # type: ignore[index]
        for name in console_runs[0]:  # type: ignore[union-attr]
            value = statistics.median(float(run[name]) for run in console_runs) * 1000  # type: ignore[index]
            what = "command palette opened" if name == "palette" else f"first visit of '{name}'"
            m = Measurement(
                f"{what} at {size}" + (f", after {idle:g} s on the start screen" if idle else ""),
                value,
                "ms",
                baseline=bare_ms,
                baseline_name="bare Textual app, first switch to a screen with a 50-row DataTable",
                goal="ratio <= 1.5",
            )
            m.met = at_most(m.ratio, 1.5)
            rows.append(m)
    return rows


def first_frame(database: str, data_dir: str | None, runs: int = 9) -> list[Measurement]:
    """`support24` from a shell to its first full frame against a bare Textual app (benchmarks/probe_frame.py)."""
    from benchmarks.probe_frame import compare

    rows = []
    result = compare(database, data_dir, runs, (120, 40))
    bare, console = result["bare"], result["console"]
    load = ", ".join(f"{x:.1f}" for x in result["loadavg"])
    m = Measurement(
        "support24 from a shell to its first full frame (pty, 120x40)",
        console["median_s"] * 1000,
        "ms",
        baseline=bare["median_s"] * 1000,
        baseline_name="bare Textual app with a 50-row DataTable, started the same way",
        goal="ratio <= 1.25",
        note=f"median of {runs}; load {load}",
        extra={"bare": bare, "console": console},
    )
    m.met = at_most(m.ratio, 1.25)
    rows.append(m)
    cpu = Measurement(
        "support24 CPU time to its first full frame",
        console["cpu_median_s"] * 1000,
        "ms",
        baseline=bare["cpu_median_s"] * 1000,
        baseline_name="bare Textual app with a 50-row DataTable",
        note="user+system of the process, all threads; steadier than wall time on a shared machine",
    )
    rows.append(cpu)
    return rows
