"""Legal holds (P8): a billing dispute stops every retention clock of the order until released."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.browse.paging import ListQuery, SortKey, chosen_sort, keyset
from models.core import audit, clock, validation
from models.core.db import write_tx
from models.core.entities import LegalHold, Order, Staff
from models.core.errors import NotFound, RuleViolation
from models.core.i18n import N_, _
from models.core.identity import require_role

HOLD_ROLES = ("privacy_officer",)
ITEM_LOCK = "purge_item"  # the transaction lock purge batches take too (purge.py)


@dataclass(frozen=True)
class HoldView:
    """A hold as lists show it: the order's ref instead of its id."""

    id: int
    order_ref: str
    reason: str
    placed_at: datetime
    placed_by: str
    released_at: datetime | None
    released_by: str | None

    @property
    def active(self) -> bool:
        return self.released_at is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "order": self.order_ref,
            "reason": self.reason,
            "placed_at": self.placed_at.isoformat(),
            "placed_by": self.placed_by,
            "released_at": self.released_at.isoformat() if self.released_at else None,
            "released_by": self.released_by,
            "active": self.active,
        }


def _view(hold: LegalHold, order_ref: str) -> HoldView:
    return HoldView(hold.id, order_ref, hold.reason, hold.placed_at, hold.placed_by, hold.released_at, hold.released_by)


def place_hold(actor: Staff, order_ref: str, reason: str) -> LegalHold:
    """Put the order under a legal hold: nothing of it is purged while the hold is active."""
    require_role(actor, *HOLD_ROLES)
    clean_reason = validation.text("reason", reason, max_length=2000)
    with write_tx(serialize=ITEM_LOCK):  # a purge batch and a new hold never interleave on PG
        order = Order.get_or_none(Order.ref == order_ref)
        if order is None:
            raise NotFound(_("no order {ref}").format(ref=order_ref))
        hold = LegalHold.create(order=order, reason=clean_reason, placed_at=clock.now(), placed_by=actor.username)
        audit.record(actor.username, "hold.place", order.ref, f"hold {hold.id}")
    return hold


def release_hold(actor: Staff, hold_id: int) -> LegalHold:
    """End a hold; what is past due goes in the next purge run."""
    require_role(actor, *HOLD_ROLES)
    with write_tx():
        hold = LegalHold.get_or_none(LegalHold.id == hold_id)
        if hold is None:
            raise NotFound(_("no legal hold {id}").format(id=hold_id))
        if hold.released_at is not None:
            raise RuleViolation(_("legal hold {id} was released already").format(id=hold_id))
        hold.released_at = clock.now()
        hold.released_by = actor.username
        hold.save()
        audit.record(actor.username, "hold.release", hold.order.ref, f"hold {hold.id}")
    return hold


def _listing(condition: Any, after: int | None, limit: int) -> list[HoldView]:
    query = LegalHold.select(LegalHold, Order.ref).join(Order).where(condition)
    if after is not None:
        query = query.where(LegalHold.id > after)
    return [_view(row, row.order.ref) for row in query.order_by(LegalHold.id).limit(limit)]


def holds_of_order(order_ref: str, *, after: int | None = None, limit: int = 50) -> list[HoldView]:
    """Every hold of one order, active and released, oldest first."""
    if Order.get_or_none(Order.ref == order_ref) is None:
        raise NotFound(_("no order {ref}").format(ref=order_ref))
    return _listing(Order.ref == order_ref, after, limit)


def active_holds(after: int | None = None, limit: int = 50) -> list[HoldView]:
    """Active holds, keyset-paged by hold id."""
    return _listing(LegalHold.released_at.is_null(), after, limit)


HOLD_SORTS = (SortKey("id", N_("hold number")), SortKey("order", N_("order ref")))
_HOLD_COLUMNS = {"id": (LegalHold.id, "id"), "order": (Order.ref, "order_ref")}


def hold_key(q: ListQuery | None) -> Any:
    """The keyset key of a hold under `q`'s sort: (sort value, id)."""
    field_name = _HOLD_COLUMNS[chosen_sort(HOLD_SORTS, q)[0].name][1]
    return lambda hold: (getattr(hold, field_name), hold.id)


def active_holds_listed(q: ListQuery | None, after: tuple[Any, ...] | None, limit: int = 50) -> list[HoldView]:
    """Active holds as `q` sorts them (by hold number or order ref, ties by id); `q.text` matches the
    start of the order ref or who placed the hold."""
    query = LegalHold.select(LegalHold, Order.ref).join(Order).where(LegalHold.released_at.is_null())
    text = (q.text if q is not None else "").strip()
    if text:
        query = query.where(Order.ref.startswith(text.upper()) | (LegalHold.placed_by == text.lower()))
    sort, descending = chosen_sort(HOLD_SORTS, q)
    column = _HOLD_COLUMNS[sort.name][0]
    return [_view(row, row.order.ref) for row in keyset(query, column, LegalHold.id, descending, after).limit(limit)]
