"""Lists sort by their indexed columns, either way, and keyset paging still walks every row once.

Ties in the sort column (orders opened in the same second, customers of the same name) are
broken by id, so a page boundary inside a tie neither repeats nor skips a row; on SQLite and
PostgreSQL alike (the suite runs on both).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from models.browse import people, sessions
from models.browse.paging import ListQuery, Page
from models.core import audit
from models.core.entities import Customer, Order
from tests.support import factories

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def walk(fetch: Callable[[Any, int, ListQuery], Page[Any]], q: ListQuery, limit: int = 3) -> list[Any]:
    rows: list[Any] = []
    after = None
    while True:
        page = fetch(after, limit, q)
        rows.extend(page.rows)
        if page.after is None:
            return rows
        after = page.after


def some_orders() -> None:
    names = ["Zahnarzt Bauer", "Apotheke Adler", "Bäckerei Schmidt", "Apotheke Adler", "Möbel Meier"]
    customers = [factories.customer(f"K-{10000 + i}", name) for i, name in enumerate(names)]
    for i in range(11):
        # three orders share each opening second: the tie is broken by id
        factories.order(f"A-2026-{(37 * i) % 101:04d}", customers[i % 5], opened_at=T0 + timedelta(hours=i // 3))


def test_orders_sort_by_opening_and_by_ref_either_way(db) -> None:
    some_orders()
    everything = list(Order.select().order_by(Order.id))
    by_opened = sorted(everything, key=lambda o: (o.opened_at, o.id))
    by_ref = sorted(everything, key=lambda o: o.ref)

    def fetch(after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return sessions.orders(None, after, limit, q)

    assert [r.ref for r in walk(fetch, ListQuery())] == [o.ref for o in reversed(by_opened)]  # newest first
    assert [r.ref for r in walk(fetch, ListQuery(sort="opened", descending=False))] == [o.ref for o in by_opened]
    assert [r.ref for r in walk(fetch, ListQuery(sort="ref"))] == [o.ref for o in by_ref]
    assert [r.ref for r in walk(fetch, ListQuery(sort="ref", descending=True))] == [o.ref for o in reversed(by_ref)]


def test_customers_sort_by_number_and_by_name_with_ties(db) -> None:
    some_orders()
    everything = list(Customer.select())
    by_name = sorted(everything, key=lambda c: (c.name_key, c.id))

    def fetch(after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return people.customers_page("", after, limit, q)

    assert [r.number for r in walk(fetch, ListQuery(sort="name"), limit=2)] == [c.number for c in by_name]
    assert [r.number for r in walk(fetch, ListQuery(sort="name", descending=True), limit=2)] == [
        c.number for c in reversed(by_name)
    ]
    numbers = sorted(c.number for c in everything)
    assert [r.number for r in walk(fetch, ListQuery(sort="number", descending=True), limit=2)] == numbers[::-1]
    assert [r.number for r in walk(fetch, ListQuery(text="apo"), limit=1)] == ["K-10001", "K-10003"]


def test_staff_both_ways_and_filtered(db) -> None:
    for name in ("zora", "anna", "mia", "bert", "carl"):
        factories.staff(name, name=name.title())
    forward = [r.username for r in walk(people.staff_page, ListQuery(), limit=2)]
    assert forward == sorted(forward) and len(forward) == 5
    assert [r.username for r in walk(people.staff_page, ListQuery(descending=True), limit=2)] == forward[::-1]
    assert [r.username for r in walk(people.staff_page, ListQuery(text="Mi"), limit=2)] == ["mia"]


def test_audit_oldest_first_pages_through_every_event(db) -> None:
    for i in range(7):
        audit.record("dpo", "test.event", f"A-2026-{i:04d}")

    def fetch(after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return people.audit_page("", "", after, limit, q)

    newest = [r.id for r in walk(fetch, ListQuery())]
    oldest = [r.id for r in walk(fetch, ListQuery(descending=False))]
    assert oldest == sorted(newest) and newest == sorted(newest, reverse=True)
    assert [r.ref for r in walk(fetch, ListQuery(text="a-2026-0003"))] == ["A-2026-0003"]


def test_active_sessions_sort_by_ref_and_filter_by_customer(db) -> None:
    from models.sessions import sessions as rules
    from models.sessions.sessions import SessionInput

    tech = factories.staff("mmueller", "technician")
    first = factories.customer("K-1", "Bäckerei Schmidt")
    second = factories.customer("K-2", "Möbel Meier")
    started = []
    for i in range(5):
        order = factories.order(f"A-2026-{i + 1:04d}", first if i % 2 else second, opened_at=T0)
        session = rules.start_session(
            tech,
            SessionInput(
                order=order.ref,
                technician="mmueller",
                customer_ip=f"203.0.113.{i + 1}",
                workstation=f"PC-{i}",
                customer_person="Erika Weber",
                screen_private=True,
                started_at=T0 + timedelta(minutes=5 - i),
            ),
        )
        started.append(session.ref)
    by_start = [r.ref for r in walk(sessions.active_sessions, ListQuery(), limit=2)]
    assert by_start == started[::-1]  # the last started earliest
    assert [r.ref for r in walk(sessions.active_sessions, ListQuery(sort="ref"), limit=2)] == sorted(started)
    shown = walk(sessions.active_sessions, ListQuery(text="baeck"), limit=1)
    assert {r.customer for r in shown} == {"Bäckerei Schmidt"} and len(shown) == 2


def test_unrecorded_connections_sort_by_start_and_filter_by_tool(db) -> None:
    from models.browse.ingest import pending_page
    from models.sessions.registers import LoggedConnection

    for i in range(7):
        LoggedConnection.create(
            tool="anydesk" if i % 2 else "teamviewer",
            started_at=T0 + timedelta(minutes=(5 * i) % 7),  # not in id order
            seen_at=T0,
            state="pending",
        )
    rows = list(LoggedConnection.select())
    by_start = [c.id for c in sorted(rows, key=lambda c: (c.started_at, c.id))]
    assert [r.id for r in walk(pending_page, ListQuery(), limit=2)] == sorted(c.id for c in rows)
    assert [r.id for r in walk(pending_page, ListQuery(sort="started"), limit=2)] == by_start
    assert [r.id for r in walk(pending_page, ListQuery(sort="started", descending=True), limit=2)] == by_start[::-1]
    assert {r.tool for r in walk(pending_page, ListQuery(text="AnyDesk"), limit=2)} == {"anydesk"}


def test_consent_log_oldest_first_is_the_newest_first_turned_round(db, fixed_clock) -> None:
    from models.browse.consents import ConsentFilter, consent_log
    from models.sessions import sessions as rules
    from models.sessions.sessions import ConsentInput
    from tests.support.screens import world

    w = world()
    for i in range(5):
        rules.record_consent(
            w["tech"],
            w["running"].ref,
            ConsentInput("recording", "Erika Weber", "verbal", bool(i % 2), at=T0 + timedelta(days=20, minutes=i)),
        )

    def fetch(after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return consent_log(ConsentFilter(), after, limit, q)

    newest = [r.key for r in walk(fetch, ListQuery(), limit=2)]
    oldest = [r.key for r in walk(fetch, ListQuery(descending=False), limit=2)]
    assert len(newest) >= 6 and oldest == newest[::-1]
