"""Due-date properties (DESIGN.md §4): hours are exact across daylight-saving changes; months and
years land on Berlin midnight of the calendar date, month ends clamp, 29 February rolls to the
28th; end-of-year rounding; never a day early; the session row's due date is the last one."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from models.core.clock import berlin_date, to_berlin
from models.retention.due import SESSION_CATEGORIES, order_dues
from models.retention.policy import Policy, Rule

UTC = timezone.utc
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC))
P8 = Rule("chat", "order_billed", "P8", months=3)
P10 = Rule("billing", "session_date", "P10", years=11)
P7 = Rule("system_info", "order_completed", "P7", hours=48)


@given(instants)
def test_hour_periods_are_exact_even_across_daylight_saving_changes(anchor: datetime) -> None:
    assert P7.due_from(anchor) - anchor == timedelta(hours=48)


@given(days, st.integers(min_value=1, max_value=24))
def test_month_periods_end_at_berlin_midnight_of_the_clamped_calendar_date(anchor: date, months: int) -> None:
    due = Rule("chat", "order_billed", "P8", months=months).due_from(anchor)
    local = to_berlin(due)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    target = date(anchor.year, anchor.month, 1) + relativedelta(months=months)
    last = calendar.monthrange(target.year, target.month)[1]
    assert local.date() == date(target.year, target.month, min(anchor.day, last))
    assert due.utcoffset() == timedelta(0) and due.minute == 0 and due.hour in (22, 23)


@given(days, days)
def test_never_earlier_for_a_later_anchor(a: date, b: date) -> None:
    first, second = sorted((a, b))
    assert P8.due_from(first) <= P8.due_from(second) and P10.due_from(first) <= P10.due_from(second)


@given(days)
def test_end_of_year_rounding_counts_from_the_first_of_january(anchor: date) -> None:
    rule = Rule("billing", "session_date", "P10", years=11, anchor_rounding="end_of_year")
    assert berlin_date(rule.due_from(anchor)) == date(anchor.year + 12, 1, 1)


def test_examples_from_the_calendar() -> None:
    assert berlin_date(P8.due_from(date(2026, 11, 30))) == date(2027, 2, 28)
    assert berlin_date(P8.due_from(date(2027, 11, 30))) == date(2028, 2, 29)
    assert berlin_date(P8.due_from(date(2026, 5, 31))) == date(2026, 8, 31)
    assert berlin_date(P10.due_from(date(2028, 2, 29))) == date(2039, 2, 28)
    # 29 March 2026 is the spring change: midnight Berlin is 23:00 UTC in winter, 22:00 in summer
    assert P8.due_from(date(2025, 12, 29)) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert P8.due_from(date(2025, 12, 30)) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # 30.03. is summer time
    assert P8.due_from(date(2026, 7, 25)) == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert P8.due_from(date(2026, 7, 26)) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # autumn change


@settings(max_examples=200)
@given(instants, st.one_of(st.none(), st.integers(min_value=0, max_value=400)), st.booleans())
def test_the_session_row_falls_due_last_and_waits_for_the_billing_date(
    completed: datetime, billed_after: int | None, strict: bool
) -> None:
    rules = dict(Policy().rules)
    if strict:
        rules["chat"] = Rule("chat", "order_completed", "P7", hours=48)
        rules["video"] = Rule("video", "order_completed", "P7", hours=48)
    policy = Policy(version="t", rules=rules)
    billed = None if billed_after is None else berlin_date(completed) + timedelta(days=billed_after)
    dues = order_dues(completed, billed, policy)
    assert set(dues) == set(SESSION_CATEGORIES)
    assert dues["system_info"] == completed + timedelta(hours=48)
    if billed is None:
        assert dues["connection"] is None and dues["activity"] is None
        assert (dues["chat"] is None) is (not strict)
    else:
        assert dues["connection"] == max(d for d in dues.values() if d is not None)
        assert berlin_date(dues["activity"]) == billed + relativedelta(months=3)


@settings(max_examples=200)
@given(instants, st.one_of(st.none(), st.integers(min_value=0, max_value=400)), st.booleans(), st.booleans())
def test_the_access_report_shows_the_dates_the_purge_uses(
    completed: datetime, billed_after: int | None, strict: bool, chat_on_billing_only: bool
) -> None:
    """The report computes per billing day and per order, not per call: the same dates as the purge."""
    from models.access.data import OrderDues, _due
    from models.retention import policy as policy_model

    rules = dict(Policy().rules)
    if strict:
        rules["video"] = Rule("video", "order_completed", "P7", hours=72)
    if chat_on_billing_only:
        rules["chat"] = Rule("chat", "order_billed", "P8", months=1, days=3)
    active = Policy(version="t", rules=rules)
    billed = None if billed_after is None else berlin_date(completed) + timedelta(days=billed_after)
    policy_model.activate(active)
    report = OrderDues()
    first = report.of(completed, billed, False)
    again = report.of(completed + timedelta(minutes=7), billed, False)  # the billing day's dates come from the memo
    purge = order_dues(completed, billed, active)
    assert first == {c: _due(purge[c], "after_billing") for c in SESSION_CATEGORIES}
    later = order_dues(completed + timedelta(minutes=7), billed, active)
    assert again == {c: _due(later[c], "after_billing") for c in SESSION_CATEGORIES}
    assert report.of(completed, billed, True)["connection"] == {"due_on": None, "status": "held"}
