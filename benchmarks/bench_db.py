"""Figures read from the database in this process: the retention queue summary and the access report."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peewee import fn

from benchmarks.report import Measurement, at_most, timed
from models.access import requests as access
from models.core.entities import AccessRequest, Order, Staff
from models.retention import queue as retention


def queue_summary() -> Measurement:
    """models.retention.queue_summary over the whole database (goal: 100 ms)."""
    median, rows = timed(retention.queue_summary, repeat=5, warmup=1)
    items = sum(r.count for r in rows)
    return Measurement(
        "retention queue summary",
        median,
        "ms",
        goal="<= 100 ms",
        met=at_most(median, 100),
        extra={"items": items, "rows": len(rows)},
    )


def subject_with_most_data() -> AccessRequest | None:
    """The open access request whose customer has the most orders (a verified request is made by the demo)."""
    top = (
        Order.select(Order.customer, fn.COUNT(Order.id).alias("n"))
        .group_by(Order.customer)
        .order_by(fn.COUNT(Order.id).desc())
        .limit(1)
        .tuples()
        .first()
    )
    if top is None:
        return None
    return (
        AccessRequest.select()
        .where((AccessRequest.customer == top[0]) & AccessRequest.state.in_(("verified", "compiled", "reviewed")))
        .order_by(AccessRequest.id.desc())
        .first()
    )


def access_report(operator: Staff, controller: object) -> Measurement:
    """Compile the request of the subject with most data and export it as JSON and as the German text (goal: 2 s)."""
    from console.reports import access_report as reports

    request = subject_with_most_data()
    if request is None:
        return Measurement(
            "access report (compile + export)",
            None,
            "ms",
            goal="<= 2000 ms",
            note="no open access request for the customer with most orders; run the large demo",
        )
    human = next((f for f in reports.FORMATS if f != "json"), "json")
    with tempfile.TemporaryDirectory(prefix="support24-bench-") as folder:

        def run() -> tuple[int, int]:
            compilation = access.compile_request(operator, request.ref)
            exported = reports.export_report(
                operator, request.ref, fmt="json", out=Path(folder) / "report.json", controller=controller, lang="de"
            )
            return len(compilation.matches), exported.size

        median, (matches, size) = timed(run, repeat=3, warmup=1)
        human_ms, _result = timed(
            lambda: reports.export_report(
                operator, request.ref, fmt=human, out=Path(folder) / f"report.{human}", controller=controller, lang="de"
            ),
            repeat=1,
            warmup=0,
        )
    orders = Order.select().where(Order.customer == request.customer_id).count()
    return Measurement(
        "access report (compile + JSON export)",
        median,
        "ms",
        goal="<= 2000 ms",
        met=at_most(median, 2000),
        extra={
            "request": request.ref,
            "customer_orders": orders,
            "matches": matches,
            "json_bytes": size,
            f"{human}_export_ms": round(human_ms, 1),
        },
    )


def help_startup(repeat: int = 5) -> Measurement:
    """`support24 --help` in a fresh interpreter, against `python -c pass` (goal: 300 ms)."""

    def wall(argv: list[str]) -> float:
        samples = []
        for _ in range(repeat + 1):
            began = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            samples.append((time.perf_counter() - began) * 1000)
        samples = sorted(samples[1:])
        return samples[len(samples) // 2]

    value = wall([sys.executable, "-m", "console", "--help"])
    baseline = wall([sys.executable, "-c", "pass"])
    return Measurement(
        "support24 --help start-up",
        value,
        "ms",
        baseline=baseline,
        baseline_name="python -c pass",
        goal="<= 300 ms",
        met=at_most(value, 300),
    )


def bulk_insert(scale: str = "medium") -> list[Measurement]:
    """The demo's bulk writer against raw sqlite3.executemany of the same rows, in a scratch database."""
    import random
    import shutil

    from console.demo import bulk as demo_bulk
    from console.demo import common as demo_common
    from models.core import clock
    from models.core.db import close_database, open_database
    from models.core.schema import ensure_schema

    folder = Path(tempfile.mkdtemp(prefix="support24-bulk-bench-"))
    try:
        open_database(f"sqlite:///{folder / 'bulk.db'}")
        try:
            ensure_schema()
            report = demo_bulk.generate(demo_common.SCALES[scale], random.Random(24), clock.now())
        finally:
            close_database()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rates = report["rates"]
    raw = rates["raw_rows_per_s"]  # type: ignore[index]
    extra = {"scale": scale, "rows": report["rows"], "seconds": report["seconds"], "sample_rows": rates["sample_rows"]}  # type: ignore[index]
    return [
        Measurement(
            f"bulk demo insert only ({scale}, first 5 %)",
            rates["sample_insert_rows_per_s"],
            "rows/s",  # type: ignore[index,arg-type]
            baseline=raw,
            baseline_name="raw sqlite3.executemany, same rows",
            extra=extra,
        ),  # type: ignore[arg-type]
        Measurement(
            f"bulk demo end to end ({scale}, first 5 %)",
            rates["sample_app_rows_per_s"],
            "rows/s",  # type: ignore[index,arg-type]
            baseline=raw,
            baseline_name="raw sqlite3.executemany, same rows",  # type: ignore[arg-type]
            note="end to end includes generating the rows in Python (names, due dates, hashes)",
        ),
    ]
