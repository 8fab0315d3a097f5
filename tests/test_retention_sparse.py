"""retention_due holds a row only while its category holds data (models/retention/due.py).

The queue counts index ranges on that table, so a missing row would mean data that never
falls due and an extra row an item that is not there: both are checked here, including data
that arrives after the order was completed and databases written before rows became sparse.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from models.core import bulk, schema
from models.core.db import database, write_tx
from models.core.entities import ChatMessage, DueCount, Order, RetentionDue, SchemaMeta
from models.purge import run as purge
from models.retention import due_counts
from models.retention import queue as retention
from models.sessions import orders, sessions
from models.sessions.sessions import SessionInput
from tests.support import factories as f
from tests.support import purge_world
from tests.support.env import BACKEND

UTC = timezone.utc


def _rows(ref: str) -> set[str]:
    order = Order.get(Order.ref == ref)
    return {r.category for r in RetentionDue.select().where(RetentionDue.order == order)}


def _order_with_activity_only(tech, ref: str, start: datetime) -> str:
    f.order(ref, f.customer(), opened_at=start - timedelta(hours=1))
    session = sessions.start_session(
        tech,
        SessionInput(
            order=ref,
            technician=tech.username,
            customer_ip="203.0.113.9",
            workstation=None,
            customer_person="Erika Weber",
            screen_private=True,
            started_at=start,
        ),
    )
    sessions.log_activity(tech, session.ref, "login", at=start + timedelta(minutes=1))
    sessions.end_session(tech, session.ref, ended_at=start + timedelta(minutes=30))
    orders.complete_order(tech, ref, completed_at=start + timedelta(hours=1))
    return session.ref


def test_a_completed_order_is_queued_only_for_what_it_holds(db, fixed_clock, isolated_dirs) -> None:
    tech = f.staff("tina", "technician admin accounting", signed=date(2014, 1, 1))
    _order_with_activity_only(tech, "A-2026-0100", datetime(2026, 11, 20, 8, tzinfo=UTC))
    assert _rows("A-2026-0100") == {"activity", "connection"}
    listed = {i.category for i in retention.order_retention("A-2026-0100")}
    assert listed == {"activity", "connection", "billing"}
    summary = retention.queue_summary()
    assert sum(r.count for r in summary) == len(retention.queue_items(limit=1000))


def test_chat_logged_after_completion_joins_the_queue_and_is_purged(db, fixed_clock, isolated_dirs) -> None:
    tech = f.staff("tina", "technician admin accounting", signed=date(2014, 1, 1))
    start = datetime(2026, 6, 30, 8, tzinfo=UTC)
    session_ref = _order_with_activity_only(tech, "A-2026-0101", start)
    orders.mark_billed(tech, "A-2026-0101", date(2026, 7, 15))
    # an import brings the chat transcript weeks later: it falls due like the rest of P8
    sessions.add_chat(tech, session_ref, "customer", "late transcript", at=start + timedelta(minutes=2))
    bulk.add_chat_many(tech, session_ref, [bulk.ChatItem(start + timedelta(minutes=3), "technician", "ok")])
    assert _rows("A-2026-0101") == {"activity", "chat", "connection"}
    due = {i.category: i for i in retention.order_retention("A-2026-0101")}
    assert due["chat"].due_at == due["activity"].due_at and due["chat"].state == "overdue"
    purge.run_purge(purge_world.officer(), data_dir=isolated_dirs)
    assert ChatMessage.select().count() == 0
    assert retention.order_retention("A-2026-0101") == [
        i for i in retention.order_retention("A-2026-0101") if i.category == "billing"
    ]


def test_an_old_database_loses_rows_of_absent_categories_when_migrated(db, fixed_clock, isolated_dirs) -> None:
    purge_world.build(isolated_dirs, names=("old", "recent"))
    before = retention.queue_summary()
    ChatMessage.delete().execute()  # as schema 1 could leave it: chat gone, its rows kept
    SchemaMeta.update(value="1").where(SchemaMeta.key == schema.VERSION_KEY).execute()
    assert "chat" in _rows("A-2026-0001")
    assert schema.ensure_schema() == "migrated"
    assert "chat" not in _rows("A-2026-0001") and "chat" not in _rows("A-2026-0002")
    assert _rows("A-2026-0001") == {"system_info", "gathered_files", "activity", "video", "connection"}
    after = retention.queue_summary()
    assert sum(r.count for r in after) == sum(r.count for r in before) - 2


def test_summary_counts_states_like_the_items_on_the_edges(db, fixed_clock, isolated_dirs) -> None:
    """Due exactly now, exactly 24 h ago and held: the range counts agree with the per-item states."""
    purge_world.build(isolated_dirs)
    orders_due = RetentionDue.select().where(RetentionDue.category == "system_info").order_by(RetentionDue.id)
    now = fixed_clock()
    edges = [now, now - retention.OVERDUE_AFTER, now - retention.OVERDUE_AFTER + timedelta(microseconds=1)]
    for row, edge in zip(orders_due, edges, strict=False):
        RetentionDue.update(due_at=edge).where(RetentionDue.id == row.id).execute()
    items = retention.queue_items(limit=1000)
    for row in retention.queue_summary():
        mine = [i for i in items if (i.category, i.state) == (row.category, row.state)]
        assert row.count == len(mine), (row.category, row.state)
        dated = [i.due_at for i in mine if i.due_at is not None]
        assert row.next_due_at == (min(dated) if dated else None), (row.category, row.state)


def _kept_counts() -> dict[tuple[str, str], int]:
    return {(c.category, c.day): c.n for c in DueCount.select() if c.n}


def test_day_counters_follow_inserts_updates_and_the_purge(db, fixed_clock, isolated_dirs) -> None:
    """The triggers keep due_count equal to a count from scratch through everything that moves due dates."""
    world = purge_world.build(isolated_dirs)
    assert _kept_counts() and sum(_kept_counts().values()) > 20
    orders.mark_billed(world.tech, "A-2026-0004", date(2026, 11, 2))  # P8 rows get their dates
    RetentionDue.update(due_at=fixed_clock() + timedelta(days=400)).where(RetentionDue.category == "video").execute()
    purge.run_purge(purge_world.officer(), data_dir=isolated_dirs)
    kept = _kept_counts()
    due_counts.rebuild()
    assert _kept_counts() == kept
    summary = retention.queue_summary()
    assert sum(r.count for r in summary) == len(retention.queue_items(limit=1000))


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite runs one write transaction at a time")
def test_a_chat_line_saved_while_another_console_completes_the_order_is_queued(db, fixed_clock, isolated_dirs) -> None:
    """The race note_data closes: data written in a transaction that overlaps the completion."""
    tech = f.staff("tina", "technician admin accounting", signed=date(2014, 1, 1))
    start = datetime(2026, 11, 20, 8, tzinfo=UTC)
    f.order("A-2026-0102", f.customer(), opened_at=start - timedelta(hours=1))
    session = sessions.start_session(
        tech,
        SessionInput(
            order="A-2026-0102",
            technician=tech.username,
            customer_ip="203.0.113.9",
            workstation=None,
            customer_person="Erika Weber",
            screen_private=True,
            started_at=start,
        ),
    )
    sessions.end_session(tech, session.ref, ended_at=start + timedelta(minutes=30))
    outcome: dict[str, object] = {}

    def other_console_completes() -> None:
        try:
            orders.complete_order(tech, "A-2026-0102", completed_at=start + timedelta(hours=1))
        except Exception as exc:
            outcome["error"] = exc
        finally:
            database.close()  # this thread's own connection

    other = threading.Thread(target=other_console_completes)
    with write_tx():
        sessions.add_chat(tech, session.ref, "customer", "still typing", at=start + timedelta(minutes=5))
        other.start()
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        deadline = time.monotonic() + 10
        while database.execute_sql(waiting).fetchone()[0] == 0 and time.monotonic() < deadline:
            database.execute_sql("SELECT pg_stat_clear_snapshot()")  # a transaction sees one snapshot otherwise
            threading.Event().wait(0.01)  # until the completion waits for this transaction
    other.join()
    assert "error" not in outcome, outcome.get("error")
    assert _rows("A-2026-0102") == {"chat", "connection"}
