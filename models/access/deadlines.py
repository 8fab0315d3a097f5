"""The Art. 12(3) GDPR deadline of an access request, counted as Regulation 1182/71 counts.

A period of months ends on the day of the last month with the same date as the day of
receipt (or that month's last day, when it has no such date); an end on a Saturday, Sunday
or public holiday moves to the next working day. Holidays are those of Hesse, where the
office is (DESIGN.md §6, P13).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

if TYPE_CHECKING:
    import holidays

COUNTRY = "DE"
SUBDIVISION = "HE"  # Hesse: the Hanau office
ANSWER_MONTHS = 1  # Art. 12(3) sentence 1
EXTENSION_MONTHS = 2  # Art. 12(3) sentence 2


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    import holidays  # 3.5 MiB: loaded when a deadline is counted, not by every console at start

    return holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday in Hesse."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def holiday_name(day: date) -> str | None:
    """The name of the Hesse public holiday on `day`, if any (for messages)."""
    return _holidays(day.year).get(day)


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, else the first working day after it (1182/71 Art. 3(4))."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def months_later(day: date, months: int) -> date:
    """The same date `months` later, or that month's last day (1182/71 Art. 3(2)(c))."""
    return day + relativedelta(months=months)


def answer_due(received_on: date) -> date:
    """The last day to answer a request received on `received_on` (one month, working day)."""
    return next_working_day(months_later(received_on, ANSWER_MONTHS))


def extended_due(original_due: date) -> date:
    """The deadline after an extension: two further months from the original due date."""
    return next_working_day(months_later(original_due, EXTENSION_MONTHS))
