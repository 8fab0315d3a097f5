"""The demo on PostgreSQL: generated once into a named schema and reused, and copies of it to write on.

`python -m benchmarks --database postgresql://HOST/DB` measures the demo in the schema
`s24bench_<scale>` of that database (or the schema named in the URL). Generating the large
demo on PostgreSQL takes tens of minutes, so it is done once, as .bench/large.db is for
SQLite: the schema's comment marks a finished generation (scale, seed, seconds), and a
`s24bench_` schema without it (a generation that was stopped) is dropped and made again.

Parts that write (queue and access report, purge) work on a copy made on the server: a
fresh schema from `ensure_schema()` (tables, keys, triggers, functions) filled with
`INSERT … SELECT` of every table with triggers off, its sequences moved on, then analysed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PREFIX = "s24bench_"
SEED = 24
# The tables whose rows describe the demo (printed with the run's context).
COUNTED = (
    "orders",
    "remote_session",
    "billing_record",
    "activity_event",
    "chat_message",
    "consent",
    "access_request",
    "audit_event",
    "retention_due",
)


def base_url(url: str) -> str:
    return url.split("?")[0]


def schema_url(url: str, schema: str) -> str:
    return f"{base_url(url)}?schema={schema}"


def demo_schema(url: str, scale: str) -> str:
    """The schema named in the URL, or the benchmark's own one for this scale."""
    from models.core.db import parse_url

    return parse_url(url).schema or f"{PREFIX}{scale}"


def _connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(base_url(url), autocommit=True)


def marker(connection: Any, schema: str) -> dict[str, Any] | None:
    """The finished generation recorded on the schema, or None (no schema, or not finished)."""
    row = connection.execute(
        "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", (schema,)
    ).fetchone()
    if row is None or not row[0]:
        return None
    try:
        found = json.loads(row[0])
    except ValueError:
        return None
    return found if isinstance(found, dict) and found.get("complete") else None


def _has_orders(connection: Any, schema: str) -> bool:
    exists = connection.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'orders'", (schema,)
    ).fetchone()
    return bool(exists) and bool(connection.execute(f'SELECT EXISTS (SELECT 1 FROM "{schema}".orders)').fetchone()[0])


def _lock_key(schema: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha256(f"support24-bench:{schema}".encode()).digest()[:8], "big") & (2**63 - 1)


def ensure_demo(
    url: str, scale: str, data_dir: Path, say: Callable[[str], None] = lambda m: None
) -> tuple[str, dict[str, Any]]:
    """(URL of the demo schema, its marker); generates the demo first when it is missing.

    A schema named in the URL that already holds orders is measured as it is (never dropped).
    """
    schema = demo_schema(url, scale)
    connection = _connect(url)
    try:
        # Two benchmark runs at once: the second waits for the first's generation instead of racing it.
        connection.execute("SELECT pg_advisory_lock(%s)", (_lock_key(schema),))
        found = marker(connection, schema)
        if found is not None:
            return schema_url(url, schema), found
        exists = connection.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
        if exists and not schema.startswith(PREFIX):
            if _has_orders(connection, schema):
                return schema_url(url, schema), {"scale": "as found", "complete": True}
        elif exists:
            say(f"schema {schema} holds an unfinished generation; dropping it")
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
            exists = None
        if not exists:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        target = schema_url(url, schema)
        say(f"generating the {scale} demo on PostgreSQL into schema {schema} (once; large takes tens of minutes)")
        began = time.perf_counter()
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        command = [sys.executable, "-m", "console", "demo", "--scale", scale, "--seed", str(SEED), "--json"]
        command += ["--database", target, "--data-dir", str(data_dir)]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"demo --scale {scale} on PostgreSQL failed: {done.stderr.strip()[-500:]}")
        found = {"scale": scale, "seed": SEED, "complete": True, "seconds": round(time.perf_counter() - began, 1)}
        found["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        mark(connection, schema, found)
        return target, found
    finally:
        connection.close()


def mark(connection: Any, schema: str, found: dict[str, Any]) -> None:
    text = json.dumps(found).replace("'", "''")
    connection.execute(f"COMMENT ON SCHEMA \"{schema}\" IS '{text}'")


def server_version(url: str) -> str:
    connection = _connect(url)
    try:
        return str(connection.execute("SHOW server_version").fetchone()[0])
    finally:
        connection.close()


def row_counts(url: str) -> dict[str, int]:
    from models.core.db import parse_url

    schema = parse_url(url).schema
    connection = _connect(url)
    try:
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{schema}"."{t}"').fetchone()[0] for t in COUNTED}
    finally:
        connection.close()


@contextmanager
def copy_of(url: str, say: Callable[[str], None] = lambda m: None) -> Iterator[str]:
    """A copy of the schema of `url` in a scratch schema (dropped afterwards): its URL."""
    from models.core.db import close_database, open_database, parse_url
    from models.core.schema import ensure_schema

    source = parse_url(url).schema
    target = f"s24b_copy_{uuid.uuid4().hex[:10]}"
    connection = _connect(url)
    try:
        connection.execute(f'CREATE SCHEMA "{target}"')
        try:
            open_database(schema_url(url, target))
            try:
                ensure_schema()
            finally:
                close_database()
            say(f"copying schema {source} on the server")
            _copy_rows(connection, source, target)
            yield schema_url(url, target)
        finally:
            close_database()
            connection.execute(f'DROP SCHEMA "{target}" CASCADE')
    finally:
        connection.close()


def _copy_rows(connection: Any, source: str, target: str) -> None:
    tables = [
        r[0]
        for r in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            (target,),
        ).fetchall()
    ]
    columns_of = "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
    with connection.transaction():
        # Triggers off (the copy takes the counters and the audit chain as they are): a copy, not a replay.
        connection.execute("SET LOCAL session_replication_role = replica")
        for table in tables:
            mine = {r[0] for r in connection.execute(columns_of, (target, table)).fetchall()}
            theirs = [r[0] for r in connection.execute(columns_of, (source, table)).fetchall()]
            names = ", ".join(f'"{c}"' for c in theirs if c in mine)
            connection.execute(f'DELETE FROM "{target}"."{table}"')
            if theirs:
                connection.execute(
                    f'INSERT INTO "{target}"."{table}" ({names}) SELECT {names} FROM "{source}"."{table}"'
                )
        serials = connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND column_default LIKE 'nextval(%%'",
            (target,),
        ).fetchall()
        for table, column in serials:
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'COALESCE((SELECT MAX("{column}") FROM "{target}"."{table}"), 0) + 1, false)',
                (f'"{target}"."{table}"', column),
            )
    for table in tables:  # the planner's statistics, as the generated schema has them
        connection.execute(f'ANALYZE "{target}"."{table}"')


def _counts(url: str, tables: tuple[str, ...]) -> dict[str, int]:
    from models.core.db import parse_url

    schema = parse_url(url).schema
    connection = _connect(url)
    try:
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{schema}"."{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()


def purge_on_copy(
    url: str, data_dir: Path, operator_name: str, *, budget: float, say: Callable[[str], None] = lambda m: None
) -> Any:
    """The console's purge of everything due on a copy of the demo schema, in seconds per deleted row.

    There is no raw baseline on PostgreSQL: the goal is SQLite's purge of the same demo (same scale
    and seed) within 1.5 times, which the side-by-side table computes from the two runs.
    """
    import shutil
    import tempfile

    from benchmarks.bench_purge import COUNTED as PURGED
    from benchmarks.bench_purge import app_purge, summary_ms
    from benchmarks.report import Measurement
    from models.core import clock

    work = Path(tempfile.mkdtemp(prefix="s24-purge-bench-"))
    try:
        copied_data = work / "data"
        if data_dir.is_dir():
            shutil.copytree(data_dir, copied_data)
        else:
            copied_data.mkdir()
        with copy_of(url, say) as copy:
            before = _counts(copy, PURGED)
            say("purge of everything due (postgresql)")
            app = app_purge(copy, copied_data, operator_name, budget)
            after = _counts(copy, PURGED)
            summary_after_ms = summary_ms(copy)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = float(app["seconds"])  # type: ignore[arg-type]
    rows = sum(before[t] - after[t] for t in PURGED)
    note = "goal: within 1.5 times SQLite's seconds per row on its demo of the same scale (side-by-side table)"
    if not app["finished"]:
        done, planned = int(app["done_items"]), int(app["planned_items"])  # type: ignore[arg-type]
        note += f"; stopped after the {budget:.0f} s budget at {done:,} of {planned:,} due items ({rows:,} rows)"
    return Measurement(
        "purge, seconds per deleted row",
        seconds / rows * 1e6 if rows else None,
        "µs/row",
        baseline_name="SQLite's purge of the same demo (side-by-side table)",
        goal="ratio to SQLite <= 1.5",
        note=note,
        extra={
            "vs_sqlite_at_most": 1.5,
            "app_seconds": round(seconds, 2),
            "app_rows": rows,
            "finished": app["finished"],
            "planned_items": app["planned_items"],
            "done_items": app["done_items"],
            "rows_before": before,
            "rows_after": after,
            "queue_summary_after_purge_ms": round(summary_after_ms, 1),
            "as_of": clock.now().isoformat(),
        },
    )
