"""The retention queue (DESIGN.md §5): states, summary, paging, per-order view, day chart."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from models.core.entities import LegalHold
from models.core.errors import ValidationError
from models.retention import queue as retention
from tests.support import purge_world

UTC = timezone.utc


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    w = purge_world.build(isolated_dirs)
    LegalHold.create(
        order=purge_world.order_id("A-2026-0003"), reason="dispute", placed_at=fixed_clock(), placed_by="dora"
    )
    return w


def _states(items) -> dict[tuple[str, str | None], str]:
    return {(i.category, i.ref): i.state for i in items}


def test_queue_states_per_category_and_order(world) -> None:
    items = retention.queue_items(limit=1000)
    states = _states(items)
    for category in ("system_info", "gathered_files", "activity", "chat", "video", "connection"):
        assert states[(category, "A-2026-0001")] == "overdue"
        assert states[(category, "A-2026-0002")] == "scheduled"
        assert states[(category, "A-2026-0003")] == "held"
        assert states[(category, "A-2015-0001")] == "overdue"
    for category in ("system_info", "gathered_files"):
        assert states[(category, "A-2026-0004")] == "overdue"
    for category in ("activity", "chat", "video", "connection"):
        assert states[(category, "A-2026-0004")] == "blocked"
    billing = {i.order_ref: i.state for i in items if i.category == "billing"}
    assert billing == {
        "A-2026-0001": "scheduled",
        "A-2026-0002": "scheduled",
        "A-2026-0003": "held",
        "A-2026-0004": "scheduled",
        "A-2015-0001": "overdue",
    }


def test_p8_due_date_is_three_calendar_months_after_billing_on_berlin_midnight(world) -> None:
    old = {i.category: i for i in retention.order_retention("A-2026-0001")}
    assert old["chat"].due_at == datetime(2026, 10, 14, 22, 0, tzinfo=UTC)  # 15.10.2026 00:00 Berlin (CEST)
    assert old["system_info"].due_at == datetime(2026, 7, 2, 10, 0, tzinfo=UTC)  # completion + 48 h
    assert old["billing"].due_at == datetime(2037, 6, 29, 22, 0, tzinfo=UTC)  # session date + 11 years


def test_a_day_before_the_due_date_nothing_of_the_recent_order_is_due(world, fixed_clock) -> None:
    recent = retention.order_retention("A-2026-0002", as_of=datetime(2026, 11, 25, 9, 59, tzinfo=UTC))
    assert {i.state for i in recent} == {"scheduled"}
    later = retention.order_retention("A-2026-0002", as_of=datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    assert {i.category for i in later if i.state == "due"} == {"system_info", "gathered_files"}


def test_summary_matches_items(world) -> None:
    items = retention.queue_items(limit=1000)
    summary = retention.queue_summary()
    assert sum(r.count for r in summary) == len(items)
    for row in summary:
        assert row.count == sum(1 for i in items if (i.category, i.state) == (row.category, row.state))
    blocked = [r for r in summary if r.state == "blocked"]
    assert {r.category for r in blocked} == {"activity", "chat", "video", "connection"}
    assert all(r.next_due_at is None for r in blocked)


def test_keyset_paging_returns_every_item_once_in_order(world) -> None:
    everything = retention.queue_items(limit=1000)
    pages, after = [], None
    while True:
        page = retention.queue_items(limit=4, after=after)
        if not page:
            break
        pages.extend(page)
        after = page[-1]
    assert pages == everything
    dated = [i.due_at for i in everything if i.due_at is not None]
    assert dated == sorted(dated) and everything[-1].due_at is None


def test_filters_and_refusals(world) -> None:
    chat = retention.queue_items(category="chat", state="overdue")
    assert {i.ref for i in chat} == {"A-2026-0001", "A-2015-0001"}
    with pytest.raises(ValidationError) as err:
        retention.queue_items(category="emails")
    assert err.value.field == "category"
    with pytest.raises(ValidationError):
        retention.queue_items(state="late")


def test_due_per_day_counts_berlin_days(world) -> None:
    chart = retention.due_per_day(days=3)
    assert chart[0] == (date(2026, 11, 24), 0)
    assert chart[1] == (date(2026, 11, 25), 2)  # the recent order's P7 items, 25.11. 10:00 UTC
    assert len(chart) == 3


@pytest.mark.parametrize("wanted", ["scheduled", "overdue", "held", "blocked"])  # the world has these
def test_pages_of_one_state_cover_exactly_that_state(world, wanted: str) -> None:
    """The state filter and the keyset work together: small pages give the same items as one big one."""
    expected = [i for i in retention.queue_items(limit=1000) if i.state == wanted]
    pages, after = [], None
    while True:
        page = retention.queue_items(state=wanted, limit=3, after=after)
        if not page:
            break
        pages.extend(page)
        after = page[-1]
    assert pages == expected and expected
