"""Due dates move by calendar years and months exactly as dateutil's relativedelta moved them."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from models.core.clock import add_calendar, berlin_date
from models.retention.policy import Rule


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(-12, 12),
    st.integers(-30, 30),
    st.integers(-40, 40),
)
def test_years_months_and_days_land_where_relativedelta_lands(day, years, months, days) -> None:
    assert add_calendar(day, years=years, months=months, days=days) == day + relativedelta(
        years=years, months=months, days=days
    )


def test_a_month_end_clamps_and_a_leap_day_moves_to_the_last_of_february() -> None:
    assert add_calendar(date(2026, 1, 31), months=1) == date(2026, 2, 28)
    assert add_calendar(date(2028, 2, 29), years=11) == date(2039, 2, 28)
    assert add_calendar(date(2026, 11, 30), months=3) == date(2027, 2, 28)


def test_the_billing_rule_still_falls_eleven_years_after_the_end_of_the_year() -> None:
    rule = Rule("billing", "session_date", "P10", years=11, anchor_rounding="end_of_year")
    assert berlin_date(rule.due_from(date(2026, 6, 15))) == date(2038, 1, 1)
