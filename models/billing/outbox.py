"""The accounting handoff (P9): billing records wait in an outbox, leave in numbered batches,
and accounting's acknowledgement sets the billing date that starts the P8 clock.

Writing the batch files is the caller's job (console/jobs/billing_export.py): `create_batch`
hands the batch to a `deliver` callback inside its transaction, so a batch whose files
could not be written is rolled back and never counts as exported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peewee import JOIN, fn

from models.core import audit, clock, validation
from models.core.clock import berlin_midnight_utc
from models.core.db import write_tx
from models.core.entities import BillingBatch, BillingRecord, Order, Staff
from models.core.errors import NotFound, RuleViolation, ValidationError
from models.core.i18n import _
from models.core.identity import require_role
from models.retention import due as retention_due
from models.sessions.orders import billed_fields

BILLING_ROLES = ("accounting", "admin")  # as orders.mark_billed
MAX_PAGE = 500
_STREAM_PAGE = 1000


@dataclass(frozen=True)
class BillingRow:
    """One billing record as accounting receives it (P9/P10 fields); `id` is the paging key."""

    id: int
    ref: str
    order_ref: str
    session_ref: str
    session_date: date
    started_at: datetime
    ended_at: datetime
    duration_minutes: int
    customer_number: str
    customer_name: str
    workstation_or_employee: str | None
    billing_class: str
    batch: int | None


@dataclass(frozen=True)
class BatchInfo:
    """A batch as the outbox screen and `billing batches` show it; no personal data."""

    number: int
    created_at: datetime
    created_by: str
    record_count: int
    sha256: str
    acknowledged_at: datetime | None
    billed_on: date | None


@dataclass(frozen=True)
class BatchContent:
    """A batch and a way to stream its rows in record order (keyset pages, never all at once)."""

    batch: BatchInfo
    reexport: bool

    def rows(self) -> Iterator[BillingRow]:
        after: int | None = None
        while True:
            page = _batch_rows(self.batch.number, after, _STREAM_PAGE)
            yield from page
            if len(page) < _STREAM_PAGE:
                return
            after = page[-1].id


@dataclass(frozen=True)
class AckResult:
    """What an acknowledgement did: orders now billed, orders still waiting for other batches."""

    batch: BatchInfo
    already: bool  # the same acknowledgement was given before; nothing changed
    orders_billed: int
    orders_waiting: int  # some of their records are in the outbox or an unacknowledged batch
    orders_billed_before: int  # billed outside this batch (e.g. imported with billed_at); left as they were
    records_due_at: datetime | None  # the P8 due date the billed orders got; None if none or several


Deliver = Callable[[BatchContent], str]


def _info(batch: BillingBatch) -> BatchInfo:
    return BatchInfo(
        batch.number,
        batch.created_at,
        batch.created_by,
        batch.record_count,
        batch.sha256,
        batch.acknowledged_at,
        batch.billed_on,
    )


def _row_query():
    r = BillingRecord
    # Plain tuples in BillingRow's field order: building model instances cost 3/4 of an export.
    return (
        r.select(
            r.id,
            r.ref,
            Order.ref,
            r.session_ref,
            r.session_date,
            r.started_at,
            r.ended_at,
            r.duration_minutes,
            r.customer_number,
            r.customer_name,
            r.workstation_or_employee,
            r.billing_class,
            BillingBatch.number,
        )
        .join(Order, on=(r.order == Order.id))
        .switch(r)
        .join(BillingBatch, JOIN.LEFT_OUTER, on=(r.batch == BillingBatch.id))
    )


def _rows(query, after: int | None, limit: int) -> list[BillingRow]:
    if after is not None:
        query = query.where(BillingRecord.id > after)
    return [BillingRow(*values) for values in query.order_by(BillingRecord.id).limit(limit).tuples()]


def _batch_rows(number: int, after: int | None, limit: int) -> list[BillingRow]:
    return _rows(_row_query().where(BillingBatch.number == number), after, limit)


# Orders billed outside the outbox (imported with billed_at) are in the ERP already:
# sending their records again would bill them twice. Queries that join Order use the
# join; the UPDATE that fills a batch uses the subquery form.
_IN_OUTBOX_JOINED = BillingRecord.batch.is_null() & Order.billed_on.is_null()


def _outbox_condition():
    unbilled = Order.select(Order.id).where(Order.billed_on.is_null())
    return BillingRecord.batch.is_null() & BillingRecord.order.in_(unbilled)


def _outbox_joined():
    return BillingRecord.select().join(Order, on=(BillingRecord.order == Order.id)).where(_IN_OUTBOX_JOINED)


def _page_limit(limit: int) -> int:
    if not isinstance(limit, int) or limit < 1:
        raise ValidationError("limit", _("must be a positive whole number"))
    return min(limit, MAX_PAGE)


def outbox(actor: Staff, *, after: int | None = None, limit: int = 50) -> list[BillingRow]:
    """A page of records not yet exported, oldest first; reading them is audited."""
    require_role(actor, *BILLING_ROLES)
    rows = _rows(_row_query().where(_IN_OUTBOX_JOINED), after, _page_limit(limit))
    audit.record(actor.username, "billing.outbox.read", None, f"rows={len(rows)}")
    return rows


def outbox_count() -> int:
    """How many records wait for the next batch (a count, no personal data)."""
    return _outbox_joined().count()


def get_batch(number: int) -> BillingBatch:
    batch = BillingBatch.get_or_none(BillingBatch.number == number)
    if batch is None:
        raise NotFound(_("no billing batch {number}").format(number=number))
    return batch


def list_batches(actor: Staff, *, after: int | None = None, limit: int = 50) -> list[BatchInfo]:
    """A page of batches, newest first; `after` is the last number seen."""
    require_role(actor, *BILLING_ROLES)
    query = BillingBatch.select()
    if after is not None:
        query = query.where(BillingBatch.number < after)
    return [_info(b) for b in query.order_by(BillingBatch.number.desc()).limit(_page_limit(limit))]


def batch_info(actor: Staff, number: int) -> BatchInfo:
    require_role(actor, *BILLING_ROLES)
    return _info(get_batch(number))


def batch_records(actor: Staff, number: int, *, after: int | None = None, limit: int = 50) -> list[BillingRow]:
    """A page of one batch's records in record order; reading them is audited."""
    require_role(actor, *BILLING_ROLES)
    get_batch(number)
    rows = _batch_rows(number, after, _page_limit(limit))
    audit.record(actor.username, "billing.batch.read", str(number), f"rows={len(rows)}")
    return rows


def create_batch(actor: Staff, *, deliver: Deliver, reexport: int | None = None) -> BatchContent | None:
    """Put every outbox record into the next numbered batch, or hand an existing batch out again.

    `deliver` writes the files and returns the SHA-256 of the CSV; it runs inside the
    transaction, so if it raises, no number is used and no record leaves the outbox.
    Returns None, creating nothing, when the outbox is empty.
    """
    require_role(actor, *BILLING_ROLES)
    if reexport is not None:
        return _reexport(actor, reexport, deliver)
    with write_tx(serialize="billing"):
        if not _outbox_joined().exists():
            return None
        number = (BillingBatch.select(fn.MAX(BillingBatch.number)).scalar() or 0) + 1
        batch = BillingBatch.create(
            number=number, created_at=clock.now(), created_by=actor.username, record_count=0, sha256=""
        )
        moved = BillingRecord.update(batch=batch).where(_outbox_condition()).execute()
        batch.record_count = moved
        content = BatchContent(_info(batch), reexport=False)
        batch.sha256 = validation.sha256("sha256", deliver(content))
        batch.save()
        audit.record(actor.username, "billing.export", str(number), f"records={moved}")
    audit.witness(f"billing batch {number}")
    return BatchContent(_info(batch), reexport=False)


def files_in_place(number: int) -> None:
    """Both files of the batch are where accounting finds them: the batch is whole."""
    BillingBatch.update(files_at=clock.now()).where(BillingBatch.number == number).execute()


def incomplete_batches() -> list[int]:
    """Batches recorded but whose files were never put in place (a crash right after the commit)."""
    query = BillingBatch.select(BillingBatch.number).where(BillingBatch.files_at.is_null())
    return [number for (number,) in query.order_by(BillingBatch.number).tuples()]


def repair_batch(actor: Staff, number: int, deliver: Deliver) -> BatchContent:
    """Write the files of an incomplete batch from its stored records, as a re-export would."""
    require_role(actor, *BILLING_ROLES)
    batch = get_batch(number)
    content = BatchContent(_info(batch), reexport=True)
    deliver(content)
    audit.record(actor.username, "billing.repair", str(number), "files written from the stored records")
    return content


def _reexport(actor: Staff, number: int, deliver: Deliver) -> BatchContent:
    """The same batch again, byte for byte: its records, its number and its creation time."""
    batch = get_batch(number)
    content = BatchContent(_info(batch), reexport=True)
    written = deliver(content)
    audit.record(actor.username, "billing.reexport", str(number), "identical" if written == batch.sha256 else "differs")
    return content


def _billing_day(billed_on: date | str) -> date:
    day = validation.day("billed_on", billed_on)
    assert day is not None
    if day > clock.today_berlin():
        raise ValidationError("billed_on", _("lies in the future"))
    return day


def _check_not_before_completion(batch: BillingBatch, day: date) -> None:
    in_batch = BillingRecord.select(BillingRecord.order).where(BillingRecord.batch == batch)
    late = (
        Order.select(Order.ref, Order.completed_at)
        .where(Order.id.in_(in_batch) & (Order.completed_at >= berlin_midnight_utc(day + timedelta(days=1))))
        .order_by(Order.completed_at)
        .first()
    )
    if late is not None:
        raise ValidationError(
            "billed_on",
            _("lies before order {ref} was completed ({day})").format(
                ref=late.ref, day=clock.format_berlin(late.completed_at)
            ),
        )


def check_acknowledge(actor: Staff, batch_number: int, billed_on: date | str) -> date:
    """What acknowledge would refuse, without writing: so the console asks its question only about a valid date."""
    require_role(actor, *BILLING_ROLES)
    day = _billing_day(billed_on)
    batch = get_batch(batch_number)
    if batch.acknowledged_at is not None and batch.billed_on != day:
        raise RuleViolation(
            _("batch {number} was acknowledged with billing date {day} already").format(
                number=batch_number, day=clock.format_day(batch.billed_on)
            )
        )
    _check_not_before_completion(batch, day)
    return day


def acknowledge(actor: Staff, batch_number: int, billed_on: date | str) -> AckResult:
    """Accounting has billed the batch: its orders get the billing date that starts P8's clock.

    An order is billed when none of its records wait in the outbox or an unacknowledged
    batch; with records in several batches it takes the latest of their billing dates, so
    proof is kept for the last invoice too.
    """
    require_role(actor, *BILLING_ROLES)
    day = _billing_day(billed_on)
    with write_tx(serialize="billing"):
        batch = get_batch(batch_number)
        if batch.acknowledged_at is not None:
            if batch.billed_on != day:
                raise RuleViolation(
                    _("batch {number} was acknowledged with billing date {day} already").format(
                        number=batch_number, day=clock.format_day(batch.billed_on)
                    )
                )
            return AckResult(_info(batch), True, 0, 0, 0, None)
        in_batch = BillingRecord.select(BillingRecord.order).where(BillingRecord.batch == batch)
        _check_not_before_completion(batch, day)
        batch.acknowledged_at = clock.now()
        batch.billed_on = day
        batch.save()
        billed_before = Order.select().where(Order.id.in_(in_batch) & Order.billed_on.is_null(False)).count()
        billed, waiting, due = _bill_orders(in_batch, day)
        audit.record(
            actor.username,
            "billing.ack",
            str(batch_number),
            f"billed_on={day.isoformat()} orders={billed} waiting={waiting}",
        )
    audit.witness(f"billing acknowledgement {batch_number}")
    return AckResult(_info(batch), False, billed, waiting, billed_before, due)


def _bill_orders(in_batch, day: date) -> tuple[int, int, datetime | None]:
    """Set billed_on and records_due_at on the batch's unbilled orders that are now fully billed."""
    open_records = (
        BillingRecord.select(BillingRecord.order)
        .join(BillingBatch, JOIN.LEFT_OUTER, on=(BillingRecord.batch == BillingBatch.id))
        .where(BillingRecord.batch.is_null() | BillingBatch.acknowledged_at.is_null())
    )
    unbilled = Order.select(Order.id).where(Order.id.in_(in_batch) & Order.billed_on.is_null())
    waiting = Order.select().where(Order.id.in_(unbilled) & Order.id.in_(open_records)).count()
    ready = Order.select(Order.id).where(Order.id.in_(unbilled) & Order.id.not_in(open_records))
    # Usually every order's latest billing date is `day`; the loop only runs longer for
    # orders spread over several batches acknowledged with different dates.
    dates = (
        BillingBatch.select(BillingBatch.billed_on)
        .distinct()
        .join(BillingRecord, on=(BillingRecord.batch == BillingBatch.id))
        .where(BillingRecord.order.in_(ready) & (BillingBatch.billed_on >= day))
    )
    billed, used = 0, []
    for latest in sorted({row.billed_on for row in dates}, reverse=True):
        latest_of_order = (
            BillingRecord.select(BillingRecord.order)
            .join(BillingBatch, on=(BillingRecord.batch == BillingBatch.id))
            .where(BillingRecord.order.in_(ready))
            .group_by(BillingRecord.order)
            .having(fn.MAX(BillingBatch.billed_on) == latest)
        )
        count = (
            Order.update(**billed_fields(latest))
            .where(Order.id.in_(latest_of_order) & Order.billed_on.is_null())
            .execute()
        )
        if count:
            billed += count
            used.append(latest)
    # The per-category due dates follow the new billing dates. sync() recomputes the orders
    # whose anchors changed, 500 per transaction: for 2,000 orders on the shared test machine
    # 24 s instead of 37 s with refresh_order per order on PostgreSQL (7 s / 10 s on SQLite).
    retention_due.sync()
    due = billed_fields(used[0])["records_due_at"] if len(used) == 1 else None
    return billed, waiting, due  # type: ignore[return-value]
