"""Chunked multi-row inserts for the bulk demo, timed, with a raw sqlite3 baseline of the same rows.

Rows are plain tuples already in storage form; they wait in per-table buffers and are
written parents first (so foreign keys hold at every statement) with the DB-API's
`executemany` inside short transactions. The first rows written are kept as a sample, so
`raw_baseline()` can time plain `sqlite3.executemany` of exactly those rows into an empty
copy of the schema.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from models.core.db import database, is_sqlite
from models.core.entities import BaseModel

FLUSH_ROWS = 20_000  # buffered rows (all tables) before a flush: bounded memory, few transactions
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def storage_converters() -> tuple[Callable[[datetime | None], Any], Callable[[date | None], Any]]:
    """How naive-UTC datetimes and dates are stored: fixed-width text on SQLite (as UTCDateTimeField), native on PG."""
    if is_sqlite():
        return (
            lambda v: None if v is None else v.isoformat(" ", "microseconds"),
            lambda v: None if v is None else v.isoformat(),
        )
    return (lambda v: v), (lambda v: v)


class BulkWriter:
    """Buffers rows per table and writes them in dependency order with executemany."""

    def __init__(
        self,
        models: list[type[BaseModel]],
        columns: dict[type[BaseModel], tuple[str, ...]],
        flush_rows: int | None = None,
    ) -> None:
        self.flush_rows = flush_rows or FLUSH_ROWS
        param = "?" if is_sqlite() else "%s"
        self.order = [m._meta.table_name for m in models]
        self.sql: dict[str, str] = {}
        for model in models:
            names = [model._meta.fields[c].column_name for c in columns[model]]
            self.sql[model._meta.table_name] = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
                model._meta.table_name, ", ".join(f'"{n}"' for n in names), ", ".join([param] * len(names))
            )
        self.buffers: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.order}
        self.pending = 0
        self.counts: Counter[str] = Counter()
        self.insert_seconds = 0.0
        self.sampling = True
        self.sample: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.order}
        self.sample_seconds = 0.0

    def add(self, model: type[BaseModel], row: tuple[Any, ...]) -> None:
        self.buffers[model._meta.table_name].append(row)
        self.pending += 1

    def maybe_flush(self) -> None:
        """Call between complete units (an order with everything it owns), never in the middle of one."""
        if self.pending >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        began = time.perf_counter()
        with database.atomic():
            cursor = database.cursor()
            for name in self.order:
                rows = self.buffers[name]
                if rows:
                    cursor.executemany(self.sql[name], rows)
                    self.counts[name] += len(rows)
                    if self.sampling:
                        self.sample[name].extend(rows)
                    self.buffers[name] = []
        spent = time.perf_counter() - began
        self.insert_seconds += spent
        if self.sampling:
            self.sample_seconds += spent
        self.pending = 0

    def stop_sampling(self) -> None:
        self.flush()
        self.sampling = False

    def sample_rows(self) -> int:
        return sum(len(rows) for rows in self.sample.values())

    def raw_baseline(self) -> float | None:
        """Seconds that plain sqlite3.executemany needs for the sampled rows, same schema and pragmas (SQLite only)."""
        if not is_sqlite() or not self.sample_rows():
            return None
        ddl = [
            row[0]
            for row in database.execute_sql(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END"
            )
        ]
        target = Path(database.obj.database).parent
        with tempfile.TemporaryDirectory(dir=target, prefix=".raw-baseline-") as folder:
            connection = sqlite3.connect(str(Path(folder) / "raw.db"), isolation_level=None)
            try:
                for pragma in ("journal_mode=wal", "foreign_keys=1", "synchronous=normal", "cache_size=-32000"):
                    connection.execute(f"PRAGMA {pragma}")
                for statement in ddl:
                    connection.execute(statement)
                began = time.perf_counter()
                for name in self.order:
                    rows = self.sample[name]
                    for start in range(0, len(rows), FLUSH_ROWS):
                        connection.execute("BEGIN")
                        connection.executemany(self.sql[name], rows[start : start + FLUSH_ROWS])
                        connection.execute("COMMIT")
                return time.perf_counter() - began
            finally:
                connection.close()

    def release_sample(self) -> None:
        self.sample = {name: [] for name in self.order}
