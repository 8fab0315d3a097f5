"""The import against raw `executemany` of the same rows, and billing acknowledgement, on either backend.

Each figure works in a scratch database of its own (a SQLite file in a temporary folder, or a
fresh schema on the PostgreSQL server given), so nothing measured before is touched:

- `import N lines`: `support24 import` of a realistic generated file (benchmarks/import_file.py)
  as a separate process (wall time and peak RSS), while a probe in this process keeps making
  one short write of its own, as another operator would, and records its longest wait (on
  PostgreSQL a second probe also takes the `ref` lock, as a write that numbers something does). The
  baseline inserts exactly the rows the import stored, table by table, with the driver's
  `executemany` into an empty database of the same schema (indexes and triggers included).
- `billing acknowledgement`: 10,000 billing records of completed orders in one batch, acknowledged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks import import_file
from benchmarks.report import Measurement, at_most

# The tables an import writes, parents first (the raw baseline keeps the same order).
TABLES = (
    "staff",
    "customer",
    "contact_person",
    "orders",
    "remote_session",
    "consent",
    "activity_event",
    "chat_message",
    "system_info",
    "billing_record",
    "retention_due",
)


@contextmanager
def scratch(backend_url: str) -> Iterator[tuple[str, Path]]:
    """A fresh, empty database with the current schema: (URL, data folder); removed afterwards."""
    from models.core.db import close_database, open_database
    from models.core.schema import ensure_schema

    folder = Path(tempfile.mkdtemp(prefix="s24-bench-"))
    schema = None
    if backend_url.startswith("sqlite"):
        url = f"sqlite:///{folder / 'bench.db'}"
    else:
        schema = f"s24b_{uuid.uuid4().hex[:10]}"
        base = backend_url.split("?")[0]
        open_database(base)
        from models.core.db import database

        database.execute_sql(f'CREATE SCHEMA "{schema}"')
        close_database()
        url = f"{base}?schema={schema}"
    try:
        open_database(url)
        ensure_schema()
        close_database()
        yield url, folder / "data"
    finally:
        close_database()
        if schema is not None:
            open_database(backend_url.split("?")[0])
            from models.core.db import database

            database.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
            close_database()
        shutil.rmtree(folder, ignore_errors=True)


def _cli(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `support24 ARGS` as a process."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    command = [sys.executable, "-m", "console", *args, "--database", url, "--data-dir", str(data_dir)]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


# The import's own peak (VmHWM of its address space). ru_maxrss of a child is not: Linux keeps the
# high-water mark of the address space it exec'd from, which is this process, large after the
# access report or the purge of the same run.
_OWN_PEAK = (
    "import atexit, runpy, sys\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('\\nbench-peak-kib ' + line.split()[1] + '\\n')\n"
    "atexit.register(_peak)\n"
    "sys.argv[0] = 'support24'\n"
    "runpy.run_module('console', run_name='__main__')\n"
)
PEAK_MARK = "bench-peak-kib "


def _own_peak(err: str, fallback: int) -> tuple[int, str]:
    """The child's VmHWM from its last stderr line (KiB), and stderr without that line."""
    lines = err.rstrip("\n").split("\n")
    if lines and lines[-1].startswith(PEAK_MARK):
        return int(lines[-1][len(PEAK_MARK) :]), "\n".join(lines[:-1])
    return fallback, err


def _run_import(url: str, data_dir: Path, path: Path) -> tuple[float, int, str]:
    """The import as its own process; (seconds, its own peak RSS KiB, stderr)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    command = [
        sys.executable,
        "-c",
        _OWN_PEAK,
        "import",
        str(path),
        "--json",
        "--database",
        url,
        "--data-dir",
        str(data_dir),
    ]
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    err = process.stderr.read().decode() if process.stderr else ""
    peak, err = _own_peak(err, usage.ru_maxrss)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import failed: {err[-500:]}")
    return seconds, peak, err


def _init(url: str, data_dir: Path) -> None:
    from console.cli.context import os_account

    done = _cli(
        url,
        data_dir,
        "init",
        "--admin",
        os_account(),
        "--name",
        "Bench Operator",
        "--commitment-date",
        "2024-01-01",
        "--roles",
        "admin,technician,accounting",
    )
    if done.returncode != 0:
        raise RuntimeError(f"init failed: {done.stderr[-500:]}")


class WriteProbe:
    """Another operator's short write, again and again while the import runs: the longest wait."""

    def __init__(self, url: str, locks: tuple[str, ...] = ("audit",)) -> None:
        """`locks`: the advisory locks the write takes on PostgreSQL, in LOCK_ORDER (SQLite has one
        write lock): an audited change takes `audit`; one that numbers something also `ref`."""
        self.url, self.locks, self.longest, self.tries = url, locks, 0.0, 0
        self.gave_up = ""  # why the probe stopped before the import ended (its longest wait is then a lower bound)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> WriteProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        write = self._sqlite() if self.url.startswith("sqlite") else self._postgres()
        while not self._stop.is_set():
            began = time.perf_counter()
            try:
                write()
            except Exception as exc:  # noqa: BLE001 - e.g. SQLite's 120 s busy timeout: the wait is the figure
                self.longest = max(self.longest, time.perf_counter() - began)
                self.gave_up = f"{type(exc).__name__}: {exc}"
                return
            self.longest = max(self.longest, time.perf_counter() - began)
            self.tries += 1
            self._stop.wait(0.05)

    def _sqlite(self) -> Callable[[], None]:
        import sqlite3

        from models.core.db import parse_url

        connection = sqlite3.connect(str(parse_url(self.url).path), timeout=120, isolation_level=None)

        def write() -> None:
            connection.execute("BEGIN IMMEDIATE")  # what every console write begins with
            connection.execute("UPDATE schema_meta SET value = value WHERE key = 'schema_version'")
            connection.execute("COMMIT")

        return write

    def _postgres(self) -> Callable[[], None]:
        import hashlib

        import psycopg

        from models.core.db import parse_url

        target = parse_url(self.url)
        keys = [
            int.from_bytes(hashlib.sha256(f"{target.schema or ''}:{name}".encode()).digest()[:8], "big")
            & 0x7FFFFFFFFFFFFFFF
            for name in self.locks
        ]
        connection = psycopg.connect(self.url.split("?")[0], options=f"-c search_path={target.schema}")

        def write() -> None:  # a change of another console: its advisory locks and a row
            with connection.transaction():
                for key in keys:
                    connection.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
                connection.execute("UPDATE schema_meta SET value = value WHERE key = 'schema_version'")

        return write


def _copy_raw(source_url: str, target_url: str) -> tuple[float, int]:
    """Insert every row the import stored into an empty database of the same schema with the
    driver's executemany, table by table in one transaction: (seconds, rows)."""
    from models.core.db import close_database, database, open_database

    open_database(source_url)
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for table in TABLES:
        cursor = database.execute_sql(f'SELECT * FROM "{table}"')
        columns = [d[0] for d in cursor.description]
        tables[table] = (columns, [tuple(r) for r in cursor.fetchall()])
    close_database()
    db = open_database(target_url)
    param = db.param
    total = sum(len(rows) for _c, rows in tables.values())
    began = time.perf_counter()
    with database.atomic():
        cursor = database.cursor()
        for table, (columns, rows) in tables.items():
            if rows:
                names = ", ".join(f'"{c}"' for c in columns)
                cursor.executemany(
                    f'INSERT INTO "{table}" ({names}) VALUES ({", ".join([param] * len(columns))})', rows
                )
    seconds = time.perf_counter() - began
    close_database()
    return seconds, total


def import_vs_raw(backend_url: str, lines: int, say: Callable[[str], None] = lambda m: None) -> Measurement:
    """One import of `lines` lines in a scratch database, against raw executemany of its rows."""
    folder = Path(tempfile.mkdtemp(prefix="s24-bench-file-"))
    try:
        path = folder / f"import-{lines}.jsonl"
        written = import_file.write(path, lines)
        backend = "sqlite" if backend_url.startswith("sqlite") else "postgresql"
        with scratch(backend_url) as (url, data_dir):
            _init(url, data_dir)
            say(f"import of {written:,} lines ({backend})")
            numbering = WriteProbe(url, ("ref", "audit")) if backend == "postgresql" else None
            with WriteProbe(url) as probe, numbering or contextlib.nullcontext():
                seconds, peak, _err = _run_import(url, data_dir, path)
            with scratch(backend_url) as (raw_url, _raw_dir):
                say("raw executemany of the same rows")
                raw_seconds, rows = _copy_raw(url, raw_url)
        rate = written / seconds
        goal = 10_000 if backend == "sqlite" else 5_000
        return Measurement(
            f"import {written:,} lines ({backend})",
            seconds,
            "s",
            baseline=raw_seconds,
            baseline_name="raw executemany of the same rows",
            goal=f">= {goal:,} lines/s; another writer waits <= 1 s",
            met=rate >= goal and max(probe.longest, numbering.longest if numbering else 0.0) <= 1.0,
            note=(
                f"{rate:,.0f} lines/s, peak RSS {peak / 1024:.0f} MiB, {rows:,} rows; longest wait of another "
                f"writer {probe.longest:.2f} s ({probe.tries} writes)"
                + (
                    f"; of one that numbers something (ref lock) {numbering.longest:.2f} s ({numbering.tries} writes)"
                    if numbering
                    else ""
                )
                + "".join(
                    f"; a probe gave up after {p.longest:.0f} s ({p.gave_up}): the wait is at least that"
                    for p in (probe, numbering)
                    if p is not None and p.gave_up
                )
            ),
            extra={
                "lines": written,
                "lines_per_s": rate,
                "peak_rss_mib": peak / 1024,
                "rows": rows,
                "longest_other_write_s": probe.longest,
                "other_writes": probe.tries,
                "longest_numbering_write_s": numbering.longest if numbering else None,
            },
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def acknowledgement(
    backend_url: str, records: int = 10_000, say: Callable[[str], None] = lambda m: None
) -> Measurement:
    """Acknowledge one batch of `records` billing records of completed orders (goal 2 s)."""
    from models.billing import outbox
    from models.core import clock
    from models.core.db import close_database, open_database
    from models.core.entities import BillingRecord, Staff
    from models.retention import due as retention_due

    folder = Path(tempfile.mkdtemp(prefix="s24-bench-file-"))
    shape = import_file.Shape(completed=1.0, billed=0.0, two_sessions=0.0, activity=(1, 2), chat=(0, 1))
    try:
        path = folder / "orders.jsonl"
        import_file.write(path, records * 10, shape=shape, orders=records)
        with scratch(backend_url) as (url, data_dir):
            _init(url, data_dir)
            say(f"{records:,} completed orders for the acknowledgement")
            _run_import(url, data_dir, path)
            open_database(url)
            try:
                from console.cli.context import os_account

                actor = Staff.get(Staff.username == os_account())
                count = BillingRecord.select().count()
                retention_due.sync()  # as every console command has done before (the policy is stored)
                batch = outbox.create_batch(actor, deliver=lambda content: "0" * 64)
                assert batch is not None
                say(f"acknowledging {count:,} records")
                day = clock.today_berlin() - timedelta(days=1)
                began = time.perf_counter()
                result = outbox.acknowledge(actor, batch.batch.number, day)
                seconds = time.perf_counter() - began
            finally:
                close_database()
        backend = "sqlite" if backend_url.startswith("sqlite") else "postgresql"
        return Measurement(
            f"billing acknowledgement of {count:,} records ({backend})",
            seconds * 1000,
            "ms",
            goal="<= 2000 ms",
            met=at_most(seconds * 1000, 2000),
            extra={"records": count, "orders_billed": result.orders_billed},
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
