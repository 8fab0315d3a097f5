"""Figures that compare the backends on the same data, and the everyday commands on PostgreSQL.

`purge on both backends`: the medium demo generated with the same seed into a scratch SQLite
file and a scratch PostgreSQL schema, then `support24 purge` of everything due on each; the
goal is PostgreSQL within 1.5 times SQLite's time. `retention queue (postgresql)`: the
`retention queue` command's work (sync, first page, summary) in process on the medium demo.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from benchmarks.bench_import import _cli, scratch
from benchmarks.report import Measurement, at_most, timed


def _demo_and_purge(backend_url: str, say: Callable[[str], None]) -> tuple[float, int, float]:
    """(purge seconds, items deleted, queue work in ms) on a fresh medium demo of this backend."""
    import json

    from models.core.db import close_database, open_database

    with scratch(backend_url) as (url, data_dir):
        say(f"medium demo on {url.split('?')[0]}")
        done = _cli(url, data_dir, "demo", "--scale", "medium", "--json")
        if done.returncode != 0:
            raise RuntimeError(f"demo failed: {done.stderr[-500:]}")
        open_database(url)
        try:
            from models.retention import due as retention_due
            from models.retention import queue as retention

            def queue_command() -> object:
                retention_due.sync()
                retention.queue_items(limit=51)
                return retention.queue_summary()

            queue_ms, _rows = timed(queue_command, repeat=5, warmup=1)
        finally:
            close_database()
        say("purge of everything due")
        began = time.perf_counter()
        done = _cli(url, data_dir, "purge", "--json")
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            raise RuntimeError(f"purge failed: {done.stderr[-500:]}")
        return seconds, int(json.loads(done.stdout)["total"]), queue_ms


def purge_and_queue(pg_url: str, say: Callable[[str], None] = lambda m: None) -> list[Measurement]:
    sqlite_seconds, sqlite_items, sqlite_queue = _demo_and_purge("sqlite:///x", say)
    pg_seconds, pg_items, pg_queue = _demo_and_purge(pg_url, say)
    return [
        Measurement(
            "purge of the medium demo (postgresql vs sqlite)",
            pg_seconds,
            "s",
            baseline=sqlite_seconds,
            baseline_name="the same purge on SQLite",
            goal="ratio <= 1.5",
            met=at_most(pg_seconds / sqlite_seconds, 1.5),
            note=f"{pg_items:,} items on PostgreSQL, {sqlite_items:,} on SQLite",
            extra={"items": pg_items, "sqlite_items": sqlite_items},
        ),
        Measurement(
            "retention queue work, medium demo (postgresql)",
            pg_queue,
            "ms",
            baseline=sqlite_queue,
            baseline_name="the same on SQLite",
            goal="<= 100 ms",
            met=at_most(pg_queue, 100),
        ),
    ]
