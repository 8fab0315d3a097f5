"""PostgreSQL's way through one chunk of the purge: children before parents, in one pipeline.

A chunk deletes each child table's rows with `DELETE … WHERE session_id = ANY(ARRAY(the orders'
sessions)) RETURNING` the order (an index scan of the child by session whatever the planner
guesses; which orders had rows, for the deletion records), then the sessions: their statement
trigger (models/core/statement_keys.py) takes participants, disclosures and consents and sets the
billing records' session to NULL, one statement per table. All of a chunk's statements are sent
in one psycopg pipeline: on a loaded machine each round trip to the server cost milliseconds, a
chunk had about twenty. The rules and the deletion records are those of models/purge/chunks.py,
which calls this; SQLite keeps its own path there.

`fresh_statistics()` analyzes the purge's tables when the server has no statistics or stale
ones (a freshly loaded or bulk-imported database): without them the planner scanned whole
tables for every chunk.
"""

from __future__ import annotations

import time

from peewee import __exception_wrapper__  # type: ignore[attr-defined]  # driver errors as peewee's, as execute_sql raises them

from models.core.compiled import array_literal
from models.core.db import _busy_as_domain_error, database
from models.core.entities import (
    Consent,
    RemoteSession,
    RetentionDue,
)
from models.purge.items import ROW_TABLES
from models.retention import due_counts

_TABLES = (
    "remote_session",
    "activity_event",
    "chat_message",
    "system_info",
    "gathered_file",
    "recording",
    "consent",
    "participant",
    "disclosure",
    "billing_record",
    "retention_due",
    "due_count",
    "legal_hold",
    "orders",
    "purge_problem",
)
_STALE_SHARE = 0.2  # analyze once a fifth of a table changed since its statistics (autovacuum's default is 0.1 + 50)
_CHECK_EVERY_SECONDS = 600.0
_checked_at: list[float] = []


def fresh_statistics() -> list[str]:
    """ANALYZE the purge's tables that have no or stale statistics; returns their names. Checked at most every
    ten minutes per process; a table the role may not analyze is skipped by the server with a warning."""
    now = time.monotonic()
    if _checked_at and now - _checked_at[0] < _CHECK_EVERY_SECONDS:
        return []
    _checked_at[:] = [now]
    cursor = database.execute_sql(  # reltuples -1: never analyzed (PostgreSQL 14 and later)
        "SELECT c.relname FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
        "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname = ANY(%s) "
        "AND (c.reltuples < 0 OR coalesce(s.n_mod_since_analyze, 0) > %s * greatest(c.reltuples, 1000))",
        (list(_TABLES), _STALE_SHARE),
    )
    stale = sorted(name for (name,) in cursor.fetchall())
    for name in stale:
        database.execute_sql(f'ANALYZE "{name}"')
    return stale


def _column(table: object) -> str:
    return str(table.session.column_name)  # type: ignore[attr-defined]


def _name(table: object) -> str:
    return str(table._meta.table_name)  # type: ignore[attr-defined]


_IDS = "ANY(%s::bigint[])"  # the chunk's ids as one array literal
_SESSIONS = f'ARRAY(SELECT "id" FROM "remote_session" WHERE "order_id" = {_IDS})'


def _children(table: object) -> str:
    """DELETE of `table`'s rows under the sessions of the orders in %s, returning each row's order."""
    column = _column(table)
    return (
        f'DELETE FROM "{_name(table)}" t WHERE t."{column}" = ANY({_SESSIONS}) '
        f'RETURNING (SELECT s."order_id" FROM "{_name(RemoteSession)}" s WHERE s."id" = t."{column}")'
    )


def delete_chunk(category: str, names: tuple[str, ...], order_ids: list[int]) -> dict[str, set[int]]:
    """Delete the planned categories `names` of these orders (and their sessions for `connection`), children
    before parents, in one pipeline: the statements go to the server without waiting for each other's answers.

    Returns, per category, the orders that had rows (for `connection`: the orders whose sessions went).
    """
    ids = array_literal(order_ids)  # written once for every statement of the chunk
    orders = (ids,)
    # `= ANY(ARRAY(subquery))`: an index scan of the child table by session, whatever the planner guesses
    under = f"= ANY({_SESSIONS})"
    returned: dict[str, object] = {}
    with _busy_as_domain_error(), __exception_wrapper__, database.connection().pipeline():
        # every chunk's arrays are planned as they are: a generic plan guessed at their length
        database.execute_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        # This chunk's commit need not wait for its WAL to reach the disk: its deletions and their deletion
        # records commit together or not at all, so a crash that loses it loses both (the rows come back with
        # no record claiming otherwise; files already shredded are what a crash before the commit leaves too,
        # and the next run finishes those rows). Nothing reports the chunk before the run's end, whose own
        # commit (`state='done'`, synchronous) flushes every earlier commit before the journal and the
        # operator are told.
        database.execute_sql("SET LOCAL synchronous_commit = off")
        for name in names:
            table = ROW_TABLES[name]
            returned[name] = database.execute_sql(_children(table), orders)
            if name == "video" and category != "connection":  # the recording consent justified the video
                database.execute_sql(
                    f'DELETE FROM "{_name(Consent)}" WHERE "{_column(Consent)}" {under} AND "kind" = %s',
                    (ids, "recording"),
                )
            if category != "connection":  # the connection chunk removes every row of its orders below
                with due_counts.counted_in_bulk(order_ids, name, deleting=True):
                    database.execute_sql(
                        f'DELETE FROM "{_name(RetentionDue)}" WHERE "order_id" = {_IDS} AND "category" = %s',
                        (ids, name),
                    )
        if category == "connection":
            # The sessions' statement trigger (models/core/statement_keys.py) takes their participants,
            # disclosures and consents and sets their billing records' session to NULL, one statement per
            # table over the deleted ids: doing that here first only made it look for every row again.
            returned["connection"] = database.execute_sql(
                f'DELETE FROM "{_name(RemoteSession)}" WHERE "order_id" = ANY(%s::bigint[]) RETURNING "order_id"',
                orders,
            )
            with due_counts.counted_in_bulk(order_ids, deleting=True):
                database.execute_sql(
                    f'DELETE FROM "{_name(RetentionDue)}" WHERE "order_id" = ANY(%s::bigint[])', orders
                )
        database.execute_sql("SET LOCAL plan_cache_mode = auto")
        return {name: {order_id for (order_id,) in cursor.fetchall()} for name, cursor in returned.items()}  # type: ignore[attr-defined]
