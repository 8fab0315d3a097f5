"""The purge against raw sqlite3 DELETEs of the same rows, each on its own copy of the same database.

The console's `models.purge.run_purge` runs on copy A (optionally inside a time budget; a
purge stopped there keeps what it committed, as a killed purge would). Its deletion
records say which items went; copy B then gets plain `DELETE` statements for exactly those
items, set-based in chunks, with `secure_delete` on and the WAL checkpointed and truncated
at the end, as the console does. The ratio compares seconds per deleted row.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.report import Measurement, at_most
from models.core import clock
from models.core.db import close_database, open_database
from models.core.entities import DeletionRecord
from models.core.identity import resolve_operator
from models.purge import run as purge
from models.retention import queue as retention

# Rows of personal data and proof; retention_due is bookkeeping (the console also drops emptied due
# rows of categories that never held data), so it is deleted on both sides but not counted.
COUNTED = (
    "activity_event",
    "chat_message",
    "system_info",
    "gathered_file",
    "recording",
    "consent",
    "participant",
    "disclosure",
    "remote_session",
    "billing_record",
    "access_request",
    "access_request_exclusion",
)
ROW_TABLES = {
    "system_info": "system_info",
    "activity": "activity_event",
    "chat": "chat_message",
    "gathered_files": "gathered_file",
    "video": "recording",
}
CHUNK = 500


class _OutOfBudget(Exception):
    """Raised from the purge's progress callback when the time budget is spent."""


def checkpointed_copy(source: Path, target: Path) -> None:
    """Fold the WAL into the file, then copy it byte for byte."""
    connection = sqlite3.connect(str(source))
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    shutil.copyfile(source, target)


def count_rows(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(str(path))
    try:
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in COUNTED}
    finally:
        connection.close()


def _url(target: Path | str) -> str:
    """A SQLite file's path, or a database URL as it is (a PostgreSQL copy, benchmarks/pg_demo.py)."""
    return target if isinstance(target, str) else f"sqlite:///{target}"


def app_purge(path: Path | str, data_dir: Path, operator_name: str, budget: float) -> dict[str, object]:
    """Run the console's purge on `path`; returns seconds, items per category and whether it finished."""
    open_database(_url(path))
    try:
        operator = resolve_operator(operator_name)
        began = time.perf_counter()
        deadline = began + budget
        done, planned_items = [0], [0]

        def progress(current: int, total: int) -> None:  # first called with (0, items due) before any deletion
            done[0], planned_items[0] = current, max(planned_items[0], total)
            if time.perf_counter() > deadline:
                raise _OutOfBudget

        finished = True
        try:
            purge.run_purge(operator, data_dir=data_dir, progress=progress, holder="benchmark")
        except _OutOfBudget:
            finished = False
            purge.compact()  # the checkpoint a finished run ends with
        seconds = time.perf_counter() - began
        items: dict[str, list[int]] = defaultdict(list)
        for category, item_id in DeletionRecord.select(DeletionRecord.category, DeletionRecord.item_id).tuples():
            items[category].append(int(item_id))
        return {
            "seconds": seconds,
            "items": dict(items),
            "finished": finished,
            "planned_items": planned_items[0],
            "done_items": done[0],
        }
    finally:
        close_database()


def summary_ms(path: Path | str) -> float:
    """Median of five retention queue summaries on `path` (after one warm-up)."""
    open_database(_url(path))
    try:
        retention.queue_summary()
        samples = []
        for _ in range(5):
            began = time.perf_counter()
            retention.queue_summary()
            samples.append(time.perf_counter() - began)
        return sorted(samples)[2] * 1000
    finally:
        close_database()


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def raw_purge(path: Path, items: dict[str, list[int]]) -> tuple[float, int]:
    """The same deletions as plain SQL on `path`: seconds and rows deleted."""
    connection = sqlite3.connect(str(path), isolation_level=None)
    try:
        for pragma in ("journal_mode=wal", "foreign_keys=1", "secure_delete=1", "synchronous=normal"):
            connection.execute(f"PRAGMA {pragma}")
        deleted = 0
        began = time.perf_counter()
        for category, table in ROW_TABLES.items():
            for chunk in _chunks(sorted(set(items.get(category, [])))):
                marks = ",".join("?" * len(chunk))
                sessions = f"SELECT id FROM remote_session WHERE order_id IN ({marks})"
                connection.execute("BEGIN IMMEDIATE")
                deleted += connection.execute(f'DELETE FROM "{table}" WHERE session_id IN ({sessions})', chunk).rowcount
                if category == "video":
                    connection.execute(
                        "UPDATE consent SET corrects_id = NULL WHERE kind = 'recording' "
                        f"AND session_id IN ({sessions})",
                        chunk,
                    )
                    deleted += connection.execute(
                        f"DELETE FROM consent WHERE kind = 'recording' AND session_id IN ({sessions})", chunk
                    ).rowcount
                # the console drops the emptied (category, order) due row with the data
                connection.execute(
                    f"DELETE FROM retention_due WHERE category = ? AND order_id IN ({marks})", [category, *chunk]
                )
                connection.execute("COMMIT")
        for chunk in _chunks(sorted(set(items.get("connection", [])))):
            marks = ",".join("?" * len(chunk))
            sessions = f"SELECT id FROM remote_session WHERE order_id IN ({marks})"
            connection.execute("BEGIN IMMEDIATE")
            for statement in (
                f"DELETE FROM participant WHERE session_id IN ({sessions})",
                f"DELETE FROM disclosure WHERE session_id IN ({sessions})",
                f"UPDATE consent SET corrects_id = NULL WHERE session_id IN ({sessions})",
                f"DELETE FROM consent WHERE session_id IN ({sessions})",
                f"UPDATE billing_record SET session_id = NULL WHERE session_id IN ({sessions})",
                f"DELETE FROM remote_session WHERE order_id IN ({marks})",
                f"DELETE FROM retention_due WHERE order_id IN ({marks})",
            ):
                cursor = connection.execute(statement, chunk)
                if statement.startswith("DELETE") and "retention_due" not in statement:
                    deleted += cursor.rowcount
            connection.execute("COMMIT")
        for category, table in (("billing", "billing_record"), ("access_requests", "access_request")):
            for chunk in _chunks(sorted(set(items.get(category, [])))):
                marks = ",".join("?" * len(chunk))
                connection.execute("BEGIN IMMEDIATE")
                if table == "access_request":
                    deleted += connection.execute(
                        f"DELETE FROM access_request_exclusion WHERE request_id IN ({marks})", chunk
                    ).rowcount
                deleted += connection.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk).rowcount
                connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return time.perf_counter() - began, deleted
    finally:
        connection.close()


def purge_vs_raw(
    source: Path, source_data_dir: Path, operator_name: str, *, budget: float = 600.0, work_dir: Path | None = None
) -> Measurement:
    """Copies, the console's purge, raw DELETEs of the same rows; the ratio of seconds per row."""
    work = Path(tempfile.mkdtemp(prefix=".purge-bench-", dir=work_dir or source.parent))
    try:
        app_db, raw_db, data_dir = work / "app.db", work / "raw.db", work / "data"
        checkpointed_copy(source, app_db)
        shutil.copyfile(app_db, raw_db)
        if source_data_dir.is_dir():
            shutil.copytree(source_data_dir, data_dir, ignore=shutil.ignore_patterns("*.db", "*.db-*"))
        else:
            data_dir.mkdir()
        # Both copies on disk before either is timed: otherwise the kernel writes 3 GB of copies back
        # during the first run (the console's, whose first fsync also waits for its own file).
        os.sync()
        before = count_rows(app_db)
        app = app_purge(app_db, data_dir, operator_name, budget)
        after = count_rows(app_db)
        summary_after_ms = summary_ms(app_db)  # the steady state: what a desk that purges every day sees
        app_rows = sum(before[t] - after[t] for t in COUNTED)
        raw_seconds, raw_rows = raw_purge(raw_db, app["items"])  # type: ignore[arg-type]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    app_seconds = float(app["seconds"])  # type: ignore[arg-type]
    per_row_app = app_seconds / app_rows if app_rows else None
    per_row_raw = raw_seconds / raw_rows if raw_rows else None
    note = ""
    if not app["finished"]:
        done, planned = int(app["done_items"]), int(app["planned_items"])  # type: ignore[arg-type]
        projected = app_seconds * planned / max(done, 1)
        note = (
            f"stopped after the {budget:.0f} s budget at {done:,} of {planned:,} due items "
            f"({app_rows:,} rows); the whole purge would take about {projected / 60:.0f} min at this pace"
        )
    if app_rows != raw_rows:
        note += f"{'; ' if note else ''}raw deleted {raw_rows:,} rows, the console {app_rows:,}"
    measurement = Measurement(
        "purge, seconds per deleted row",
        None if per_row_app is None else per_row_app * 1e6,
        "µs/row",
        baseline=None if per_row_raw is None else per_row_raw * 1e6,
        baseline_name="raw sqlite3 DELETEs (same rows)",
        goal="ratio <= 1.5",
        note=note,
        extra={
            "app_seconds": round(app_seconds, 2),
            "app_rows": app_rows,
            "raw_seconds": round(raw_seconds, 3),
            "raw_rows": raw_rows,
            "finished": app["finished"],
            "planned_items": app["planned_items"],
            "done_items": app["done_items"],
            "rows_before": before,
            "rows_after": after,
            "queue_summary_after_purge_ms": round(summary_after_ms, 1),
            "as_of": clock.now().isoformat(),
        },
    )
    measurement.met = at_most(measurement.ratio, 1.5)
    return measurement
