"""The retention queue (DESIGN.md §5): what falls due when, in which state, computed in SQL.

Three sources make the queue: one row per (session-bound category, order) in retention_due
(which holds a row only while the order holds data of that category), billing records and
closed access requests. The state is a CASE over indexed columns; paging is by keyset on
(due_at, category, item_id) with undated items last. The summary counts index ranges per
state and subtracts the few held orders, so it costs the same on a day's data as on ten years'.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from peewee import SQL, Case, Value, fn

from models.browse.paging import SortKey
from models.core import clock
from models.core.entities import AccessRequest, BillingRecord, LegalHold, Order, PurgeProblem, RetentionDue
from models.core.errors import NotFound, ValidationError
from models.core.i18n import N_, _
from models.retention.policy import CATEGORIES, active
from models.retention.states import OVERDUE_AFTER, SESSION_CATEGORIES, STATES
from models.retention.summary import Counted, counted_sources, held_order_ids, held_rows, state_counts
from models.retention.summary import due_per_day as due_per_day  # the chart, read here by the CLI and tests
from models.retention.summary import py as _py

FAR_FUTURE = datetime(9999, 1, 1).astimezone()


@dataclass(frozen=True)
class QueueItem:
    category: str
    item_id: int  # order id for session-bound categories, else the row's own id
    ref: str | None
    order_ref: str | None
    due_at: datetime | None
    state: str
    reason: str | None = None  # why a blocked item cannot be purged (a file that may not be shredded)

    @property
    def key(self) -> tuple[datetime | None, str, int]:
        return (self.due_at, self.category, self.item_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "item_id": self.item_id,
            "ref": self.ref,
            "order_ref": self.order_ref,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "state": self.state,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SummaryRow:
    category: str
    state: str
    count: int
    next_due_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "state": self.state,
            "count": self.count,
            "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
        }


def held(order_column: Any) -> Any:
    """SQL: the order has an active legal hold."""
    return fn.EXISTS(
        LegalHold.select(SQL("1")).where((LegalHold.order == order_column) & LegalHold.released_at.is_null())
    )


def _state(due: Any, held: Any, as_of: datetime, blocked_since: Any | None) -> Any:
    branches = [(held, "held")]
    if blocked_since is not None:
        warn = timedelta(days=active().unbilled_warning_days)
        branches.append((due.is_null() & (blocked_since <= as_of - warn), "blocked"))
    branches += [(due.is_null(), "scheduled"), (due <= as_of - OVERDUE_AFTER, "overdue"), (due <= as_of, "due")]
    return Case(None, branches, "scheduled")


def _sources(
    as_of: datetime,
    *,
    category: str | None = None,
    order_id: int | None = None,
    refs: bool = True,
    due_only: bool = False,
    prefix: str = "",
    starting: tuple[list[int] | None, list[int] | None] | None = None,
) -> list[Any]:
    """One SELECT per source with the columns category, item_id, ref, order_ref, due_at, state.

    Without `refs` (the summary and the chart) the join to orders is left out. `prefix` keeps
    the items whose ref or order ref starts with it (the `/` filter); see _starting.
    """
    orders, bills = starting or (_starting(Order, prefix), _starting(BillingRecord, prefix))
    rd = RetentionDue
    selects = []
    for name in SESSION_CATEGORIES:
        if category not in (None, name):
            continue
        where = rd.category == name
        if due_only:  # a range on the (category, due_at) index instead of every row
            where &= rd.due_at <= as_of
        if order_id is not None:
            where &= rd.order == order_id
        if prefix:
            where &= Order.ref.startswith(prefix) if orders is None else _among(rd.order, orders)
        ref = Order.ref if refs else Value(None)
        query = rd.select(
            Value(name).alias("category"),
            rd.order.alias("item_id"),
            ref.alias("ref"),
            ref.alias("order_ref"),
            rd.due_at.alias("due_at"),
            _state(rd.due_at, held(rd.order), as_of, rd.completed_at).alias("state"),
        )
        if refs:
            query = query.join(Order, on=(rd.order == Order.id))
        selects.append(query.where(where))
    br = BillingRecord
    if category in (None, "billing"):
        where = br.due_at.is_null(False) if order_id is None else (br.order == order_id)
        if due_only:
            where &= br.due_at <= as_of
        if prefix and orders is not None and bills is not None:
            where &= _among(br.order, orders) | _among(br.id, bills)
        elif prefix:
            where &= br.ref.startswith(prefix) | Order.ref.startswith(prefix)
        ref = Order.ref if refs else Value(None)
        query = br.select(
            Value("billing").alias("category"),
            br.id.alias("item_id"),
            br.ref.alias("ref"),
            ref.alias("order_ref"),
            br.due_at.alias("due_at"),
            _state(br.due_at, held(br.order), as_of, None).alias("state"),
        )
        if refs:
            query = query.join(Order, on=(br.order == Order.id))
        selects.append(query.where(where))
    ar = AccessRequest
    if category in (None, "access_requests") and order_id is None:
        asked = ar.ref.startswith(prefix) if prefix else Value(True) == Value(True)
        selects.append(
            ar.select(
                Value("access_requests").alias("category"),
                ar.id.alias("item_id"),
                ar.ref.alias("ref"),
                ar.ref.alias("order_ref"),
                ar.due_at.alias("due_at"),
                _state(ar.due_at, Value(False) == Value(True), as_of, None).alias("state"),
            )
            .where(ar.due_at.is_null(False) & (ar.due_at <= as_of) if due_only else ar.due_at.is_null(False))
            .where(asked)
        )
    return selects


PREFIX_FEW = 200  # up to this many refs start with the filter: the queue is read by their keys


def _starting(model: Any, prefix: str) -> list[int] | None:
    """The ids of the rows whose ref starts with `prefix`, if few (one pass over the ref index), else None.

    A rare prefix (a whole order ref) is then looked up by key instead of walking the due index
    until a page of it turns up; a common one (A-2019) fills a page from the due index at once.
    """
    if not prefix:
        return None
    ids = [row[0] for row in model.select(model.id).where(model.ref.startswith(prefix)).limit(PREFIX_FEW + 1).tuples()]
    return ids if len(ids) <= PREFIX_FEW else None


def _among(column: Any, ids: list[int]) -> Any:
    return column.in_(ids) if ids else SQL("1 = 0")


def _check_category(category: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise ValidationError(
            "category", _("{value!r} is not one of: {allowed}").format(value=category, allowed=", ".join(CATEGORIES))
        )


def _first_due(source: Counted, where: Any, held_ids: list[int]) -> datetime | None:
    """The earliest due date in a range outside held orders: one seek on the due index."""
    query = source.model.select(source.due).where(source.where & where & source.due.is_null(False))
    if held_ids and source.order is not None:
        query = query.where(source.order.not_in(held_ids))
    return _py(query.order_by(source.due).limit(1).scalar())


def queue_summary(as_of: datetime | None = None) -> list[SummaryRow]:
    """Count and earliest due date per (category, state).

    The counts are summary.state_counts (whole UTC days from the per-day counters, the edge
    days row by row, held and problem rows moved), so the cost does not grow with years of
    billing records; each state with items adds one seek on the due index for its first date.
    """
    at = as_of or clock.now()
    late = at - OVERDUE_AFTER
    held_ids = held_order_ids()
    on_hold = held_rows(held_ids)
    counts = state_counts(at, held_ids, on_hold)
    rows = []
    for source in counted_sources():
        due = source.due
        ranges = {"overdue": due <= late, "due": (due > late) & (due <= at), "scheduled": due > at}
        for state in ("overdue", "due", "scheduled", "blocked"):
            count = counts[(source.category, state)]
            if count:
                first = _first_due(source, ranges[state], held_ids) if state in ranges else None
                rows.append(SummaryRow(source.category, state, count, first))
        held_count = counts.get((source.category, "held"), 0)
        if held_count:
            dated = [d for name, d, _since in on_hold if name == source.category and d is not None]
            rows.append(SummaryRow(source.category, "held", held_count, min(dated) if dated else None))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(rows, key=lambda r: (order.get(r.category, 99), STATES.index(r.state)))


def with_problems(items: list[QueueItem]) -> list[QueueItem]:
    """Due items the purge could not finish (purge_problem) are shown blocked, with the reason."""
    due = [item for item in items if item.state in ("due", "overdue")]
    if not due:
        return items
    reasons: dict[tuple[str, int], str] = {}
    for category in {item.category for item in due}:
        ids = [item.item_id for item in due if item.category == category]
        for item_id, reason in (
            PurgeProblem.select(PurgeProblem.item_id, PurgeProblem.reason)
            .where((PurgeProblem.category == category) & PurgeProblem.item_id.in_(ids))
            .tuples()
        ):
            reasons[(category, item_id)] = reason
    if not reasons:
        return items
    return [
        replace(item, state="blocked", reason=reasons[(item.category, item.item_id)])
        if (item.category, item.item_id) in reasons
        else item
        for item in items
    ]


def queue_items(
    *,
    as_of: datetime | None = None,
    category: str | None = None,
    state: str | None = None,
    after: QueueItem | tuple[datetime | None, str, int] | None = None,
    limit: int = 50,
    order_id: int | None = None,
    states: tuple[str, ...] | None = None,
    descending: bool = False,
    prefix: str = "",
) -> list[QueueItem]:
    """One page of the queue in (due_at, category, item_id) order, undated items last, or in the
    reverse order (undated first, latest due first) when `descending`; `prefix`: see _sources.

    Each source is read on its own index in that order, at most `limit` rows past the key, and
    the sorted runs are merged here: a page costs the same on ten rows as on ten million.
    """
    _check_category(category)
    if state is not None and state not in STATES:
        raise ValidationError(
            "state", _("{value!r} is not one of: {allowed}").format(value=state, allowed=", ".join(STATES))
        )
    at = as_of or clock.now()
    wanted = set(states or ()) | ({state} if state else set())
    if state is not None and states:
        wanted = {state} & set(states)
        if not wanted:
            return []
    key = None
    if after is not None:
        key = after.key if isinstance(after, QueueItem) else after
    starting = (_starting(Order, prefix), _starting(BillingRecord, prefix)) if prefix else None
    runs = []
    phases = (False, True) if descending else (True, False)
    for dated in phases:
        first_phase = dated != descending  # dated items come first, undated ones first when turned round
        in_second = key is not None and (key[0] is not None if descending else key[0] is None)
        if first_phase and in_second:
            continue  # the previous page ended in the second phase already
        for source in _page_sources(at, category, order_id, wanted, dated, prefix, starting):
            runs.append(_read_run(source, key, limit, dated, wanted, descending))
        merged = list(heapq.merge(*runs, key=_sort_key, reverse=descending))[:limit]
        if len(merged) >= limit or dated == phases[-1]:
            return with_problems(merged)
        runs = [merged]  # undated items follow every dated one (precede them, turned round)
    return []


QUEUE_SORTS = (SortKey("due", N_("due date")),)


def _sort_key(item: QueueItem) -> tuple[datetime, str, int]:
    return (item.due_at or FAR_FUTURE, item.category, item.item_id)


@dataclass(frozen=True)
class _Source:
    name: str
    query: Any  # a SELECT of category, item_id, ref, order_ref, due_at, state
    due: Any  # the due column
    item: Any  # the item id column


def _page_sources(
    at: datetime,
    category: str | None,
    order_id: int | None,
    wanted: set[str],
    dated: bool,
    prefix: str = "",
    starting: tuple[list[int] | None, list[int] | None] | None = None,
) -> list[_Source]:
    """The sources of the queue as separate SELECTs, restricted by due range where the states allow.

    Undated rows (P8 waiting for a billing date) can only be held, blocked or scheduled; dated
    rows never blocked; due and overdue lie at or before `at`, unheld scheduled ones after it.
    """
    if wanted and not (
        wanted & ({"held", "scheduled", "due", "overdue"} if dated else {"held", "blocked", "scheduled"})
    ):
        return []
    sources = []
    for select, (name, due, item) in zip(
        _sources(at, category=category, order_id=order_id, prefix=prefix, starting=starting),
        _source_columns(category, order_id),
        strict=True,
    ):
        query = select.where(due.is_null(False) if dated else due.is_null())
        if dated and wanted and wanted <= {"due", "overdue"}:
            query = query.where(due <= at)
        elif dated and wanted == {"scheduled"}:
            query = query.where(due > at)
        sources.append(_Source(name, query, due, item))
    return sources


def _source_columns(category: str | None, order_id: int | None) -> list[tuple[str, Any, Any]]:
    """(category, due column, item column) of each source, in the order _sources() yields them."""
    columns = [
        (name, RetentionDue.due_at, RetentionDue.order) for name in SESSION_CATEGORIES if category in (None, name)
    ]
    if category in (None, "billing"):
        columns.append(("billing", BillingRecord.due_at, BillingRecord.id))
    if category in (None, "access_requests") and order_id is None:
        columns.append(("access_requests", AccessRequest.due_at, AccessRequest.id))
    return columns


def _read_run(
    source: _Source,
    key: tuple[datetime | None, str, int] | None,
    limit: int,
    dated: bool,
    wanted: set[str],
    descending: bool = False,
) -> list[QueueItem]:
    """At most `limit` rows of one source after `key`, in (due_at, item_id) order (or the reverse)."""
    query = source.query

    def past(column: Any, value: Any) -> Any:  # beyond `value` in the direction of reading
        return column < value if descending else column > value

    if key is not None:
        a_due, a_cat, a_item = key
        later = source.name < a_cat if descending else source.name > a_cat  # the category comes after a_cat
        if dated and a_due is not None:
            if later:
                query = query.where(past(source.due, a_due) | (source.due == a_due))
            elif source.name == a_cat:
                query = query.where(past(source.due, a_due) | ((source.due == a_due) & past(source.item, a_item)))
            else:
                query = query.where(past(source.due, a_due))
        elif not dated and a_due is None:
            if not later and source.name != a_cat:
                return []
            if source.name == a_cat:
                query = query.where(past(source.item, a_item))
    if descending:
        query = query.order_by(source.due.desc(), source.item.desc()) if dated else query.order_by(source.item.desc())
    else:
        query = query.order_by(source.due, source.item) if dated else query.order_by(source.item)
    items: list[QueueItem] = []
    # The state is a CASE, not an index: read in index order and filter, a page at a time.
    offset_key = None
    while len(items) < limit:
        page = (
            query
            if offset_key is None
            else query.where(
                past(source.due, offset_key[0]) | ((source.due == offset_key[0]) & past(source.item, offset_key[1]))
                if dated
                else past(source.item, offset_key[1])
            )
        )
        step = limit * 2 if wanted else limit  # unfiltered, a run never needs more than a page
        rows = list(page.limit(step).tuples())
        for category, item_id, ref, order_ref, due_at, state in rows:
            if not wanted or state in wanted:
                items.append(QueueItem(category, int(item_id), ref, order_ref, _py(due_at), state))
        if len(rows) < step or not wanted:
            break
        last = rows[-1]
        offset_key = (last[4], last[1])
    return items[:limit]


def order_retention(order_ref: str, as_of: datetime | None = None) -> list[QueueItem]:
    """Every category of one order that still holds data, and each billing record, with due date and state."""
    order = Order.get_or_none(Order.ref == order_ref)
    if order is None:
        raise NotFound(_("no order {ref}").format(ref=order_ref))
    return queue_items(as_of=as_of, order_id=order.id, limit=1000)
