"""The accounting handoff (P9): billing records wait in an outbox, leave in numbered batches,
and accounting's acknowledgement sets the billing date that starts the P8 clock.

Writing the batch files is the caller's job (console/jobs/billing_export.py): `create_batch`
hands the batch to a `deliver` callback. Export and acknowledgement work in short steps
(EXPORT_STEP records, ACK_STEP orders per transaction) so that no console waits behind them
for long (README, "Locks"), and each step leaves a state the next run goes on from:

- an export creates the batch unsealed (no checksum), moves the outbox into it step by step,
  has the files written outside any transaction and seals the batch with the CSV's checksum.
  Until it is sealed its records still count as in the outbox, it cannot be acknowledged or
  re-exported, and the next export (one at a time, by lease) finishes it under the same number;
  if the files cannot be written, its records go back to the outbox and the number is free again.
- an acknowledgement first records the billing date, then bills the orders step by step, and
  last sets acknowledged_at. A batch with a billing date but no acknowledgement time was
  interrupted; acknowledging it again with the same date finishes it (another date is refused).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from peewee import JOIN, fn

from models.browse.paging import ListQuery, SortKey, chosen_sort, keyset
from models.core import audit, clock, validation
from models.core.clock import berlin_midnight_utc
from models.core.compiled import run_ids
from models.core.db import background_job, database, is_postgres, lock_key, pg_lock_holder, write_tx
from models.core.entities import BillingBatch, BillingRecord, Order, PurgeLease, Staff
from models.core.errors import Busy, NotFound, RuleViolation, ValidationError
from models.core.i18n import N_, _
from models.core.identity import require_role
from models.core.text import fold
from models.purge import lease as lease_module
from models.purge.lease import Lease, describe_holder
from models.retention import due as retention_due
from models.sessions.orders import billed_fields

BILLING_ROLES = ("accounting", "admin")  # as orders.mark_billed
MAX_PAGE = 500
_STREAM_PAGE = 1000
EXPORT_STEP = 2000  # records moved into a batch per transaction
ACK_STEP = 2000  # orders billed per transaction


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

    @property
    def sealed(self) -> bool:
        """The export finished: the records and the checksum are final."""
        return bool(self.sha256)


@dataclass(frozen=True)
class BatchContent:
    """A batch and a way to stream its rows in record order (keyset pages, never all at once)."""

    batch: BatchInfo
    reexport: bool
    # hears (rows streamed, the batch's record count) after each page of every pass over the rows
    progress: Callable[[int, int], None] | None = field(default=None, compare=False, repr=False)

    def rows(self) -> Iterator[BillingRow]:
        after: int | None = None
        streamed = 0
        while True:
            page = _batch_rows(self.batch.number, after, _STREAM_PAGE)
            yield from page
            streamed += len(page)
            if self.progress is not None:
                self.progress(min(streamed, self.batch.record_count), self.batch.record_count)
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
# sending their records again would bill them twice. A record in a batch whose export has not
# finished (unsealed, no checksum yet) still counts as waiting in the outbox.
_IN_OUTBOX_JOINED = (BillingRecord.batch.is_null() | (BillingBatch.sha256 == "")) & Order.billed_on.is_null()


def _outbox_joined():
    return (
        BillingRecord.select()
        .join(Order, on=(BillingRecord.order == Order.id))
        .switch(BillingRecord)
        .join(BillingBatch, JOIN.LEFT_OUTER, on=(BillingRecord.batch == BillingBatch.id))
        .where(_IN_OUTBOX_JOINED)
    )


def _unbatched():
    """Records in no batch at all, of orders not billed yet: what an export moves into its batch."""
    return (
        BillingRecord.select(BillingRecord.id)
        .join(Order, on=(BillingRecord.order == Order.id))
        .where(BillingRecord.batch.is_null() & Order.billed_on.is_null())
    )


def _page_limit(limit: int) -> int:
    if not isinstance(limit, int) or limit < 1:
        raise ValidationError("limit", _("must be a positive whole number"))
    return min(limit, MAX_PAGE)


# -- the `/` filter and `o` sorts of the outbox and the batches (indexed columns, ties by id) ------
OUTBOX_SORTS = (
    SortKey("record", N_("record")),
    SortKey("date", N_("session date")),
    SortKey("customer", N_("customer number")),
)
_OUTBOX_COLUMNS = {
    "record": (BillingRecord.id, "id"),
    "date": (BillingRecord.session_date, "session_date"),
    "customer": (BillingRecord.customer_number, "customer_number"),
}
BATCH_SORTS = (SortKey("number", N_("batch number"), descending=True),)
BATCH_RECORD_SORTS = (SortKey("record", N_("record")),)


def outbox_key(q: ListQuery | None) -> Callable[[BillingRow], tuple[Any, ...]]:
    """The keyset key of an outbox row under `q`'s sort: (sort value, id), to pass back as `after`."""
    field_name = _OUTBOX_COLUMNS[chosen_sort(OUTBOX_SORTS, q)[0].name][1]
    return lambda row: (getattr(row, field_name), row.id)


def _filtered(query: Any, q: ListQuery | None) -> Any:
    """`q.text` matches the start of the record or order ref, the customer number or the (folded) name."""
    text = (q.text if q is not None else "").strip()
    if text:
        query = query.where(
            BillingRecord.ref.startswith(text.upper())
            | Order.ref.startswith(text.upper())
            | BillingRecord.customer_number.startswith(text)
            | BillingRecord.customer_name_key.startswith(fold(text))
        )
    return query


def _sorted_rows(query: Any, q: ListQuery | None, after: tuple[Any, ...] | None, limit: int) -> list[BillingRow]:
    query = _filtered(query, q)
    sort, descending = chosen_sort(OUTBOX_SORTS, q)
    column = _OUTBOX_COLUMNS[sort.name][0]
    return [
        BillingRow(*values)
        for values in keyset(query, column, BillingRecord.id, descending, after).limit(limit).tuples()
    ]


def outbox(
    actor: Staff, *, after: int | tuple[Any, ...] | None = None, limit: int = 50, q: ListQuery | None = None
) -> list[BillingRow]:
    """A page of records not yet exported, oldest first (or as `q` filters and sorts them, `after`
    then being the outbox_key of the last row); reading them is audited."""
    require_role(actor, *BILLING_ROLES)
    query = _row_query().where(_IN_OUTBOX_JOINED)
    if q is None and not isinstance(after, tuple):
        rows = _rows(query, after, _page_limit(limit))
    else:
        rows = _sorted_rows(query, q, after if isinstance(after, tuple) else None, _page_limit(limit))
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


def list_batches(
    actor: Staff, *, after: int | None = None, limit: int = 50, q: ListQuery | None = None
) -> list[BatchInfo]:
    """A page of batches, newest first (or oldest first if `q` turns it round); `after` is the last
    number seen. `q.text`: a batch number, or the start of the username that exported it."""
    require_role(actor, *BILLING_ROLES)
    query = BillingBatch.select().where(BillingBatch.sha256 != "")  # an unsealed batch is still being exported
    text = (q.text if q is not None else "").strip()
    if text:
        by_number = BillingBatch.number == int(text) if text.isdigit() and len(text) < 10 else None
        by_user = BillingBatch.created_by.startswith(text.lower())
        query = query.where(by_user if by_number is None else (by_number | by_user))
    _sort, descending = chosen_sort(BATCH_SORTS, q)
    if after is not None:
        query = query.where(BillingBatch.number < after if descending else BillingBatch.number > after)
    order = BillingBatch.number.desc() if descending else BillingBatch.number
    return [_info(b) for b in query.order_by(order).limit(_page_limit(limit))]


def batch_info(actor: Staff, number: int) -> BatchInfo:
    require_role(actor, *BILLING_ROLES)
    return _info(get_batch(number))


def batch_records(
    actor: Staff, number: int, *, after: int | None = None, limit: int = 50, q: ListQuery | None = None
) -> list[BillingRow]:
    """A page of one batch's records in record order (or the other way round, filtered as the outbox
    is, when `q` says so); reading them is audited."""
    require_role(actor, *BILLING_ROLES)
    batch = get_batch(number)
    if q is None:
        rows = _batch_rows(number, after, _page_limit(limit))
    else:  # on the batch's own index: (batch_id, id)
        query = _filtered(_row_query().where(BillingRecord.batch == batch.id), q)
        _sort, descending = chosen_sort(BATCH_RECORD_SORTS, q)
        if after is not None:
            query = query.where(BillingRecord.id < after if descending else BillingRecord.id > after)
        order = BillingRecord.id.desc() if descending else BillingRecord.id
        rows = [BillingRow(*values) for values in query.order_by(order).limit(_page_limit(limit)).tuples()]
    audit.record(actor.username, "billing.batch.read", str(number), f"rows={len(rows)}")
    return rows


def create_batch(
    actor: Staff,
    *,
    deliver: Deliver,
    reexport: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchContent | None:
    """Put every outbox record into the next numbered batch, or hand an existing batch out again.

    `deliver` writes the files and returns the SHA-256 of the CSV; it runs after the records
    are in the batch and before the batch is sealed. If it raises, the records go back to the
    outbox and the number is free again. Returns None, creating nothing, when the outbox is
    empty. A batch an earlier export left unsealed (killed) is finished first, under its number.
    `progress(done, total)` hears as `deliver` reads the rows (per pass, page by page).
    """
    require_role(actor, *BILLING_ROLES)
    if reexport is not None:
        return _reexport(actor, reexport, deliver, progress)
    with background_job(), _export_lease(actor):
        batch = _open_or_resume(actor)
        if batch is None:
            return None
        _fill(batch)
        content = BatchContent(_info(BillingBatch.get_by_id(batch.id)), reexport=False, progress=progress)
        try:
            sha = validation.sha256("sha256", deliver(content))
        except Exception:
            _unfill(batch)
            raise
        with write_tx(serialize="billing"):
            count = BillingRecord.select().where(BillingRecord.batch == batch).count()
            BillingBatch.update(sha256=sha, record_count=count).where(BillingBatch.id == batch.id).execute()
            audit.record(actor.username, "billing.export", str(batch.number), f"records={count}")
    audit.witness(f"billing batch {batch.number}")
    return BatchContent(_info(BillingBatch.get_by_id(batch.id)), reexport=False)


class ExportLease(Lease):
    """One export at a time (its steps are separate transactions); a killed holder's lease ends with it.

    SQLite: the lease row, as the purge's. PostgreSQL: the session advisory lock alone, so
    accounting needs no right on the lease table; pg_locks names the holder.
    """

    def __init__(self, holder: str) -> None:
        super().__init__(holder, name="billing_export")

    def _busy(self, row: PurgeLease | None) -> Busy:
        holder = row.holder if row is not None else None
        if holder is None and is_postgres():
            holder = pg_lock_holder(lock_key(f"lease:{self.name}"))
        error = Busy(_("another billing export is running: {holder}").format(holder=holder or _("unknown")))
        error.holder = holder  # type: ignore[attr-defined]
        return error

    def _holder_row(self) -> PurgeLease | None:
        return None if is_postgres() else super()._holder_row()

    def _write(self, now: datetime) -> None:
        if not is_postgres():
            super()._write(now)

    def renew(self) -> None:
        if not is_postgres():
            super().renew()

    def release(self) -> None:
        if not is_postgres():
            super().release()
            return
        if self.held:
            self.held = False
            with lease_module._guard:
                lease_module._held_here.pop(self.name, None)
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (lock_key(f"lease:{self.name}"),))


EXPORT_WAIT_SECONDS = 60.0  # how long a second export waits for the first before it is refused


@contextmanager
def _export_lease(actor: Staff) -> Iterator[None]:
    """Hold the export lease; a second export waits (polling, with backoff) for the first to finish."""
    lease = ExportLease(describe_holder(actor.username, "billing export"))
    deadline, pause = time.monotonic() + EXPORT_WAIT_SECONDS, 0.05
    while True:
        try:
            lease.acquire()
            break
        except Busy as exc:
            if time.monotonic() + pause > deadline:
                raise lease._busy(PurgeLease.get_or_none(PurgeLease.name == lease.name)) from exc
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
    try:
        yield
    finally:
        lease.release()


def _first_column(query: Any) -> list[Any]:
    """The first column of every row of `query` (ids, mostly)."""
    return [row[0] for row in query.tuples()]


def _unsealed() -> BillingBatch | None:
    return BillingBatch.select().where(BillingBatch.sha256 == "").order_by(BillingBatch.number).first()


def _open_or_resume(actor: Staff) -> BillingBatch | None:
    """The unsealed batch an earlier export left (killed, or its files failed), or a new one when the
    outbox has records; either way dated now and by this actor."""
    with write_tx(serialize="billing"):
        batch = _unsealed()
        if batch is None:
            if not _unbatched().exists():
                return None
            number = (BillingBatch.select(fn.MAX(BillingBatch.number)).scalar() or 0) + 1
            return BillingBatch.create(
                number=number, created_at=clock.now(), created_by=actor.username, record_count=0, sha256=""
            )
        if batch.record_count == 0 and not _unbatched().exists():
            return None
        BillingBatch.update(created_at=clock.now(), created_by=actor.username).where(
            BillingBatch.id == batch.id
        ).execute()
        return BillingBatch.get_by_id(batch.id)


def _fill(batch: BillingBatch) -> None:
    """Move the outbox into `batch`, EXPORT_STEP records per transaction, up to the newest record
    there was when it began (records that arrive meanwhile wait for the next batch)."""
    newest = BillingRecord.select(fn.MAX(BillingRecord.id)).scalar() or 0
    while True:
        with write_tx(serialize="billing"):
            ids = _first_column(
                _unbatched().where(BillingRecord.id <= newest).order_by(BillingRecord.id).limit(EXPORT_STEP)
            )
            if ids:
                moved = (
                    BillingRecord.update(batch=batch)
                    .where(BillingRecord.id.in_(ids) & BillingRecord.batch.is_null())
                    .execute()
                )
                BillingBatch.update(record_count=BillingBatch.record_count + moved).where(
                    BillingBatch.id == batch.id
                ).execute()
        if len(ids) < EXPORT_STEP:
            return


def _unfill(batch: BillingBatch) -> None:
    """The files could not be written: the records back into the outbox, step by step. The empty
    batch stays unsealed (listed nowhere) and the next export takes its number again."""
    while True:
        with write_tx(serialize="billing"):
            ids = _first_column(
                BillingRecord.select(BillingRecord.id).where(BillingRecord.batch == batch).limit(EXPORT_STEP)
            )
            if ids:
                BillingRecord.update(batch=None).where(BillingRecord.id.in_(ids)).execute()
            BillingBatch.update(record_count=BillingBatch.record_count - len(ids)).where(
                BillingBatch.id == batch.id
            ).execute()
        if len(ids) < EXPORT_STEP:
            return


def _sealed(number: int) -> BillingBatch:
    """The batch `number`, refused while its export has not finished."""
    batch = get_batch(number)
    if not batch.sha256:
        raise RuleViolation(
            _("batch {number} is still being exported; try again when the export has finished").format(number=number)
        )
    return batch


def files_in_place(number: int) -> None:
    """Both files of the batch are where accounting finds them: the batch is whole."""
    BillingBatch.update(files_at=clock.now()).where(BillingBatch.number == number).execute()


def incomplete_batches() -> list[int]:
    """Batches recorded but whose files were never put in place (a crash right after the commit)."""
    query = BillingBatch.select(BillingBatch.number).where(
        BillingBatch.files_at.is_null() & (BillingBatch.sha256 != "")
    )
    return [number for (number,) in query.order_by(BillingBatch.number).tuples()]


def repair_batch(actor: Staff, number: int, deliver: Deliver) -> BatchContent:
    """Write the files of an incomplete batch from its stored records, as a re-export would."""
    require_role(actor, *BILLING_ROLES)
    batch = _sealed(number)
    content = BatchContent(_info(batch), reexport=True)
    deliver(content)
    audit.record(actor.username, "billing.repair", str(number), "files written from the stored records")
    return content


def _reexport(
    actor: Staff, number: int, deliver: Deliver, progress: Callable[[int, int], None] | None = None
) -> BatchContent:
    """The same batch again, byte for byte: its records, its number and its creation time."""
    batch = _sealed(number)
    content = BatchContent(_info(batch), reexport=True, progress=progress)
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


def _refuse_another_day(batch: BillingBatch, day: date) -> None:
    """A batch with a billing date keeps it: the acknowledgement may be finished, not changed."""
    if batch.billed_on is not None and batch.billed_on != day:
        raise RuleViolation(
            _("batch {number} was acknowledged with billing date {day} already").format(
                number=batch.number, day=clock.format_day(batch.billed_on)
            )
        )


def check_acknowledge(actor: Staff, batch_number: int, billed_on: date | str) -> date:
    """What acknowledge would refuse, without writing: so the console asks its question only about a valid date."""
    require_role(actor, *BILLING_ROLES)
    day = _billing_day(billed_on)
    batch = _sealed(batch_number)
    _refuse_another_day(batch, day)
    _check_not_before_completion(batch, day)
    return day


def acknowledge(actor: Staff, batch_number: int, billed_on: date | str) -> AckResult:
    """Accounting has billed the batch: its orders get the billing date that starts P8's clock.

    An order is billed when none of its records wait in the outbox or a batch without a
    billing date; with records in several batches it takes the latest of their billing dates,
    so proof is kept for the last invoice too. The work is done in steps (module docstring).
    """
    require_role(actor, *BILLING_ROLES)
    day = _billing_day(billed_on)
    with write_tx(serialize="billing"):
        batch = _sealed(batch_number)
        _refuse_another_day(batch, day)
        if batch.acknowledged_at is not None:
            return AckResult(_info(batch), True, 0, 0, 0, None)
        _check_not_before_completion(batch, day)
        BillingBatch.update(billed_on=day).where(BillingBatch.id == batch.id).execute()
    in_batch = BillingRecord.select(BillingRecord.order).where(BillingRecord.batch == batch)
    billed_before = Order.select().where(Order.id.in_(in_batch) & Order.billed_on.is_null(False)).count()
    with background_job():
        billed, used = _bill_orders(batch, day)
        # The per-category due dates follow the new billing dates. sync() recomputes the orders
        # whose anchors changed, 500 per transaction.
        retention_due.sync()
    waiting = Order.select().where(Order.id.in_(in_batch) & Order.billed_on.is_null()).count()
    with write_tx(serialize="billing"):
        BillingBatch.update(acknowledged_at=clock.now()).where(
            (BillingBatch.id == batch.id) & BillingBatch.acknowledged_at.is_null()
        ).execute()
        audit.record(
            actor.username,
            "billing.ack",
            str(batch_number),
            f"billed_on={day.isoformat()} orders={billed} waiting={waiting}",
        )
    audit.witness(f"billing acknowledgement {batch_number}")
    due = billed_fields(used[0])["records_due_at"] if len(used) == 1 else None
    return AckResult(_info(get_batch(batch_number)), False, billed, waiting, billed_before, due)  # type: ignore[arg-type]


def _ready_orders(batch: BillingBatch, after: int, limit: int) -> tuple[int | None, dict[date, list[int]]]:
    """Of the batch's unbilled orders after id `after` (a page of `limit`): the page's last id, and
    those none of whose records wait (in the outbox or a batch without a billing date), by the
    latest billing date of their batches."""
    candidates = (
        BillingRecord.select(BillingRecord.order)
        .join(Order, on=(BillingRecord.order == Order.id))
        .where((BillingRecord.batch == batch) & Order.billed_on.is_null() & (Order.id > after))
        .group_by(BillingRecord.order)
        .order_by(BillingRecord.order)
        .limit(limit)
    )
    ids = _first_column(candidates)
    if not ids:
        return None, {}
    # the pages' id lists go through run_ids: a 1,000-id IN list built by peewee cost more than the query
    waiting_rows = run_ids(
        "ack:waiting",
        lambda o: (
            BillingRecord.select(BillingRecord.order)
            .join(BillingBatch, JOIN.LEFT_OUTER, on=(BillingRecord.batch == BillingBatch.id))
            .where(BillingRecord.order.in_(o) & (BillingRecord.batch.is_null() | BillingBatch.billed_on.is_null()))
        ),
        ids,
    )
    waiting = {order_id for (order_id,) in waiting_rows.fetchall()}
    ready = [order_id for order_id in ids if order_id not in waiting]
    by_day: dict[date, list[int]] = {}
    if ready:
        latest = run_ids(
            "ack:latest",
            lambda o: (
                BillingRecord.select(BillingRecord.order, fn.MAX(BillingBatch.billed_on))
                .join(BillingBatch, on=(BillingRecord.batch == BillingBatch.id))
                .where(BillingRecord.order.in_(o))
                .group_by(BillingRecord.order)
            ),
            ready,
        )
        pairs: Any = latest.fetchall()
        for order_id, value in pairs:
            day = validation.day("billed_on", value)
            assert day is not None
            by_day.setdefault(day, []).append(order_id)
    return ids[-1], by_day


def _bill_orders(batch: BillingBatch, day: date) -> tuple[int, list[date]]:
    """Set billed_on and records_due_at on the batch's orders that are now fully billed, ACK_STEP
    orders per transaction; returns how many and the billing dates they got, latest first."""
    billed, used, after = 0, set(), 0
    while True:
        with write_tx(serialize="billing"):
            last, by_day = _ready_orders(batch, after, ACK_STEP)
            if last is None:
                break
            after = last
            for latest, ids in sorted(by_day.items()):
                fields = billed_fields(latest)

                def bill(o: list[int], f: dict[str, object] = fields) -> Any:
                    return Order.update(**f).where(Order.id.in_(o) & Order.billed_on.is_null())

                # keyed by its values: the compiled statement keeps them
                count = run_ids(f"ack:bill:{sorted(fields.items())!r}", bill, ids).rowcount
                if count:
                    billed += count
                    used.add(latest)
    return billed, sorted(used, reverse=True)
