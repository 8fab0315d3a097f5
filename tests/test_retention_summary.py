"""The counts-only summary the dashboard reads (models/retention/summary.py) against the queue's own figures.

The world has every state in several categories: due and overdue (with rows exactly on the
24-hour edge), scheduled dated and undated, blocked (unbilled past the warning date and purge
problems), held, and a closed access request.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from models.access import requests as access
from models.browse.dashboard import dashboard
from models.core.entities import BillingRecord, Customer, LegalHold, PurgeProblem, RetentionDue
from models.retention import queue as retention
from models.retention import summary
from tests.support import purge_world


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    w = purge_world.build(isolated_dirs)
    now = fixed_clock()
    cust = Customer.get(Customer.number == "K-10042")
    # completed two days ago, not billed: its P8 rows are undated and not yet blocked
    purge_world.add_order(w, cust, "fresh", "A-2026-0005", now - timedelta(days=2), None)
    LegalHold.create(order=purge_world.order_id("A-2026-0003"), reason="dispute", placed_at=now, placed_by="dora")
    recent = purge_world.order_id("A-2026-0002")
    edges = {
        "system_info": now,  # due exactly now
        "gathered_files": now - retention.OVERDUE_AFTER,  # overdue exactly now
        "activity": now - retention.OVERDUE_AFTER + timedelta(microseconds=1),  # still due
        "chat": now - timedelta(hours=3),
    }
    for category, due in edges.items():
        RetentionDue.update(due_at=due).where(
            (RetentionDue.order == recent) & (RetentionDue.category == category)
        ).execute()
    BillingRecord.update(due_at=now - timedelta(hours=2)).where(BillingRecord.order == recent).execute()
    old, held = purge_world.order_id("A-2026-0001"), purge_world.order_id("A-2026-0003")
    ancient_bill = BillingRecord.get(BillingRecord.order == purge_world.order_id("A-2015-0001"))
    for category, item_id in (
        ("chat", old),  # overdue: shown blocked
        ("video", held),  # held: stays held
        ("billing", ancient_bill.id),  # overdue billing record: blocked
        ("billing", BillingRecord.get(BillingRecord.order == old).id),  # scheduled: stays scheduled
        ("activity", recent),  # due: blocked
    ):
        PurgeProblem.create(category=category, item_id=item_id, reason="file may not be shredded", noted_at=now)
    request = access.open_request(w.officer, name="Erika Weber", received_on="2026-11-02", channel="letter")
    access.reject(w.officer, request.ref, "Identität nicht nachweisbar")
    return w


def _from_items() -> Counter[tuple[str, str]]:
    return Counter((i.category, i.state) for i in retention.queue_items(limit=1000))


def test_the_summary_counts_what_the_queue_lists(world) -> None:
    listed = _from_items()
    counted = summary.state_counts()
    assert {key: n for key, n in counted.items() if n} == dict(listed)
    states = {state for _category, state in listed}
    assert states == {"scheduled", "due", "overdue", "held", "blocked"}  # the world has every state
    assert {category for category, _state in listed} == set(retention.CATEGORIES)


def test_the_summary_agrees_with_the_queue_summary(world) -> None:
    rows = {(row.category, row.state): row.count for row in retention.queue_summary()}
    assert {key: n for key, n in summary.state_counts().items() if n} == rows


def test_the_dashboard_shows_the_totals_of_the_queue(world) -> None:
    totals: Counter[str] = Counter()
    for (_category, state), n in _from_items().items():
        totals[state] += n
    assert dashboard().retention == dict(totals)


def test_an_empty_queue_counts_nothing(db, fixed_clock) -> None:
    assert not any(summary.state_counts().values())
    assert dashboard().retention == {}


def test_the_active_sessions_name_their_customers(world, fixed_clock) -> None:
    """The first active sessions come with customer and technician (read in one query)."""
    from models.sessions import sessions
    from models.sessions.sessions import SessionInput
    from tests.support import factories as f

    names = ["Bäckerei Schmidt", "Autohaus Weber", "Praxis Dr. Kaya"]
    for n, name in enumerate(names):
        ref = f"A-2026-01{n:02d}"
        f.order(ref, f.customer(f"K-2{n:04d}", name), opened_at=fixed_clock() - timedelta(hours=2))
        sessions.start_session(
            world.tech,
            SessionInput(
                order=ref,
                technician=world.tech.username,
                customer_ip="203.0.113.9",
                workstation=None,
                customer_person="Erika Weber",
                screen_private=True,
                started_at=fixed_clock() - timedelta(minutes=30 - n),
            ),
        )
    data = dashboard()
    assert data.active_count == 3
    assert [(line.customer, line.technician) for line in data.active_first] == [(name, "tina") for name in names]
