"""Many operators at once: 20 desks writing at a person's pace while the long jobs run (goal: 0 failures, p99 <= 1 s).

On a fresh database (a temporary SQLite file, or a schema of its own on the PostgreSQL server
given) with a purge backlog written by the demo's bulk generator, 20 operator processes each
run sessions for `--seconds` (default 60): open an order, start a session, record a consent,
chat lines and activity with a pause of 0.5–2 s between writes, end the session, complete the
order. Five seconds in, three more processes start: a purge of the whole backlog, a billing
export and its acknowledgement, and an import of a 50,000-line JSON Lines file. It prints
p50/p99/max of the operators' write latencies, their failures (with the first messages), the
writes that waited more than a second for a lock with the job that held it, and how long each
job took (or that it had not finished within `--job-budget` seconds).

    python -m benchmarks.bench_load [--database postgresql://127.0.0.1:5432/test] [--seconds 60]
        [--jobs purge,billing,import]
    python -m benchmarks --only load [--database …]
    make bench  (both backends; BENCH_LOAD_JOBS=purge,billing for the jobs other than the import)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

OPERATORS = 20
IMPORT_LINES = 50_000
SCALE = {
    "orders": 6000,
    "customers": 300,
    "technicians": OPERATORS + 4,
    "window_activity": 3000,
    "window_chat": 1500,
    "backlog_activity_per_order": 3.0,
    "consents": 800,
    "access_requests": 10,
    "audit_events": 5000,
}


@dataclass
class Setup:
    url: str
    data_dir: Path
    import_file: Path
    out_dir: Path
    admin: str
    technicians: list[str]
    customers: list[str]
    schema: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _open(url: str) -> None:
    from models.core.db import open_database

    open_database(url)


def prepare(base_url: str | None, work: Path, say=print) -> Setup:  # type: ignore[no-untyped-def]
    """A fresh database with a purge backlog, its operators, and the import file."""
    from console.cli.context import os_account
    from console.demo import bulk as demo_bulk
    from console.demo import common
    from console.demo.fill import ensure_operator
    from models.core import clock
    from models.core.db import close_database, open_database
    from models.core.entities import Customer, Staff
    from models.core.schema import ensure_schema
    from models.retention import due as retention_due

    schema = None
    if base_url and base_url.startswith("postgres"):
        schema = f"bench_load_{uuid.uuid4().hex[:8]}"
        open_database(base_url).execute_sql(f'CREATE SCHEMA "{schema}"')
        close_database()
        url = f"{base_url}{'&' if '?' in base_url else '?'}schema={schema}"
    else:
        url = f"sqlite:///{work / 'load.db'}"
    data_dir = work / "data"
    data_dir.mkdir(mode=0o700, exist_ok=True)
    open_database(url)
    ensure_schema()
    say("bulk history with a purge backlog")
    spec = common.Scale("load", years=4, **SCALE)  # type: ignore[arg-type]
    demo_bulk.generate(spec, random.Random(24), clock.now())
    admin = ensure_operator(os_account()).username
    retention_due.sync()
    technicians = [
        s.username
        for s in Staff.select()
        .where(Staff.roles == "technician", Staff.active)
        .order_by(Staff.username)
        .limit(OPERATORS)
    ]
    customers = [c.number for c in Customer.select(Customer.number).order_by(Customer.number).limit(200)]
    say("the 50,000-line import file")
    import_file = work / "import.jsonl"
    write_import(import_file, technicians[0], IMPORT_LINES)
    close_database()
    return Setup(url, data_dir, import_file, work / "billing", admin, technicians, customers, schema)


def write_import(path: Path, technician: str, lines: int) -> None:
    """A realistic remote-tool log: orders with one session each and chat and activity lines."""
    from models.core import clock

    now = clock.now().replace(microsecond=0)
    rng = random.Random(7)
    written = 0
    with path.open("w", encoding="utf-8") as out:

        def put(record: dict[str, Any]) -> None:
            nonlocal written
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1

        put({"type": "customer", "number": "K-90000", "name": "Import GmbH", "email": "it@example.org"})
        n = 0
        while written < lines:
            n += 1
            start = now - timedelta(days=20) + timedelta(minutes=7 * n)
            order, session = f"A-IMP-{n:06d}", f"S-IMP-{n:06d}"
            put(
                {
                    "type": "order",
                    "ref": order,
                    "customer": "K-90000",
                    "opened_at": _z(start - timedelta(minutes=5)),
                    "completed_at": _z(start + timedelta(hours=1)),
                    "billing_class": "billable",
                }
            )
            put(
                {
                    "type": "session",
                    "ref": session,
                    "order": order,
                    "technician": technician,
                    "started_at": _z(start),
                    "ended_at": _z(start + timedelta(minutes=40)),
                    "customer_ip": f"203.0.113.{n % 250 + 1}",
                    "workstation": f"PC-{n % 97:02d}",
                    "customer_person": "Erika Weber",
                    "screen_private": True,
                    "tool": "teamviewer",
                    "external_id": f"imp-{n}",
                }
            )
            for k in range(16):
                at = _z(start + timedelta(minutes=1 + 2 * k))
                if k % 2:
                    put({"type": "chat", "session": session, "at": at, "sender": "customer", "text": f"Zeile {k}"})
                else:
                    action = rng.choice(("remote_control", "driver_update", "restart"))
                    put({"type": "activity", "session": session, "at": at, "action": action, "detail": f"Schritt {k}"})
                if written >= lines:
                    break


def _z(moment) -> str:  # type: ignore[no-untyped-def]
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the processes ---------------------------------------------------------------------


def _operator(setup: Setup, username: str, seconds: float, seed: int, results) -> None:  # type: ignore[no-untyped-def]
    from models.core.identity import resolve_operator
    from models.sessions import orders, sessions

    _open(setup.url)
    slow = _collect_slow_waits()
    rng = random.Random(seed)
    me = resolve_operator(username)
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    def write(call, *args, **kwargs):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return call(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a failure is what this benchmark counts
            failures.append(f"{getattr(call, '__name__', call)}: {type(exc).__name__}: {exc}"[:300])
            return None
        finally:
            latencies.append(time.perf_counter() - began)
            time.sleep(rng.uniform(0.5, 2.0))  # a person at a desk

    while time.monotonic() < deadline:
        order = write(orders.open_order, me, rng.choice(setup.customers))
        if order is None:
            continue
        session = write(
            sessions.start_session,
            me,
            sessions.SessionInput(order.ref, me.username, "198.51.100.7", "EMPFANG-PC", "Erika Weber", True),
        )
        if session is None:
            continue
        write(
            sessions.record_consent, me, session.ref, sessions.ConsentInput("recording", "Erika Weber", "verbal", True)
        )
        for i in range(rng.randint(3, 6)):
            if time.monotonic() >= deadline:
                break
            if i % 2:
                write(sessions.add_chat, me, session.ref, "technician", f"Ich schaue mir das an ({i})")
            else:
                write(sessions.log_activity, me, session.ref, "remote_control", detail=f"Schritt {i}")
        write(sessions.end_session, me, session.ref)
        write(orders.complete_order, me, order.ref)
    results.put(("operator", username, latencies, failures, slow))


def _collect_slow_waits() -> list[str]:
    """The messages models/core/db.py logs when a write waited more than a second (who held the lock)."""
    import logging

    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage()[:400])

    logger = logging.getLogger("support24.locks")
    logger.setLevel(logging.INFO)
    logger.addHandler(Collect(logging.INFO))
    logger.propagate = False
    return found


def _who(message: str, job_pids: dict[int, str]) -> str:
    """Which job a slow-wait message names as the holder (by process id), else "a desk or other"."""
    import re

    for pid in re.findall(r"pid (\d+)", message.split("held by", 1)[-1]):
        if int(pid) in job_pids:
            return job_pids[int(pid)]
    return "a desk or other"


def _job(setup: Setup, name: str, results) -> None:  # type: ignore[no-untyped-def]
    from models.core import clock
    from models.core.identity import resolve_operator

    _open(setup.url)
    results.put(("pid", name, os.getpid()))
    me = resolve_operator(setup.admin)
    began = time.perf_counter()
    try:
        if name == "purge":
            from models.purge.run import run_purge

            result = run_purge(me, data_dir=setup.data_dir)
            detail = f"deleted {result.total}"
        elif name == "billing":
            from console.jobs.billing_export import export
            from models.billing import outbox

            exported = export(me, setup.out_dir)
            export_seconds = time.perf_counter() - began
            detail = "empty outbox"
            if exported.batch is not None:
                ack = outbox.acknowledge(me, exported.batch.number, clock.today_berlin())
                detail = (
                    f"batch {exported.batch.number}: {exported.batch.record_count} records, {ack.orders_billed} billed;"
                    f" export {export_seconds:.1f} s, ack {time.perf_counter() - began - export_seconds:.1f} s"
                )
        else:
            from console.importing.importer import run_import

            imported = run_import(me, setup.import_file)
            detail = f"{IMPORT_LINES:,} lines, problems {len(imported.problems)}"
        results.put(("job", name, time.perf_counter() - began, detail))
    except Exception as exc:  # noqa: BLE001 - reported in the figures
        traceback.print_exc()
        results.put(("job", name, time.perf_counter() - began, f"FAILED {type(exc).__name__}: {exc}"[:300]))


JOBS = ("purge", "billing", "import")


def run(  # type: ignore[no-untyped-def]
    base_url: str | None = None,
    seconds: float = 60.0,
    job_budget: float = 600.0,
    say=print,
    jobs_wanted: tuple[str, ...] = JOBS,
) -> dict[str, Any]:
    """Prepare, run the 20 operators and the jobs, and return the figures."""
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    setup = prepare(base_url, work, say)
    context = mp.get_context("fork")
    results = context.Queue()
    say(f"{OPERATORS} operators for {seconds:.0f} s; {', '.join(jobs_wanted) or 'no job'} start after 5 s")
    began = time.monotonic()
    desks = [
        context.Process(target=_operator, args=(setup, name, seconds, i, results))
        for i, name in enumerate(setup.technicians)
    ]
    for desk in desks:
        desk.start()
    time.sleep(5)
    jobs = {name: context.Process(target=_job, args=(setup, name, results)) for name in jobs_wanted}
    for job in jobs.values():
        job.start()
    latencies: list[float] = []
    failures: list[str] = []
    slow_waits: list[str] = []
    job_pids: dict[int, str] = {}
    job_times: dict[str, tuple[float | None, str]] = {}
    expected = len(desks) + len(jobs)
    got = 0
    deadline = began + seconds + job_budget
    while got < expected and time.monotonic() < deadline:
        try:
            item = results.get(timeout=1.0)
        except Exception:  # noqa: BLE001 - queue.Empty
            continue
        if item[0] == "pid":
            job_pids[item[2]] = item[1]
            continue
        got += 1
        if item[0] == "operator":
            latencies += item[2]
            failures += item[3]
            slow_waits += item[4]
        else:
            job_times[item[1]] = (item[2], item[3])
    for name, job in jobs.items():
        if job.is_alive():
            job.terminate()
            job_times.setdefault(name, (None, f"not finished within {seconds + job_budget:.0f} s; stopped"))
        job.join()
    for desk in desks:
        desk.join(5)
    ordered = sorted(latencies)
    figures = {
        "backend": "postgresql" if setup.schema else "sqlite",
        "operators": OPERATORS,
        "seconds": seconds,
        "writes": len(ordered),
        "failures": len(failures),
        "failure_samples": sorted(set(failures))[:5],
        "p50_s": round(statistics.median(ordered), 4) if ordered else None,
        "p99_s": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 4) if ordered else None,
        "max_s": round(ordered[-1], 4) if ordered else None,
        "slow_waits": {
            "count": len(slow_waits),
            "by_holder": _count(_who(m, job_pids) for m in slow_waits),
            "samples": slow_waits[:3],
        },
        "jobs": {
            name: {"seconds": None if t is None else round(t, 1), "detail": d} for name, (t, d) in job_times.items()
        },
    }
    _cleanup(setup, base_url)
    return figures


def _count(names) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return counts


def _cleanup(setup: Setup, base_url: str | None) -> None:
    import shutil

    from models.core.db import close_database, open_database

    if setup.schema and base_url:
        close_database()
        open_database(base_url).execute_sql(f'DROP SCHEMA "{setup.schema}" CASCADE')
        close_database()
    shutil.rmtree(setup.data_dir.parent, ignore_errors=True)


def measurements(base_url: str | None = None, seconds: float = 60.0):  # type: ignore[no-untyped-def]
    """The figures as rows of `python -m benchmarks`."""
    from benchmarks.report import Measurement, at_most

    f = run(base_url, seconds, say=lambda msg: print(f"… {msg}", file=sys.stderr, flush=True))
    name = f"load: {OPERATORS} operators {seconds:.0f} s beside purge, billing, 50k import ({f['backend']})"
    jobs = ", ".join(f"{k} {v['seconds']} s ({v['detail']})" for k, v in f["jobs"].items())
    return [
        Measurement(f"{name}: write p99", f["p99_s"], "s", goal="<= 1 s", met=at_most(f["p99_s"], 1.0), note=jobs),
        Measurement(f"{name}: write p50", f["p50_s"], "s"),
        Measurement(f"{name}: write max", f["max_s"], "s"),
        Measurement(
            f"{name}: failures",
            f["failures"],
            "count",
            goal="0",
            met=f["failures"] == 0,
            note="; ".join(f["failure_samples"])[:300],
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="postgresql://… (default: a temporary SQLite file)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--job-budget", type=float, default=600.0, help="seconds the jobs may run after the window")
    parser.add_argument("--jobs", default=",".join(JOBS), help="which of purge,billing,import run beside the desks")
    args = parser.parse_args()
    os.environ.setdefault("SUPPORT24_WITNESS_FILE", str(Path(tempfile.gettempdir()) / "bench-load-witness.jsonl"))
    wanted = tuple(j for j in args.jobs.split(",") if j)
    figures = run(args.database, args.seconds, args.job_budget, lambda m: print(f"… {m}", file=sys.stderr), wanted)
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
