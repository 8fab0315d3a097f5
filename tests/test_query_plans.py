"""Query plans as tests (issue 7): the queue, lookup and paging queries never scan a large table.

Each case calls the real function in models/ on a small demo database, captures every
SELECT it sends, asks SQLite for `EXPLAIN QUERY PLAN` of it and fails on a plain
`SCAN <large table>`, the full table scan that makes a screen slow at 400,000 orders.
A scan through an index (`SCAN t USING INDEX`) is allowed: with a LIMIT it stops early,
and it is how SQLite walks an index in order. SQLite only: PostgreSQL plans by statistics.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from console.cli.context import os_account
from console.demo import fill as demo
from models.access import queries as access_queries
from models.billing import outbox as billing
from models.browse import detail as browse_detail
from models.browse import sessions as browse_sessions
from models.browse.dashboard import dashboard
from models.browse.paging import ListQuery
from models.core import clock
from models.core.db import close_database, database, is_sqlite, open_database
from models.core.entities import Order, RemoteSession, Staff
from models.core.identity import resolve_operator
from models.core.schema import ensure_schema
from models.purge import run as purge
from models.retention import holds
from models.retention import queue as retention
from models.retention import summary as retention_summary
from models.sessions import orders
from models.sessions import sessions as session_rules
from tests.support.env import BACKEND, NOW

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by statistics"
)

LARGE_TABLES = {
    "orders",
    "remote_session",
    "activity_event",
    "chat_message",
    "billing_record",
    "retention_due",
    "consent",
    "participant",
    "disclosure",
    "audit_event",
    "customer",
    "contact_person",
    "system_info",
    "gathered_file",
    "recording",
    "deletion_record",
}
SCAN = re.compile(r"^SCAN (?:TABLE )?(\w+)(?: AS \w+)?(.*)$")
ALIAS = re.compile(r'"(\w+)" AS "(\w+)"')


@contextmanager
def captured_selects() -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT sent through peewee while the block runs (sql, params)."""
    real = database.obj.execute_sql
    seen: list[tuple[str, Any]] = []

    def spy(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((sql, params))
        return real(sql, params, *args, **kwargs)

    database.obj.execute_sql = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del database.obj.execute_sql  # back to the class attribute


def full_scans(sql: str, params: Any, *, paged: bool = False) -> list[str]:
    """Plan lines that read a large table from end to end without an index."""
    aliases: dict[str, set[str]] = {}
    for table, alias in ALIAS.findall(sql):  # the plan names peewee's aliases (t1, t2 ...), not tables
        aliases.setdefault(alias, set()).add(table)
    rows = database.obj.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params or ()).fetchall()
    bad = []
    touches_large = any(table in LARGE_TABLES for table, _alias in ALIAS.findall(sql))
    details = [row[-1] for row in rows]
    # A page whose rows come from a UNION of large tables, sorted afterwards, reads every row for every page.
    if (
        paged
        and touches_large
        and any("TEMP B-TREE" in d and "ORDER BY" in d for d in details)
        and any(d.startswith(("COMPOUND", "MERGE", "CO-ROUTINE", "MATERIALIZE")) for d in details)
    ):
        bad.append("each page sorts the whole union before its first row (USE TEMP B-TREE FOR ORDER BY)")
    for row in rows:
        match = SCAN.match(row[-1])
        if not match or "INDEX" in match.group(2):
            continue
        tables = aliases.get(match.group(1), {match.group(1)})
        if walks_rowid_with_limit(sql, match.group(1), rows):
            continue
        if tables & LARGE_TABLES:
            bad.append(f"{row[-1]} ({', '.join(sorted(tables))})")
    return bad


def walks_rowid_with_limit(sql: str, alias: str, plan: list[tuple[Any, ...]]) -> bool:
    """`ORDER BY t.id [DESC] LIMIT n` reads the table in rowid order and stops after n rows: not a full scan."""
    ordered = re.search(rf'ORDER BY "{alias}"\."id"(?: DESC)? LIMIT', sql)
    sorts = any("TEMP B-TREE" in row[-1] for row in plan)
    return bool(ordered) and not sorts


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small demo (every table filled), built once for the module: the cases only read it."""
    data = tmp_path_factory.mktemp("query-plans") / "data"
    data.mkdir(mode=0o700)
    url = f"sqlite:///{data / 'support24.db'}"
    open_database(url)
    clock.set_clock(clock.FixedClock(NOW))
    try:
        ensure_schema()
        me = demo.ensure_operator(os_account())
        small = demo.demo_small.DemoWorld(rng=random.Random(11), now=clock.now(), data_dir=data, me=me)
        demo.build_small(small, history_orders=25, recent_orders=6)
    finally:
        clock.reset_clock()
        close_database()
    yield url


@pytest.fixture
def world(demo_database: str, fixed_clock: clock.FixedClock) -> Iterator[Staff]:
    """The module's demo database, open for this test, and its operator."""
    open_database(demo_database)
    assert is_sqlite()
    try:
        yield resolve_operator(os_account())
    finally:
        close_database()


def _order_ref() -> str:
    return Order.select(Order.ref).order_by(Order.id.desc()).scalar()


def _session_ref() -> str:
    return RemoteSession.select(RemoteSession.ref).order_by(RemoteSession.id.desc()).scalar()


CASES: dict[str, Callable[[Staff], object]] = {
    # the retention queue
    "queue summary": lambda me: retention.queue_summary(),
    "queue first page": lambda me: retention.queue_items(limit=50),
    "queue next page": lambda me: retention.queue_items(after=retention.queue_items(limit=5)[-1], limit=50),
    "queue of one category and state": lambda me: retention.queue_items(category="activity", state="scheduled"),
    "queue of one order": lambda me: retention.order_retention(_order_ref()),
    "queue turned round": lambda me: retention.queue_items(limit=50, descending=True),
    "queue turned round, next page": lambda me: retention.queue_items(
        after=retention.queue_items(limit=5, descending=True)[-1], limit=50, descending=True
    ),
    "queue filtered by a ref": lambda me: retention.queue_items(limit=50, prefix=_order_ref()),
    "due per day": lambda me: retention.due_per_day(30),
    "dashboard (its retention counts)": lambda me: retention_summary.state_counts(),
    "dashboard": lambda me: dashboard(),
    # lookups by reference
    "order by ref": lambda me: orders.get_order(_order_ref()),
    "session by ref": lambda me: session_rules.get_session(_session_ref()),
    "operator by account": lambda me: resolve_operator(me.username),
    "order detail": lambda me: browse_detail.order_detail(me, _order_ref()),
    "session detail": lambda me: browse_detail.session_detail(me, _session_ref()),
    "order detail filtered, turned round": lambda me: browse_detail.order_detail(
        me, _order_ref(), ListQuery("a", descending=True)
    ),
    "session detail filtered, turned round": lambda me: browse_detail.session_detail(
        me, _session_ref(), ListQuery("a", descending=True)
    ),
    "chat transcript page": lambda me: session_rules.chat_transcript(me, _session_ref(), limit=50),
    # paging
    "orders first page": lambda me: browse_sessions.orders(limit=50),
    "orders next page": lambda me: browse_sessions.orders(after=browse_sessions.orders(limit=5).after, limit=50),
    "orders of a customer": lambda me: browse_sessions.orders(
        browse_sessions.OrderFilter(customer="K-10001"), limit=50
    ),
    "active sessions": lambda me: browse_sessions.active_sessions(limit=50),
    "billing outbox page": lambda me: billing.outbox(me, limit=50),
    "billing batches page": lambda me: billing.list_batches(me, limit=50),
    "access requests by deadline": lambda me: access_queries.list_requests(limit=50),
    "access requests by received": lambda me: access_queries.list_requests(limit=50, sort="received"),
    "batch records turned round": lambda me: billing.batch_records(me, 1, limit=50, q=ListQuery(descending=True)),
    "active holds": lambda me: holds.active_holds(limit=50),
    "deletion records page": lambda me: purge.deletions(limit=50),
    "last purge run": lambda me: purge.last_run(),
}


PAGED = {
    "queue first page",
    "queue turned round",
    "queue turned round, next page",
    "queue filtered by a ref",
    "access requests by received",
    "batch records turned round",
    "queue next page",
    "queue of one category and state",
    "orders first page",
    "orders next page",
    "orders of a customer",
    "active sessions",
    "billing outbox page",
    "billing batches page",
    "access requests by deadline",
    "active holds",
    "deletion records page",
    "chat transcript page",
}


# Known and reported (docs/benchmarks.md): strict, so the marker must go once the query is fixed.
KNOWN: dict[str, pytest.MarkDecorator] = {}  # known full scans, as strict xfails: none left


@pytest.mark.parametrize("name", [pytest.param(n, marks=KNOWN[n]) if n in KNOWN else n for n in CASES])
def test_no_full_scan_of_a_large_table(world: Staff, name: str) -> None:
    with captured_selects() as seen:
        CASES[name](world)
    assert seen, f"{name}: no query was captured"
    paged = name in PAGED
    problems = {sql: scans for sql, params in seen if (scans := full_scans(sql, params, paged=paged))}
    assert not problems, "\n\n".join(f"{sql}\n  -> {'; '.join(scans)}" for sql, scans in problems.items())


def test_the_check_catches_a_full_scan(world: Staff) -> None:
    """The detector itself: an unindexed filter on a large table is reported."""
    with captured_selects() as seen:
        list(RemoteSession.select().where(RemoteSession.customer_person == "Erika Weber").limit(5))
    assert any(full_scans(sql, params) for sql, params in seen)
