"""Correcting the billing date of an acknowledged batch (P9 → P8): a typo in the invoice date is fixed here.

The orders the batch billed take the corrected date (an order in several batches keeps the
latest of their dates, as at the acknowledgement), and their P8 due dates follow. Orders billed
outside the batch keep theirs. Once an order's P8 due date has passed, its records may be
purged already, so the date is no longer changed: the deletion happened on the date recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from peewee import fn

from models.billing.outbox import BILLING_ROLES, _billing_day, _check_not_before_completion, get_batch
from models.core import audit, clock
from models.core.db import write_tx
from models.core.entities import BillingBatch, BillingRecord, Order, Staff
from models.core.errors import RuleViolation
from models.core.i18n import _
from models.core.identity import require_role
from models.retention import due as retention_due
from models.sessions.orders import billed_fields

_CHUNK = 500


@dataclass(frozen=True)
class DateChange:
    """What a correction did (or would do): the batch's old and new date, the orders that follow."""

    number: int
    old: date
    new: date
    orders_changed: int


def _orders_following(batch: BillingBatch, old: date, new: date) -> dict[date, list[int]]:
    """Order ids by the billing date they get when the batch's date moves from old to new."""
    in_batch = BillingRecord.select(BillingRecord.order).where(BillingRecord.batch == batch)
    others = (
        BillingRecord.select(BillingRecord.order.alias("order_id"), fn.MAX(BillingBatch.billed_on).alias("latest"))
        .join(BillingBatch, on=(BillingRecord.batch == BillingBatch.id))
        .where(
            BillingRecord.order.in_(in_batch)
            & (BillingBatch.id != batch.id)
            & BillingBatch.acknowledged_at.is_null(False)
        )
        .group_by(BillingRecord.order)
    )
    other_latest: dict[int, Any] = {row["order_id"]: row["latest"] for row in others.dicts()}  # type: ignore[index]
    moves: dict[date, list[int]] = defaultdict(list)
    rows: Iterable[tuple[int, date | None]] = (
        Order.select(Order.id, Order.billed_on).where(Order.id.in_(in_batch)).tuples()  # type: ignore[assignment]
    )
    for order_id, billed_on in rows:
        other = other_latest.get(order_id)
        if isinstance(other, str):  # SQLite returns MAX() of a date column as text
            other = date.fromisoformat(other)
        before = max(old, other) if other else old
        after = max(new, other) if other else new
        if billed_on == before and after != before:  # billed by the batches, not outside them
            moves[after].append(order_id)
    return moves


def check_change_billing_date(actor: Staff, number: int, billed_on: date | str) -> DateChange:
    """What change_billing_date would do or refuse, without writing: the console shows old → new first."""
    require_role(actor, *BILLING_ROLES)
    day = _billing_day(billed_on)
    batch = get_batch(number)
    if batch.acknowledged_at is None or batch.billed_on is None:
        raise RuleViolation(
            _("batch {number} is not acknowledged yet; acknowledge it with its date").format(number=number)
        )
    _check_not_before_completion(batch, day)
    moves = _orders_following(batch, batch.billed_on, day)
    ids = [order_id for group in moves.values() for order_id in group]
    for start in range(0, len(ids), _CHUNK):
        purged = (
            Order.select(Order.ref)
            .where(Order.id.in_(ids[start : start + _CHUNK]) & (Order.records_due_at <= clock.now()))
            .first()
        )
        if purged is not None:
            raise RuleViolation(
                _("the records of order {ref} were due for deletion already; the billing date stays").format(
                    ref=purged.ref
                )
            )
    return DateChange(number, batch.billed_on, day, len(ids))


def change_billing_date(actor: Staff, number: int, billed_on: date | str) -> DateChange:
    """Correct the billing date of acknowledged batch `number`; its orders and their P8 due dates follow."""
    with write_tx(serialize="billing"):
        change = check_change_billing_date(actor, number, billed_on)
        if change.new == change.old:
            return change
        batch = get_batch(number)
        moves = _orders_following(batch, change.old, change.new)
        batch.billed_on = change.new
        batch.save()
        for day, ids in moves.items():
            for start in range(0, len(ids), _CHUNK):
                Order.update(**billed_fields(day)).where(Order.id.in_(ids[start : start + _CHUNK])).execute()
        audit.record(
            actor.username,
            "billing.date_changed",
            str(number),
            f"billed_on={change.old.isoformat()}->{change.new.isoformat()} orders={change.orders_changed}",
        )
    retention_due.sync()
    audit.witness(f"billing date of batch {number}")
    return change
