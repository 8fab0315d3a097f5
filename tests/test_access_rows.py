"""The fast row reader of the access report and its matching: the same values as peewee's own
tuples (instants aware UTC, days as dates, booleans as bools), whether its SQL is cached or not."""

from __future__ import annotations

import pytest

from models.access.rows import ByIds, converted, named
from models.core.entities import ActivityEvent, Consent, Order, RemoteSession
from tests.support.access_seed import seed


@pytest.fixture
def world(db: str, fixed_clock):
    return seed()


def _session_ids() -> list[int]:
    return [s.id for s in RemoteSession.select(RemoteSession.id).order_by(RemoteSession.id)]


def test_rows_are_the_values_peewee_gives(world) -> None:
    query = (
        RemoteSession.select(
            RemoteSession.id,
            RemoteSession.started_at,
            RemoteSession.screen_private,
            Order.billed_on,
            Order.completed_at,
        )
        .join(Order)
        .order_by(RemoteSession.id)
    )
    assert list(converted(query)) == list(query.tuples())
    assert [r.started_at for r in named(query)] == [r[1] for r in query.tuples()]
    assert all(r[1].tzinfo is not None and isinstance(r[2], bool) for r in converted(query))


def test_cached_sql_and_the_fallback_read_the_same_rows(world) -> None:
    ids = _session_ids()
    plain = ByIds(
        lambda chunk: (
            ActivityEvent.select(ActivityEvent.session, ActivityEvent.at, ActivityEvent.action)
            .where(ActivityEvent.session.in_(chunk))
            .order_by(ActivityEvent.id)
        )
    )
    expected = list(
        ActivityEvent.select(ActivityEvent.session, ActivityEvent.at, ActivityEvent.action)
        .where(ActivityEvent.session.in_(ids))
        .order_by(ActivityEvent.id)
        .tuples()
    )
    assert list(plain.rows(ids)) == expected and list(plain.rows(ids)) == expected  # built, then cached
    # A query with a parameter besides the ids is built each time instead of cached.
    extra = ByIds(
        lambda chunk: (
            Consent.select(Consent.session, Consent.kind, Consent.granted)
            .where(Consent.session.in_(chunk) & (Consent.kind != "nothing"))
            .order_by(Consent.id)
        ),
        named=True,
    )
    rows = list(extra.rows(ids))
    assert rows and not extra._sql
    assert [(r.session, r.kind, r.granted) for r in rows] == list(
        Consent.select(Consent.session, Consent.kind, Consent.granted)
        .where(Consent.session.in_(ids))
        .order_by(Consent.id)
        .tuples()
    )
    assert list(plain.rows([])) == []


def test_the_berlin_day_of_an_instant_is_the_zones_around_every_change_of_the_clocks() -> None:
    """The report's deletion days and labels: the Berlin day from the UTC day's offset, as the zone says,
    also in the hours around the changes to and from summer time and for instants given in another zone."""
    from datetime import datetime, timedelta, timezone

    from models.access.rows import berlin_day
    from models.core.clock import BERLIN, berlin_date, berlin_day_of

    instants = []
    for year in (1979, 1996, 2025, 2026, 2037):
        for month in (3, 10):
            start = datetime(year, month, 24, tzinfo=timezone.utc)
            for m in range(0, 8 * 1440, 10):
                instants += [start + timedelta(minutes=m), start + timedelta(minutes=m + 9, seconds=59.999999)]
    instants += [datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=h) for h in range(0, 9000, 7)]
    for instant in instants:
        expected = berlin_date(instant).isoformat()
        assert berlin_day_of(instant) == expected, instant
        assert berlin_day_of(instant.astimezone(BERLIN)) == expected, instant
        assert berlin_day(instant.replace(tzinfo=None).isoformat(" ", "microseconds")) == expected, instant
        assert berlin_day(instant) == expected, instant
