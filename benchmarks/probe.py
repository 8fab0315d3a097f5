"""Run in a subprocess: time each main screen to its first full frame, headless, and report peak memory.

`python -m benchmarks.probe console --database URL --data-dir DIR [--modes a,b]` opens the
real console once per mode (App.run_test, 120x40) and waits until the screen's workers are
done and the frame is drawn; `python -m benchmarks.probe bare` does the same for a bare
Textual app with a 50-row DataTable; `python -m benchmarks.probe tour --database URL` opens
one console and visits every main screen in turn, as an operator would (for peak memory).
Prints one JSON document: seconds per mode and the peak resident set in KiB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from typing import Any

SIZE = (120, 40)


async def _settle(app: Any, pilot: Any, limit: float = 180.0) -> None:
    """Wait until no worker runs and the screen has been refreshed after them.

    A refresh timer may cancel a load it supersedes; that worker is simply not waited for.
    """
    from textual.worker import WorkerCancelled, WorkerFailed

    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        await pilot.pause()
        running = [w for w in app.workers if not w.is_finished]
        if not running:
            await pilot.pause()
            return
        try:
            await asyncio.wait_for(running[0].wait(), timeout=max(0.1, deadline - time.perf_counter()))
        except (TimeoutError, WorkerCancelled, WorkerFailed):
            pass
    raise TimeoutError(f"workers still running after {limit:.0f} s")


async def time_app(factory: Any) -> float:
    began = time.perf_counter()
    app = factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        elapsed = time.perf_counter() - began
    return elapsed


def bare_factory() -> Any:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    from benchmarks.probe_bare import fill_baseline_table

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            fill_baseline_table(self.query_one(DataTable))

    return Bare()


def console_factory(database: str | None, data_dir: str | None, mode: str) -> Any:
    from console.settings.config import skip_postgres_driver

    skip_postgres_driver(database, data_dir)  # as `support24` itself does before loading peewee
    from console.cli.app import build_info, tune_for_workers
    from console.cli.context import Context
    from screens.shell.app import ConsoleApp

    ctx = Context(database_option=database, data_dir_option=data_dir)
    operator, info = build_info(ctx)
    tune_for_workers()  # as run_console does
    return lambda: ConsoleApp(operator, info, start_mode=mode)


async def tour(factory: Any, modes: list[str]) -> None:
    """One console, as an operator uses it: every main screen in turn, each settled."""
    app = factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        for mode in modes:
            app.switch_mode(mode)
            await _settle(app, pilot)


def bare_switch_factory() -> Any:
    """A bare Textual app that starts on an empty screen and switches to a screen with one 50-row DataTable."""
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Header

    from benchmarks.probe_bare import fill_baseline_table

    class TableScreen(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            fill_baseline_table(self.query_one(DataTable))

    class BareSwitch(App[None]):
        MODES = {"start": Screen, "table": TableScreen}

        def on_mount(self) -> None:
            self.switch_mode("start")

    return BareSwitch


async def switches(factory: Any, modes: list[str], size: tuple[int, int], idle: float = 0.0) -> dict[str, float]:
    """One app: seconds from `switch_mode` to the settled, painted screen, for each mode's first visit,
    then from ^p to the settled command palette (on the last screen). `idle`: seconds the start
    screen is looked at first, as an operator would (the console imports the other screens then)."""
    app = factory()
    seconds: dict[str, float] = {}
    async with app.run_test(size=size) as pilot:
        await _settle(app, pilot)
        if idle:
            await asyncio.sleep(idle)
            await _settle(app, pilot)
        for mode in modes:
            began = time.perf_counter()
            app.switch_mode(mode)
            await _settle(app, pilot)
            seconds[mode] = time.perf_counter() - began
        began = time.perf_counter()
        app.action_command_palette()
        await _settle(app, pilot)
        seconds["palette"] = time.perf_counter() - began
        await pilot.press("escape")
    return seconds


def peak_rss_kib() -> int:
    """This process's peak resident set (VmHWM). Not ru_maxrss: Linux carries that over exec
    from the parent, so a probe started by a big benchmark process would report the parent."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe")
    parser.add_argument("which", choices=("console", "bare", "tour", "switch", "bare-switch"))
    parser.add_argument("--database")
    parser.add_argument("--data-dir")
    parser.add_argument("--modes", default="")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--idle", type=float, default=0.0, help="seconds on the start screen before switching")
    args = parser.parse_args()
    times: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    size = tuple(int(n) for n in args.size.split("x"))
    if args.which in ("switch", "bare-switch"):
        print(json.dumps(_switch_runs(args, size)))
        return
    if args.which == "bare":
        samples = [asyncio.run(time_app(bare_factory)) for _ in range(args.repeat)]
        times["bare"] = min(samples)
    elif args.which == "tour":
        from screens.shell.modes import MODE_SPECS

        modes = [s.name for s in MODE_SPECS if not s.coming]
        began = time.perf_counter()
        asyncio.run(tour(console_factory(args.database, args.data_dir, modes[0]), modes))
        times["tour"] = time.perf_counter() - began
    else:
        from screens.shell.modes import MODE_SPECS

        wanted = [m for m in args.modes.split(",") if m] or [s.name for s in MODE_SPECS if not s.coming]
        for mode in wanted:
            try:
                factory = console_factory(args.database, args.data_dir, mode)
                first = asyncio.run(time_app(factory))  # includes importing the screen's modules
                again = [asyncio.run(time_app(factory)) for _ in range(args.repeat - 1)] if first < 10 else []
                times[mode] = min([first, *again])
            except Exception as exc:  # one screen failing must not hide the others' figures
                times[mode] = None
                errors[mode] = f"{type(exc).__name__}: {exc}"[:300]
    rss = peak_rss_kib()
    print(json.dumps({"seconds": times, "errors": errors, "maxrss_kib": rss}))


def _switch_runs(args: argparse.Namespace, size: Any) -> dict[str, Any]:
    """Median over --repeat fresh apps of each first switch (and the palette)."""
    import statistics

    if args.which == "bare-switch":
        plans = [(bare_switch_factory(), ["table"])]
    else:
        from screens.shell.modes import MODE_SPECS

        modes = [m for m in args.modes.split(",") if m] or [s.name for s in MODE_SPECS if not s.coming]
        # Every screen's first visit from another one: a console started on the last screen visits
        # all the others; a second one, started on the first, visits the last.
        first, last = modes[0], modes[-1]
        plans = [(console_factory(args.database, args.data_dir, last), modes[:-1])]
        if len(modes) > 1:
            plans.append((console_factory(args.database, args.data_dir, first), [last]))
    runs = []
    for _ in range(args.repeat):
        run: dict[str, float] = {}
        for factory, visits in plans:
            found = asyncio.run(switches(factory, visits, size, args.idle))
            if "palette" in run:
                found.pop("palette")
            run.update(found)
        runs.append(run)
    return {
        "seconds": {name: statistics.median(run[name] for run in runs) for name in runs[0]},
        "samples": runs,
        "maxrss_kib": peak_rss_kib(),
    }


if __name__ == "__main__":
    main()
