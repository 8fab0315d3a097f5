"""`audit verify` over one million events (goal: 5 s), on a fresh SQLite file or a PostgreSQL schema.

The chain is written with audit.chained_rows (the demo's bulk path), then `audit.verify()`
walks it once. Run alone: `python -m benchmarks.bench_audit [--events N] [--database URL]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.report import Measurement, at_most

EVENTS = 1_000_000
ACTIONS = ("session.start", "chat.add", "activity.add", "session.end", "order.read", "consent.record")


def _events(count: int):  # type: ignore[no-untyped-def]
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for i in range(count):
        yield (
            start + timedelta(seconds=7 * i, microseconds=i % 1000),
            f"tech{i % 20:02d}",
            ACTIONS[i % 6],
            f"S-2025-{i % 9999:04d}",
            None if i % 3 else f"detail {i}",
        )


def _fill(count: int) -> None:
    from models.core import audit
    from models.core.db import database, is_sqlite
    from models.core.entities import AuditEvent

    rows = audit.chained_rows(_events(count), 1, audit.GENESIS)
    batch: list[dict[str, object]] = []
    last: dict[str, object] = {}
    with database.atomic():
        for row in rows:
            batch.append(row)
            if len(batch) == (4000 if is_sqlite() else 5000):
                AuditEvent.insert_many(batch).execute()
                last = batch[-1]
                batch = []
        if batch:
            AuditEvent.insert_many(batch).execute()
            last = batch[-1]
    audit.set_head(int(last["id"]), str(last["hash"]))  # type: ignore[call-overload]


def verify_million(url: str | None = None, count: int = EVENTS) -> list[Measurement]:
    """Fill a chain of `count` events and time one verify; SQLite in a temp folder unless `url` names PostgreSQL."""
    from models.core import audit
    from models.core.db import close_database, database, open_database
    from models.core.schema import ensure_schema

    backend = "sqlite"
    work = tempfile.TemporaryDirectory(prefix="bench-audit-")
    schema = None
    try:
        if url and url.startswith("postgres"):
            backend = "postgresql"
            schema = f"bench_audit_{uuid.uuid4().hex[:8]}"
            open_database(url).execute_sql(f'CREATE SCHEMA "{schema}"')
            close_database()
            open_database(f"{url}{'&' if '?' in url else '?'}schema={schema}")
        else:
            open_database(f"sqlite:///{Path(work.name) / 'audit.db'}")
        ensure_schema()
        started = time.perf_counter()
        _fill(count)
        fill_s = time.perf_counter() - started
        if backend == "sqlite":
            database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        started = time.perf_counter()
        result = audit.verify()
        seconds = time.perf_counter() - started
        assert result.ok and result.checked == count, result
        return [
            Measurement(
                f"audit verify, {count:,} events ({backend})",
                seconds,
                "s",
                baseline=43.0 if count == EVENTS else None,
                baseline_name="round-1 verify (issue figure)",
                goal="<= 5 s",
                met=at_most(seconds, 5),
                extra={"events_per_s": round(count / seconds), "fill_s": round(fill_s, 1)},
            )
        ]
    finally:
        if schema is not None:
            close_database()
            open_database(str(url)).execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
        close_database()
        work.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_audit")
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--database", help="postgresql://… to measure PostgreSQL (default: a temporary SQLite file)")
    args = parser.parse_args()
    for row in verify_million(args.database, args.events):
        print(f"{row.name}: {row.value:.2f} {row.unit} {row.extra}")


if __name__ == "__main__":
    main()
