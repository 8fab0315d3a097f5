"""The retention screen's holds and purge runs sort and filter on the database; keyset paging walks
every row once, ties broken by id (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from models.browse.paging import ListQuery, Page
from models.browse.retention import holds_page, runs_page
from models.core.entities import LegalHold, PurgeRun
from tests.support import factories
from tests.test_browse_sorts import walk

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def test_holds_by_number_and_by_order_ref_either_way_and_filtered(db) -> None:
    customer = factories.customer("K-1", "Bäckerei Schmidt")
    holds = []
    for i in range(9):
        order = factories.order(f"A-2026-{(37 * i) % 101:04d}", customer, opened_at=T0)
        for _ in range(1 + i % 2):  # two holds on every other order: a tie in the order ref
            holds.append(LegalHold.create(order=order, reason="dispute", placed_at=T0, placed_by=f"dpo{i % 3}"))
    LegalHold.create(order=holds[0].order, reason="old", placed_at=T0, placed_by="dpo0", released_at=T0)
    by_id = [h.id for h in holds]
    by_ref = [h.id for h in sorted(holds, key=lambda h: (h.order.ref, h.id))]

    def ids(q: ListQuery) -> list[int]:
        return [h.id for h in walk(holds_page, q, limit=2)]

    assert ids(ListQuery()) == by_id  # oldest first, as before
    assert ids(ListQuery(descending=True)) == by_id[::-1]
    assert ids(ListQuery(sort="order")) == by_ref
    assert ids(ListQuery(sort="order", descending=True)) == by_ref[::-1]
    ref = holds[3].order.ref
    assert ids(ListQuery(text=ref.lower())) == [h.id for h in holds if h.order.ref == ref]
    assert ids(ListQuery(text="DPO1", sort="order")) == [
        h for h in by_ref if LegalHold.get_by_id(h).placed_by == "dpo1"
    ]


def test_purge_runs_newest_or_oldest_first_with_ties_and_filtered(db) -> None:
    runs = [
        PurgeRun.create(
            started_at=T0 + timedelta(hours=(5 * i) % 4),  # ties, not in id order
            operator="dpo" if i % 2 else "cron",
            policy_version="2026-01",
            state="failed" if i % 3 == 0 else "done",
        )
        for i in range(9)
    ]
    by_start = [r.id for r in sorted(runs, key=lambda r: (r.started_at, r.id))]

    def ids(q: ListQuery) -> list[int]:
        return [r.id for r in walk(fetch, q, limit=2)]

    def fetch(after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return runs_page(after, limit, q)

    assert ids(ListQuery()) == by_start[::-1]  # newest first
    assert ids(ListQuery(descending=False)) == by_start
    assert ids(ListQuery(text="failed")) == [i for i in by_start[::-1] if PurgeRun.get_by_id(i).state == "failed"]
    assert ids(ListQuery(text="Cr")) == [i for i in by_start[::-1] if PurgeRun.get_by_id(i).operator == "cron"]


def test_deletion_records_either_way_of_one_run_and_filtered(db) -> None:
    from models.browse.retention import deletions_page
    from models.core.entities import DeletionRecord

    run = PurgeRun.create(started_at=T0, operator="cron", policy_version="2026-01", state="done")
    other = PurgeRun.create(started_at=T0, operator="cron", policy_version="2026-01", state="done")
    records = [
        DeletionRecord.create(
            run=run if i % 4 else other,
            category="billing" if i % 2 else "activity",
            item_id=i,
            ref=f"B-2026-{i:04d}" if i % 2 else f"A-2026-{i:04d}",
            due_at=T0,
            deleted_at=T0,
            policy_version="2026-01",
            method="delete",
        )
        for i in range(9)
    ]
    mine = [r.id for r in records if r.run_id == run.id]

    def ids(q: ListQuery) -> list[int]:
        return [r.id for r in walk(lambda after, limit, q: deletions_page(run.id, after, limit, q), q, limit=2)]

    assert ids(ListQuery()) == mine[::-1]  # newest first
    assert ids(ListQuery(descending=False)) == mine
    assert ids(ListQuery(text="billing")) == [r.id for r in records[::-1] if r.run_id == run.id and r.ref[0] == "B"]
    assert ids(ListQuery(text="a-2026-0002")) == [records[2].id]


@pytest.mark.parametrize("few", [200, 0])  # a rare prefix is read by key; a common one on the due index
def test_the_queue_walks_every_item_once_either_way_and_filtered(
    db, fixed_clock, isolated_dirs, monkeypatch, few
) -> None:
    from models.retention import queue

    monkeypatch.setattr(queue, "PREFIX_FEW", few)
    from models.browse.retention import queue_page
    from models.retention.queue import STATES
    from tests.support.screens import build_world

    world = build_world(isolated_dirs)

    def walked(state: str | None, q: ListQuery, limit: int) -> list[Any]:
        return walk(lambda after, n, query: queue_page(None, state, after, n, q=query), q, limit=limit)

    for state in (None, *STATES):
        whole = walked(state, ListQuery(), 500)
        keys = [item.key for item in whole]
        assert len(set(keys)) == len(keys)
        for limit in (1, 2, 3):
            assert [i.key for i in walked(state, ListQuery(), limit)] == keys
            assert [i.key for i in walked(state, ListQuery(descending=True), limit)] == keys[::-1]
    held = world.order_refs["held"]
    mine = [item.key for item in walked(None, ListQuery(), 500) if held in (item.ref, item.order_ref)]
    assert mine
    assert [i.key for i in walked(None, ListQuery(text=held.lower()), 2)] == mine
    assert [i.key for i in walked(None, ListQuery(text=held, descending=True), 1)] == mine[::-1]


def test_access_requests_walk_once_by_each_sort_either_way(db, fixed_clock) -> None:
    from datetime import date

    from models.access import requests as access
    from models.browse.access import requests_page

    officer = factories.staff("dpo", "privacy_officer", name="Petra Privacy")
    days = [date(2026, 11, 2), date(2026, 10, 20), date(2026, 11, 2), date(2026, 11, 20), date(2026, 10, 20)]
    made = [access.open_request(officer, name=f"P {n}", received_on=d, channel="letter") for n, d in enumerate(days)]
    access.extend(officer, made[3].ref, "a complex request", date(2026, 11, 21))  # the deadline in force moves

    def refs(q: ListQuery) -> list[str]:
        return [row.ref for row in walk(lambda after, n, query: requests_page(None, after, n, query), q, limit=1)]

    rows = [requests_page(None, None, 50, ListQuery()).rows][0]
    by_due = [r.ref for r in sorted(rows, key=lambda r: (r.due_on, r.ref))]
    by_received = [r.ref for r in sorted(rows, key=lambda r: (r.received_on, r.ref), reverse=True)]
    assert refs(ListQuery()) == by_due
    assert refs(ListQuery(descending=True)) == by_due[::-1]
    assert refs(ListQuery(sort="received")) == by_received
    assert refs(ListQuery(sort="received", descending=False)) == by_received[::-1]
    assert refs(ListQuery(sort="ref")) == sorted(by_due)
    assert refs(ListQuery(sort="ref", descending=True)) == sorted(by_due, reverse=True)
