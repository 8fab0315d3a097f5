"""The one clock of the application; tests and the UI replace it instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from models.core.i18n import current_language

BERLIN = ZoneInfo("Europe/Berlin")

ClockSource = Callable[[], datetime]


def _system_now() -> datetime:
    return datetime.now(timezone.utc)


_source: ClockSource = _system_now


def now() -> datetime:
    """The current instant as an aware UTC datetime."""
    value = _source()
    if value.tzinfo is None:
        raise ValueError("clock source returned a naive datetime")
    return value.astimezone(timezone.utc)


def today_berlin() -> date:
    """Today's calendar date in Berlin, the date the office works by."""
    return now().astimezone(BERLIN).date()


def set_clock(source: ClockSource) -> None:
    """Replace the clock, e.g. with a FixedClock in tests."""
    global _source
    _source = source


def reset_clock() -> None:
    set_clock(_system_now)


def to_berlin(value: datetime) -> datetime:
    """An aware datetime shown on the Berlin wall clock."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(BERLIN)


def berlin_date(value: datetime) -> date:
    return to_berlin(value).date()


# UTC day -> (Berlin's offset in seconds all that day, the UTC day's text, the next day's text), or None
# where the offset changes within the day (then the zone is asked for each instant)
_UTC_DAYS: dict[tuple[int, int, int], tuple[int, str, str] | None] = {}
_DAY = timedelta(days=1)


def _utc_day(key: tuple[int, int, int]) -> tuple[int, str, str] | None:
    start = datetime(*key, tzinfo=timezone.utc)
    first, last = to_berlin(start).utcoffset(), to_berlin(start + _DAY - timedelta(seconds=1)).utcoffset()
    found = None
    if first == last and first is not None and timedelta(0) <= first < _DAY:
        found = (int(first.total_seconds()), start.date().isoformat(), (start + _DAY).date().isoformat())
    _UTC_DAYS[key] = found
    return found


def berlin_day_of(value: datetime) -> str:
    """The Berlin day (YYYY-MM-DD) of an aware instant, from its UTC day and time of day: the zone
    is asked once per UTC day (tens of thousands of instants share a few hundred days)."""
    if value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    key = (value.year, value.month, value.day)
    day = _UTC_DAYS[key] if key in _UTC_DAYS else _utc_day(key)
    if day is None:
        return berlin_date(value).isoformat()
    offset, same, following = day
    return same if value.hour * 3600 + value.minute * 60 + value.second + offset < 86400 else following


def format_berlin(value: datetime | None, with_seconds: bool = False) -> str:
    """An instant on the Berlin clock as the language writes it: '24.11.2026 14:05' in German,
    '2026-11-24 14:05' in English; empty for None."""
    if value is None:
        return ""
    day = "%d.%m.%Y" if current_language() == "de" else "%Y-%m-%d"
    return to_berlin(value).strftime(f"{day} %H:%M:%S" if with_seconds else f"{day} %H:%M")


def format_day(value: date | None) -> str:
    """A calendar day as the language writes it: '24.11.2026' in German, '2026-11-24' in English."""
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y" if current_language() == "de" else "%Y-%m-%d")


def format_day_month(value: date) -> str:
    """A day without the year, for chart axes: '24.11.' in German, '11-24' in English."""
    return value.strftime("%d.%m." if current_language() == "de" else "%m-%d")


def berlin_midnight_utc(day: date) -> datetime:
    """The UTC instant at which a Berlin calendar day starts."""
    return datetime(day.year, day.month, day.day, tzinfo=BERLIN).astimezone(timezone.utc)


class FixedClock:
    """A clock that stands still until told to move; callable as a clock source."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.current = start.astimezone(timezone.utc)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.current = self.current + (delta or timedelta(**kwargs))
        return self.current

    def set(self, value: datetime) -> None:
        self.current = value.astimezone(timezone.utc)
