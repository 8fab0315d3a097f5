"""`python -m benchmarks [--json] [--database URL] [--data-dir DIR] [--only NAMES] [--purge-budget S]`.

With a PostgreSQL URL only the parts that make scratch databases run (import, ack, backends).

Measures on the database given (default: .bench/large.db, made by
`support24 demo --scale large --database sqlite:///.bench/large.db`) and prints a table of
name, value, unit, baseline, ratio and goal. Reproduction: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

from benchmarks.report import Measurement, emit_json, table
from models.core.db import parse_url

PARTS = ("help", "bulk", "queue", "access", "screens", "purge", "verify", "load", "import", "ack", "backends")
OWN_DATABASE = {"verify", "load"}  # parts that build their own database (SQLite temp file or a PG schema)
# Parts that make their own scratch databases on the backend of --database (SQLite or PostgreSQL).
SCRATCH_PARTS = ("import", "ack", "backends")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("SUPPORT24_BENCH_DATABASE", "sqlite:///.bench/large.db"),
        help="SQLite URL of the database to measure (default: sqlite:///.bench/large.db)",
    )
    parser.add_argument("--data-dir", help="its data folder (default: beside the database, data/)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
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


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    parts = [p for p in args.only.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"benchmarks: unknown part(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if set(parts) <= OWN_DATABASE:
        return _own_database_parts(args, parts)
    say = (lambda msg: None) if args.json else (lambda msg: print(f"… {msg}", file=sys.stderr, flush=True))
    if not args.database.startswith("sqlite:///"):
        other = [p for p in parts if p not in SCRATCH_PARTS]
        if other:
            print(
                f"benchmarks: {', '.join(other)} run on the SQLite large demo; on PostgreSQL use "
                f"--only {','.join(SCRATCH_PARTS)}",
                file=sys.stderr,
            )
            return 2
        rows = _scratch_parts(args, parts, args.database, say)
        context = {"database": parse_url(args.database).describe(), **_machine()}
        print(emit_json(rows, context) if args.json else table(rows))
        return 0
    path = parse_url(args.database).path.resolve()
    if not path.exists():
        print(
            f"benchmarks: {path} does not exist; make it with: support24 demo --scale large "
            f"--database sqlite:///{path} --data-dir {path.parent / 'data'}",
            file=sys.stderr,
        )
        return 2
    data_dir = Path(args.data_dir) if args.data_dir else path.parent / "data"
    rows: list[Measurement] = []
    context = _context(path)

    def guarded(name: str, run) -> None:  # type: ignore[no-untyped-def]
        """One part failing (e.g. code in the middle of a change) must not lose the other figures."""
        say(name)
        try:
            result = run()
        except Exception as exc:
            rows.append(Measurement(name, None, "-", note=f"failed: {type(exc).__name__}: {exc}"[:300]))
            return
        rows.extend(result if isinstance(result, list) else [result])

    if "help" in parts:
        from benchmarks.bench_db import help_startup

        guarded("support24 --help start-up", help_startup)
    if "bulk" in parts:
        from benchmarks.bench_db import bulk_insert

        guarded("bulk insert at medium scale", bulk_insert)
    if "screens" in parts:
        from benchmarks.bench_ui import screens_and_memory

        guarded("screens and memory", lambda: screens_and_memory(f"sqlite:///{path}", str(data_dir)))
        from benchmarks.bench_ui import first_frame, first_visits

        guarded("first full frame from a shell", lambda: first_frame(f"sqlite:///{path}", str(data_dir)))
        guarded("first visit of each screen", lambda: first_visits(f"sqlite:///{path}", str(data_dir)))
        guarded(
            "first visit of each screen, after 2 s on the start screen",
            lambda: first_visits(f"sqlite:///{path}", str(data_dir), idle=2.0),
        )
    if {"queue", "access"} & set(parts):
        guarded("queue summary and access report", lambda: _in_process(path, data_dir, parts, say))
    if "purge" in parts:
        from benchmarks.bench_purge import purge_vs_raw
        from console.cli.context import os_account

        guarded(
            f"purge vs raw (budget {args.purge_budget:.0f} s)",
            lambda: purge_vs_raw(path, data_dir, os_account(), budget=args.purge_budget),
        )
    rows.extend(_scratch_parts(args, parts, "sqlite:///scratch", say))
    print(emit_json(rows, context) if args.json else table(rows))
    return 0


def _scratch_parts(args: argparse.Namespace, parts: list[str], url: str, say) -> list[Measurement]:  # type: ignore[no-untyped-def]
    """Import, acknowledgement and backend figures: each in scratch databases of its own."""
    rows: list[Measurement] = []

    def guarded(name: str, run) -> None:  # type: ignore[no-untyped-def]
        say(name)
        try:
            result = run()
        except Exception as exc:  # noqa: BLE001 - reported in the table
            rows.append(Measurement(name, None, "-", note=f"failed: {type(exc).__name__}: {exc}"[:300]))
            return
        rows.extend(result if isinstance(result, list) else [result])

    if "import" in parts:
        from benchmarks.bench_import import import_vs_raw

        for lines in [int(n) for n in args.import_lines.split(",") if n]:
            guarded(f"import of {lines:,} lines", lambda n=lines: import_vs_raw(url, n, say))
    if "ack" in parts:
        from benchmarks.bench_import import acknowledgement

        guarded("billing acknowledgement", lambda: acknowledgement(url, say=say))
    if "backends" in parts and not url.startswith("sqlite"):
        from benchmarks.bench_backends import purge_and_queue

        guarded("purge and queue on both backends", lambda: purge_and_queue(url, say))
    return rows


def _machine() -> dict[str, object]:
    import sqlite3

    return {
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
    context = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
    print(emit_json(rows, context) if args.json else table(rows))
    return 0


def _in_process(path: Path, data_dir: Path, parts: list[str], say) -> list[Measurement]:  # type: ignore[no-untyped-def]
    """Queue summary and access report on a working copy, so the measured database stays as it was."""
    import shutil
    import tempfile

    from benchmarks import bench_db
    from benchmarks.bench_purge import checkpointed_copy
    from console.cli.context import os_account
    from console.settings.config import load_settings, resolve_config_dir
    from models.core.db import close_database, open_database
    from models.core.identity import resolve_operator

    rows = []
    work = Path(tempfile.mkdtemp(prefix=".bench-work-", dir=path.parent))
    try:
        copy = work / "work.db"
        say("copying the database")
        checkpointed_copy(path, copy)
        open_database(f"sqlite:///{copy}")
        try:
            if "queue" in parts:
                say("retention queue summary")
                rows.append(bench_db.queue_summary())
            if "access" in parts:
                say("access report of the subject with most data")
                controller = load_settings(resolve_config_dir()).controller
                try:
                    rows.append(bench_db.access_report(resolve_operator(os_account()), controller))
                except Exception as exc:
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
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def _context(path: Path) -> dict[str, object]:
    import sqlite3

    connection = sqlite3.connect(str(path))
    try:
        counts = {
            t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in (
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
        }
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
