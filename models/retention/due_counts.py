"""Queue rows per category and UTC day of their due date, kept by database triggers.

The retention queue summary needs counts over ranges of due dates that can hold hundreds of
thousands of rows (eleven years of billing records, a purge backlog). Triggers on the three
queue tables keep one counter per (category, day) in due_count, inside the same transaction
as the row change, on SQLite and PostgreSQL alike; the summary adds whole days and counts only
the rows of the edge days itself. Undated rows are not counted here (they are few).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from peewee import Case, fn

from models.core.compiled import array_literal
from models.core.db import database, is_postgres
from models.core.entities import DueCount

# (table, SQL for the category of a row given its alias NEW/OLD or None for the category column)
SOURCES = (("retention_due", None), ("billing_record", "billing"), ("access_request", "access_requests"))


def day_of(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d")


def _sqlite_statements() -> list[str]:
    statements = []
    for table, fixed in SOURCES:

        def cat(alias: str, fixed: str | None = fixed) -> str:
            return f"'{fixed}'" if fixed else f"{alias}.category"

        add = (
            "INSERT INTO due_count (category, day, n) SELECT {cat}, substr(NEW.due_at, 1, 10), 1 "
            "WHERE NEW.due_at IS NOT NULL ON CONFLICT (category, day) DO UPDATE SET n = n + 1;"
        ).format(cat=cat("NEW"))
        sub = (
            "UPDATE due_count SET n = n - 1 WHERE OLD.due_at IS NOT NULL AND category = {cat} "
            "AND day = substr(OLD.due_at, 1, 10);"
        ).format(cat=cat("OLD"))
        columns = "due_at" if fixed else "due_at, category"
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {table}_count_insert AFTER INSERT ON {table} BEGIN {add} END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_count_delete AFTER DELETE ON {table} BEGIN {sub} END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_count_update AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {sub} {add} END",
        ]
    return statements


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION due_count_keep() RETURNS trigger AS $$
DECLARE
    old_cat text;
    new_cat text;
BEGIN
    IF current_setting('support24.counts_in_bulk', true) = 'on' THEN
        RETURN NULL;  -- a set-wise writer counts its rows itself (counted_in_bulk)
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.due_at IS NOT NULL THEN
        IF TG_NARGS > 0 THEN old_cat := TG_ARGV[0]; ELSE old_cat := OLD.category; END IF;
        UPDATE due_count SET n = n - 1 WHERE category = old_cat AND day = to_char(OLD.due_at, 'YYYY-MM-DD');
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.due_at IS NOT NULL THEN
        IF TG_NARGS > 0 THEN new_cat := TG_ARGV[0]; ELSE new_cat := NEW.category; END IF;
        INSERT INTO due_count (category, day, n) VALUES (new_cat, to_char(NEW.due_at, 'YYYY-MM-DD'), 1)
        ON CONFLICT (category, day) DO UPDATE SET n = due_count.n + 1;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""


def _pg_statements() -> list[str]:
    statements = [_PG_FUNCTION]
    for table, fixed in SOURCES:
        columns = "due_at" if fixed else "due_at, category"
        argument = f"'{fixed}'" if fixed else ""
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_count ON {table}",
            f"CREATE TRIGGER {table}_count AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION due_count_keep({argument})",
        ]
    return statements


def install() -> None:
    """Create the triggers (idempotent); inside the caller's schema transaction."""
    for statement in _pg_statements() if is_postgres() else _sqlite_statements():
        database.execute_sql(statement)


_DELTA = (
    "INSERT INTO due_count (category, day, n) "
    "SELECT category, to_char(due_at, 'YYYY-MM-DD'), {sign} COUNT(*) FROM retention_due "
    "WHERE order_id = ANY(%s::bigint[]) AND due_at IS NOT NULL {category} GROUP BY 1, 2 "
    "ON CONFLICT (category, day) DO UPDATE SET n = due_count.n + excluded.n"
)


@contextmanager
def counted_in_bulk(order_ids: list[int], category: str | None = None, *, deleting: bool = False) -> Iterator[None]:
    """Inside: retention_due rows of these orders (of `category`, if given) are deleted or
    inserted many at once, and counted set-wise around it instead of row by row.

    On PostgreSQL a row trigger updating the same few counters thousands of times in one
    transaction grows their version chains and slows down quadratically; here each counter is
    updated once per batch. SQLite's triggers stay in charge (they cost nothing comparable).
    `deleting`: the block only deletes, so there is nothing to count afterwards.
    """
    if not is_postgres() or not order_ids:
        yield
        return
    where = "AND category = %s" if category else ""
    ids = array_literal(list(order_ids))
    params: tuple[object, ...] = (ids, category) if category else (ids,)
    database.execute_sql(_DELTA.format(sign="-", category=where), params)
    database.execute_sql("SET LOCAL support24.counts_in_bulk = 'on'")
    try:
        yield
    finally:
        database.execute_sql("SET LOCAL support24.counts_in_bulk = 'off'")
    if not deleting:
        database.execute_sql(_DELTA.format(sign="", category=where), params)


def rebuild() -> None:
    """Count every dated row again (a new or migrated database)."""
    DueCount.delete().execute()
    day = "to_char(due_at, 'YYYY-MM-DD')" if is_postgres() else "substr(due_at, 1, 10)"
    for table, fixed in SOURCES:
        category = f"'{fixed}'" if fixed else "category"
        database.execute_sql(
            f"INSERT INTO due_count (category, day, n) SELECT {category}, {day}, COUNT(*) FROM {table} "
            f"WHERE due_at IS NOT NULL GROUP BY 1, 2"
        )


def days_sums(before: str) -> dict[str, tuple[int, int]]:
    """Per category: rows due on UTC days before `before` (YYYY-MM-DD), and on any day; one grouped query."""
    earlier = fn.SUM(Case(None, [(DueCount.day < before, DueCount.n)], 0))
    query = DueCount.select(DueCount.category, earlier, fn.SUM(DueCount.n)).group_by(DueCount.category)
    rows: Any = query.tuples()  # peewee types tuples() as model instances
    return {category: (int(early or 0), int(total or 0)) for category, early, total in rows}
