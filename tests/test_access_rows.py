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
