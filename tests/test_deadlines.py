"""The Art. 12(3) deadline counted under Regulation 1182/71 with Hesse's public holidays."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.access.deadlines import (
    answer_due,
    extended_due,
    holiday_name,
    is_working_day,
    months_later,
    next_working_day,
)

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
MONTH_ENDS = st.builds(
    lambda y, m, back: date(y, m, calendar.monthrange(y, m)[1]) - timedelta(days=back),
    st.integers(2020, 2035),
    st.integers(1, 12),
    st.integers(0, 3),
)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 3, 2)),  # Sat; Feb has no 31st → Sat 28 Feb → Mon 2 Mar
        (date(2026, 3, 5), date(2026, 4, 7)),  # 5 Apr is Easter Sunday, 6 Apr Easter Monday
        (date(2026, 11, 25), date(2026, 12, 28)),  # 25 Dec and 26 Dec holidays, 27 Dec a Sunday
        (date(2026, 5, 4), date(2026, 6, 5)),  # 4 Jun 2026 is Corpus Christi, a holiday in Hesse → Fri 5 Jun
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year: the last day of February, a Tuesday
        (date(2026, 9, 3), date(2026, 10, 5)),  # 3 Oct is German Unity Day (a Saturday) → Mon 5 Oct
    ],
)
def test_examples(received: date, due: date) -> None:
    assert answer_due(received) == due


def test_hesse_holidays_are_not_working_days_but_other_states_holidays_are() -> None:
    assert holiday_name(date(2026, 6, 4))  # Fronleichnam: Hesse yes
    assert is_working_day(date(2026, 11, 18))  # Buß- und Bettag: Saxony only
    assert is_working_day(date(2026, 11, 2)) and not is_working_day(date(2026, 11, 1))  # 1 Nov: a Sunday anyway
    assert not is_working_day(date(2026, 12, 25)) and not is_working_day(date(2026, 4, 6))


def test_an_extension_adds_two_months_to_the_original_due_date() -> None:
    assert extended_due(date(2026, 3, 2)) == date(2026, 5, 4)  # 2 May 2026 is a Saturday
    assert extended_due(date(2026, 4, 7)) == date(2026, 6, 8)  # 7 Jun is a Sunday


@settings(max_examples=300, deadline=None)
@given(DAYS)
def test_due_is_a_working_day_within_a_month_and_a_week(received: date) -> None:
    due = answer_due(received)
    assert is_working_day(due)
    assert received + timedelta(days=28) <= due <= received + timedelta(days=31 + 7)
    # every day between the calendar end and the due date is a day off
    end = months_later(received, 1)
    assert end <= due and all(not is_working_day(end + timedelta(days=i)) for i in range((due - end).days))


@settings(max_examples=300, deadline=None)
@given(MONTH_ENDS)
def test_around_month_ends_the_period_ends_on_the_same_date_or_the_last_day(received: date) -> None:
    end = months_later(received, 1)
    next_month = (received.month % 12) + 1
    assert end.month == next_month
    last = calendar.monthrange(end.year, end.month)[1]
    assert end.day == min(received.day, last)
    assert answer_due(received) == next_working_day(end)


@settings(max_examples=200, deadline=None)
@given(DAYS, DAYS)
def test_a_later_receipt_never_has_an_earlier_deadline(a: date, b: date) -> None:
    first, second = sorted((a, b))
    assert answer_due(first) <= answer_due(second)


@settings(max_examples=200, deadline=None)
@given(DAYS)
def test_an_extended_deadline_is_a_working_day_two_months_on(received: date) -> None:
    original = answer_due(received)
    extended = extended_due(original)
    assert is_working_day(extended)
    assert months_later(original, 2) <= extended <= months_later(original, 2) + timedelta(days=7)


def test_the_holiday_calendar_loads_only_when_a_deadline_is_counted() -> None:
    """Every console imports the access screens; the calendar (3.5 MiB) waits until it is needed."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "import importlib, json, sys\n"
        "from screens.shell.modes import MODE_SPECS\n"
        "for spec in MODE_SPECS: importlib.import_module('screens.' + spec.screen.split(':')[0])\n"
        "import models.access.requests, models.access.deadlines as d\n"
        "before = 'holidays' in sys.modules\n"
        "due = d.answer_due(__import__('datetime').date(2026, 3, 3))\n"
        "print(json.dumps([before, 'holidays' in sys.modules, due.isoformat()]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [False, True, "2026-04-07"]  # 3 April is Good Friday, 6 April Easter Monday
