"""`python -m benchmarks [--json] [--json-out FILE] [--database URL] [--only NAMES] [--purge-budget S]`.

Measures every figure on the backend of --database and prints a table of name, backend,
value, unit, baseline, ratio and goal (`--json`: one document instead; `--json-out FILE`:
the document written to FILE as well, for `python -m benchmarks.report --side-by-side`).

- SQLite (default: .bench/large.db, made by `support24 demo --scale large --database
  sqlite:///.bench/large.db`): the figures on that file or on copies of it.
- PostgreSQL (`--database postgresql://HOST/DB`): the same figures on the demo in the schema
  `s24bench_<--pg-scale>` of that database (or the schema named in the URL), generated there
  once when it is missing (benchmarks/pg_demo.py); the parts that write work on server-side
  copies of it. `help` and `bulk` are SQLite's only (their baselines are not the database's).

The scratch parts (import, ack, backends) and verify make databases of their own on the
backend given. `load` runs only when named (make bench-load). Reproduction: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gettext
import os
import platform
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.report import Measurement, emit_json, table
from models.core.db import parse_url

PARTS = ("help", "bulk", "queue", "access", "screens", "purge", "verify", "load", "import", "ack", "backends")
OWN_DATABASE = {"verify", "load"}  # parts that build their own database (SQLite temp file or a PG schema)
# Parts that make their own scratch databases on the backend of --database (SQLite or PostgreSQL).
SCRATCH_PARTS = ("import", "ack", "backends")
DEMO_PARTS = ("screens", "queue", "access", "purge")  # measured on the large demo (or copies of it)
SQLITE_ONLY = ("help", "bulk")  # start-up without a database; the raw sqlite3 insert baseline
NOT_BY_DEFAULT = ("load",)  # 60 s of 20 desks per backend: its own target, make bench-load


def parse(argv: list[str] | None) -> argparse.Namespace:
    # A developer's tool that reports in English: argparse's own words too (models.core.i18n
    # points them at the console's German catalogue on import).
    argparse._ = gettext.gettext  # type: ignore[attr-defined]
    argparse.ngettext = gettext.ngettext  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("SUPPORT24_BENCH_DATABASE", "sqlite:///.bench/large.db"),
        help="SQLite URL of the large demo, or postgresql://HOST/DB (default: sqlite:///.bench/large.db)",
    )
    parser.add_argument("--data-dir", help="its data folder (default: beside the SQLite file, data/)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--json-out", metavar="FILE", help="also write the JSON document to FILE")
    parser.add_argument(
        "--only",
        default=None,
        help=f"comma-separated parts of {', '.join(PARTS)} (default: all but {', '.join(NOT_BY_DEFAULT)}"
        f"; on PostgreSQL also without {', '.join(SQLITE_ONLY)})",
    )
    parser.add_argument(
        "--pg-scale",
        default=os.environ.get("SUPPORT24_BENCH_PG_SCALE", "large"),
        choices=("small", "medium", "large"),
        help="scale of the PostgreSQL demo, generated once into schema s24bench_<scale> (default large)",
    )
    parser.add_argument(
        "--pg-data-dir",
        help="the PostgreSQL demo's data folder (default: .bench/pg-<scale>-data)",
    )
    parser.add_argument(
        "--import-lines",
        default="50000,500000",
        help="comma-separated lengths of the generated import files (default 50000,500000)",
    )
    parser.add_argument(
        "--purge-budget",
        type=float,
        default=600.0,
        help="seconds the console's purge may run on its copy before it is stopped (default 600)",
    )
    return parser.parse_args(argv)


def is_postgres_url(url: str) -> bool:
    return not url.startswith("sqlite:")


def chosen_parts(args: argparse.Namespace) -> list[str]:
    if args.only is not None:
        return [p for p in args.only.split(",") if p]
    skip = set(NOT_BY_DEFAULT) | (set(SQLITE_ONLY) if is_postgres_url(args.database) else set())
    return [p for p in PARTS if p not in skip]


class Rows(list[Measurement]):
    """The figures of one run; a part that fails becomes a row with its error, the run goes on."""

    def __init__(self, backend: str, say: Callable[[str], None]) -> None:
        super().__init__()
        self.backend, self.say = backend, say

    def guarded(self, name: str, run: Callable[[], Any]) -> Any:
        self.say(name)
        try:
            result = run()
        except Exception as exc:  # noqa: BLE001 - reported in the table
            self.append(Measurement(name, None, "-", note=f"failed: {type(exc).__name__}: {exc}"[:300]))
            return None
        if isinstance(result, Measurement):
            self.append(result)
        elif isinstance(result, list):
            self.extend(result)
        return result

    def append(self, row: Measurement) -> None:
        row.backend = row.backend or self.backend
        super().append(row)

    def extend(self, rows: Any) -> None:
        for row in rows:
            self.append(row)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    parts = chosen_parts(args)
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"benchmarks: unknown part(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    postgres = is_postgres_url(args.database)
    if postgres and set(parts) & set(SQLITE_ONLY):
        names = ", ".join(p for p in parts if p in SQLITE_ONLY)
        print(f"benchmarks: {names} measure(s) SQLite only; leave it out on PostgreSQL", file=sys.stderr)
        return 2
    if set(parts) <= OWN_DATABASE:
        return _own_database_parts(args, parts)
    say = (lambda msg: None) if args.json else (lambda msg: print(f"… {msg}", file=sys.stderr, flush=True))
    rows = Rows("postgresql" if postgres else "sqlite", say)
    if postgres:
        context = _postgres_parts(args, parts, rows, say)
        scratch_url = args.database
    else:
        found = _sqlite_parts(args, parts, rows, say)
        if found is None:
            return 2
        context = found
        scratch_url = "sqlite:///scratch"
    if "verify" in parts:
        from benchmarks.bench_audit import verify_million

        rows.guarded("audit verify", lambda: verify_million(args.database.split("?")[0] if postgres else None))
    if "load" in parts:
        from benchmarks.bench_load import measurements

        rows.guarded("many operators at once", lambda: measurements(args.database if postgres else None))
    _scratch_parts(args, parts, scratch_url, rows)
    _write(args, list(rows), {"backend": rows.backend, "parts": parts, **context})
    return 0


def _sqlite_parts(args: argparse.Namespace, parts: list[str], rows: Rows, say) -> dict[str, object] | None:  # type: ignore[no-untyped-def]
    """The figures on .bench/large.db (or copies of it); the run's context, or None without the file."""
    if not set(parts) & set(DEMO_PARTS):
        return {"database": "scratch databases (SQLite)", **_machine()}
    path = parse_url(args.database).path.resolve()
    if not path.exists():
        print(
            f"benchmarks: {path} does not exist; make it with: support24 demo --scale large "
            f"--database sqlite:///{path} --data-dir {path.parent / 'data'}",
            file=sys.stderr,
        )
        return None
    data_dir = Path(args.data_dir) if args.data_dir else path.parent / "data"
    context = _context(path)
    url = f"sqlite:///{path}"
    if "help" in parts:
        from benchmarks.bench_db import help_startup

        rows.guarded("support24 --help start-up", help_startup)
    if "bulk" in parts:
        from benchmarks.bench_db import bulk_insert

        rows.guarded("bulk insert at medium scale", bulk_insert)
    if "screens" in parts:
        _screens(url, str(data_dir), rows)
    if {"queue", "access"} & set(parts):

        def on_copy() -> list[Measurement]:
            with _sqlite_copy(path, say) as copy:
                return _in_process(copy, parts, say)

        rows.guarded("queue summary and access report", on_copy)
    if "purge" in parts:
        from benchmarks.bench_purge import purge_vs_raw
        from console.cli.context import os_account

        rows.guarded(
            f"purge vs raw (budget {args.purge_budget:.0f} s)",
            lambda: purge_vs_raw(path, data_dir, os_account(), budget=args.purge_budget),
        )
    return context


def _postgres_parts(args: argparse.Namespace, parts: list[str], rows: Rows, say) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The figures on the PostgreSQL demo (generated once when missing) or on copies of it."""
    from benchmarks import pg_demo

    context: dict[str, object] = {"database": parse_url(args.database).describe(), **_machine()}
    try:
        context["server"] = pg_demo.server_version(args.database)
    except Exception as exc:  # noqa: BLE001 - the parts below report the server's absence as rows
        context["server"] = f"not reached: {type(exc).__name__}"
    if not set(parts) & set(DEMO_PARTS):
        return context

    data_dir = Path(args.pg_data_dir or f".bench/pg-{args.pg_scale}-data")
    found = rows.guarded(
        f"{args.pg_scale} demo on PostgreSQL",
        lambda: pg_demo.ensure_demo(args.database, args.pg_scale, data_dir, say),
    )
    if found is None:
        return context
    url, demo = found
    context.update(database=parse_url(url).describe(), demo=demo, data_dir=str(data_dir))
    try:
        context["rows"] = pg_demo.row_counts(url)
    except Exception as exc:  # noqa: BLE001 - the context is a courtesy
        context["rows"] = f"not counted: {exc}"
    if "screens" in parts:
        _screens(url, str(data_dir), rows)
    if {"queue", "access"} & set(parts):

        def on_copy() -> list[Measurement]:
            with pg_demo.copy_of(url, say) as copy:
                return _in_process(copy, parts, say)

        rows.guarded("queue summary and access report", on_copy)
    if "purge" in parts:
        from console.cli.context import os_account

        rows.guarded(
            f"purge (budget {args.purge_budget:.0f} s)",
            lambda: pg_demo.purge_on_copy(url, data_dir, os_account(), budget=args.purge_budget, say=say),
        )
    return context


def _screens(url: str, data_dir: str, rows: Rows) -> None:
    from benchmarks.bench_ui import first_frame, first_visits, screens_and_memory

    rows.guarded("screens and memory", lambda: screens_and_memory(url, data_dir))
    rows.guarded("first full frame from a shell", lambda: first_frame(url, data_dir))
    rows.guarded("first visit of each screen", lambda: first_visits(url, data_dir))
    rows.guarded(
        "first visit of each screen, after 2 s on the start screen",
        lambda: first_visits(url, data_dir, idle=2.0),
    )


def _scratch_parts(args: argparse.Namespace, parts: list[str], url: str, rows: Rows) -> None:
    """Import, acknowledgement and backend figures: each in scratch databases of its own."""
    say = rows.say
    if "import" in parts:
        from benchmarks.bench_import import import_vs_raw

        for lines in [int(n) for n in args.import_lines.split(",") if n]:
            rows.guarded(f"import of {lines:,} lines", lambda n=lines: import_vs_raw(url, n, say))
    if "ack" in parts:
        from benchmarks.bench_import import acknowledgement

        rows.guarded("billing acknowledgement", lambda: acknowledgement(url, say=say))
    if "backends" in parts and is_postgres_url(url):
        from benchmarks.bench_backends import purge_and_queue

        rows.guarded("purge and queue on both backends", lambda: purge_and_queue(url, say))


def _machine() -> dict[str, object]:
    import sqlite3
    import time

    return {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "loadavg_at_start": [round(x, 1) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "machine": platform.machine(),
        "system": platform.platform(),
    }


def _own_database_parts(args: argparse.Namespace, parts: list[str]) -> int:
    """`--only load,verify`: each on a fresh database; `--database postgresql://…` measures PostgreSQL."""
    url = None if args.database.startswith("sqlite:") else args.database
    rows: list[Measurement] = []
    if "verify" in parts:
        from benchmarks.bench_audit import verify_million

        rows += verify_million(url)
    if "load" in parts:
        from benchmarks.bench_load import measurements

        rows += measurements(url)
    backend = "sqlite" if url is None else "postgresql"
    for row in rows:
        row.backend = row.backend or backend
    context = {"backend": backend, **_machine()}
    _write(args, rows, context)
    return 0


def _write(args: argparse.Namespace, rows: list[Measurement], context: dict[str, object]) -> None:
    """The table (or with --json the document) on stdout; with --json-out the document in that file too."""
    import time

    context = {**context, "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    context["loadavg_at_end"] = [round(x, 1) for x in os.getloadavg()]
    document = emit_json(rows, context)
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(document + "\n", encoding="utf-8")
    print(document if args.json else table(rows))


@contextmanager
def _sqlite_copy(path: Path, say) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A working copy of the SQLite file beside it (removed afterwards): its URL."""
    import shutil
    import tempfile

    from benchmarks.bench_purge import checkpointed_copy

    work = Path(tempfile.mkdtemp(prefix=".bench-work-", dir=path.parent))
    try:
        say("copying the database")
        checkpointed_copy(path, work / "work.db")
        yield f"sqlite:///{work / 'work.db'}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _in_process(url: str, parts: list[str], say) -> list[Measurement]:  # type: ignore[no-untyped-def]
    """Queue summary and access report on a working copy, so the measured database stays as it was."""
    from benchmarks import bench_db
    from console.cli.context import os_account
    from console.settings.config import load_settings, resolve_config_dir
    from models.core.db import close_database, open_database
    from models.core.identity import resolve_operator

    rows = []
    open_database(url)
    try:
        if "queue" in parts:
            say("retention queue summary")
            rows.append(bench_db.queue_summary())
        if "access" in parts:
            say("access report of the subject with most data")
            controller = load_settings(resolve_config_dir()).controller
            try:
                rows.append(bench_db.access_report(resolve_operator(os_account()), controller))
            except Exception as exc:  # noqa: BLE001 - reported in the table
                rows.append(
                    Measurement(
                        "access report (compile + JSON export)",
                        None,
                        "ms",
                        goal="<= 2000 ms",
                        note=f"failed: {type(exc).__name__}: {exc}"[:300],
                    )
                )
    finally:
        close_database()
    return rows


def _context(path: Path) -> dict[str, object]:
    import sqlite3

    from benchmarks.pg_demo import COUNTED

    connection = sqlite3.connect(str(path))
    try:
        counts = {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in COUNTED}
    finally:
        connection.close()
    return {
        "database": str(path),
        "size_mb": round(path.stat().st_size / 2**20),
        "rows": counts,
        **_machine(),
    }


if __name__ == "__main__":
    raise SystemExit(main())
