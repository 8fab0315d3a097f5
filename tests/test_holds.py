"""Legal holds (P8): only the privacy officer places and releases them, each is audited, and
lists page by id."""

from __future__ import annotations

import pytest

from models.core.entities import AuditEvent
from models.core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from models.retention import holds
from tests.support import factories as f


@pytest.fixture
def desk(db, fixed_clock):
    f.order("A-2026-0001")
    f.order("A-2026-0002", f.customer("K-2", "Zweite GmbH"))
    return f.staff("dora", "privacy_officer", name="Dora Datenschutz"), f.staff("tom", "technician admin", name="Tom")


def test_only_the_privacy_officer_places_and_releases(desk) -> None:
    officer, other = desk
    with pytest.raises(PermissionDenied):
        holds.place_hold(other, "A-2026-0001", "dispute")
    hold = holds.place_hold(officer, "A-2026-0001", "Rechnung 4711 bestritten")
    with pytest.raises(PermissionDenied):
        holds.release_hold(other, hold.id)
    assert holds.active_holds()[0].order_ref == "A-2026-0001"
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions == ["hold.place"]


def test_bad_input_is_refused_and_nothing_is_written(desk) -> None:
    officer, _other = desk
    with pytest.raises(ValidationError) as err:
        holds.place_hold(officer, "A-2026-0001", "   ")
    assert err.value.field == "reason"
    with pytest.raises(NotFound):
        holds.place_hold(officer, "A-1999-0001", "dispute")
    with pytest.raises(NotFound):
        holds.release_hold(officer, 999)
    with pytest.raises(NotFound):
        holds.holds_of_order("A-1999-0001")
    assert holds.active_holds() == []


def test_release_once_and_history_stays(desk) -> None:
    officer, _other = desk
    first = holds.place_hold(officer, "A-2026-0001", "erste Rechnung")
    holds.place_hold(officer, "A-2026-0001", "zweite Rechnung")
    released = holds.release_hold(officer, first.id)
    assert released.released_by == "dora" and released.released_at is not None
    with pytest.raises(RuleViolation):
        holds.release_hold(officer, first.id)
    history = holds.holds_of_order("A-2026-0001")
    assert [(h.reason, h.active) for h in history] == [("erste Rechnung", False), ("zweite Rechnung", True)]
    assert [h.reason for h in holds.active_holds()] == ["zweite Rechnung"]


def test_active_holds_page_by_id(desk) -> None:
    officer, _other = desk
    for n in range(5):
        holds.place_hold(officer, "A-2026-0002" if n % 2 else "A-2026-0001", f"Streit {n}")
    first = holds.active_holds(limit=2)
    rest = holds.active_holds(after=first[-1].id, limit=10)
    assert [h.reason for h in first + rest] == [f"Streit {n}" for n in range(5)]
