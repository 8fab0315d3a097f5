"""How many queue items are in each state, per category, and how many fall due per day: what the dashboard shows.

A few grouped queries however large the queue: whole UTC days of dated rows come from the
per-day counters (due_counts.py), the rows of the two edge days are counted by index range,
undated rows (few) by their completion; the few rows of held orders and of purge problems are
then read and moved to the state they show in the queue. Counts only: the earliest due date of
each state is the queue screen's (queue.queue_summary), so the dashboard, which the console
opens at start, does not import the queue's paging.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from peewee import SQL, Case, Value, fn

from models.core import clock
from models.core.clock import berlin_midnight_utc
from models.core.entities import AccessRequest, BillingRecord, LegalHold, PurgeProblem, RetentionDue
from models.retention import due_counts
from models.retention.policy import active
from models.retention.states import OVERDUE_AFTER, SESSION_CATEGORIES, state_of

COUNTED = ("overdue", "due", "scheduled", "blocked")  # "held" is added where an order is held


@dataclass(frozen=True)
class Counted:
    """One source of the summary: its rows, due column, order column (for holds) and blocked anchor."""

    category: str
    model: Any
    where: Any
    due: Any
    order: Any | None
    blocked_since: Any | None


def counted_sources() -> list[Counted]:
    rd, br, ar = RetentionDue, BillingRecord, AccessRequest
    sources = [
        Counted(name, rd, rd.category == name, rd.due_at, rd.order, rd.completed_at) for name in SESSION_CATEGORIES
    ]
    sources.append(Counted("billing", br, br.due_at.is_null(False), br.due_at, br.order, None))
    sources.append(Counted("access_requests", ar, ar.due_at.is_null(False), ar.due_at, None, None))
    return sources


def held_order_ids() -> list[int]:
    """Orders under an active legal hold: a handful, read once per summary."""
    query = LegalHold.select(LegalHold.order).where(LegalHold.released_at.is_null()).distinct()
    rows: Any = query.tuples()  # peewee types tuples() as model instances
    return [order_id for (order_id,) in rows]


def held_rows(held_ids: list[int]) -> list[tuple[str, datetime | None, datetime | None]]:
    """(category, due, blocked anchor) of every queue row of a held order (they have no purge problem to show)."""
    if not held_ids:
        return []
    rd, br = RetentionDue, BillingRecord
    sessions = rd.select(rd.category, rd.due_at, rd.completed_at).where(
        rd.category.in_(SESSION_CATEGORIES) & rd.order.in_(held_ids)
    )
    bills = br.select(Value("billing"), br.due_at, SQL("NULL")).where(br.due_at.is_null(False) & br.order.in_(held_ids))
    return [(category, py(due), py(since)) for category, due, since in (sessions + bills).tuples()]


def _in_count(condition: Any) -> Any:
    return fn.SUM(Case(None, [(condition, 1)], 0))


def _edge_counts(start: datetime, late: datetime, at: datetime) -> dict[str, tuple[int, int]]:
    """Per category: dated rows from `start` (the UTC day `late` falls in) to `late` (overdue), and
    after `late` up to `at` (due). One range on each table's due index."""
    rd, br, ar = RetentionDue, BillingRecord, AccessRequest
    sessions = (
        rd.select(rd.category, _in_count(rd.due_at <= late), _in_count(rd.due_at > late))
        .where(rd.category.in_(SESSION_CATEGORIES) & (rd.due_at >= start) & (rd.due_at <= at))
        .group_by(rd.category)
    )
    parts: list[Any] = [sessions]
    for name, model in (("billing", br), ("access_requests", ar)):
        due = model.due_at
        parts.append(
            model.select(Value(name), _in_count(due <= late), _in_count(due > late)).where((due >= start) & (due <= at))
        )
    query = parts[0] + parts[1] + parts[2]
    return {category: (int(overdue or 0), int(due or 0)) for category, overdue, due in query.tuples()}


def _undated_counts(warn: datetime) -> dict[str, tuple[int, int]]:
    """Per category: undated rows (P8 waiting for a billing date) completed by `warn` (blocked)
    and after it (scheduled). A row without a completion would be neither, as in the queue's count."""
    rd = RetentionDue
    query = (
        rd.select(rd.category, _in_count(rd.completed_at <= warn), _in_count(rd.completed_at > warn))
        .where(rd.category.in_(SESSION_CATEGORIES) & rd.due_at.is_null())
        .group_by(rd.category)
    )
    rows: Any = query.tuples()
    return {category: (int(blocked or 0), int(later or 0)) for category, blocked, later in rows}


def _problem_dues(sources: list[Counted], held_ids: list[int]) -> Iterator[tuple[str, datetime | None]]:
    """(category, due) of the unheld rows the purge could not finish (a handful, by key)."""
    problems: dict[str, list[int]] = {}
    rows: Any = PurgeProblem.select(PurgeProblem.category, PurgeProblem.item_id).tuples()
    for category, item_id in rows:
        problems.setdefault(category, []).append(item_id)
    for source in sources:
        item_ids = problems.get(source.category)
        if not item_ids:
            continue
        key: Any = source.order if source.model is RetentionDue else source.model.id
        query = source.model.select(source.due).where(source.where & key.in_(item_ids))
        if held_ids and source.order is not None:
            query = query.where(source.order.not_in(held_ids))
        for (value,) in query.tuples():
            yield source.category, py(value)


def state_counts(
    as_of: datetime | None = None,
    held_ids: list[int] | None = None,
    held: list[tuple[str, datetime | None, datetime | None]] | None = None,
) -> dict[tuple[str, str], int]:
    """Items per (category, state) as queue_items lists them; `held_ids`, `held`: read already by the caller.

    Every category has its overdue, due, scheduled and blocked count (maybe 0), and a held one
    where an order is held.
    """
    at = as_of or clock.now()
    late = at - OVERDUE_AFTER
    warn = at - timedelta(days=active().unbilled_warning_days)
    late_day = due_counts.day_of(late)
    late_day_start = datetime.fromisoformat(late_day).replace(tzinfo=timezone.utc)
    held_ids = held_order_ids() if held_ids is None else held_ids
    held = held_rows(held_ids) if held is None else held
    sources = counted_sources()
    days = due_counts.days_sums(late_day)
    edges = _edge_counts(late_day_start, late, at)
    undated = _undated_counts(warn)
    counts: dict[tuple[str, str], int] = {}
    for source in sources:
        name = source.category
        earlier, total = days.get(name, (0, 0))
        edge_overdue, edge_due = edges.get(name, (0, 0))
        blocked, later = undated.get(name, (0, 0)) if source.blocked_since is not None else (0, 0)
        counts[(name, "overdue")] = earlier + edge_overdue
        counts[(name, "due")] = edge_due
        counts[(name, "scheduled")] = total - earlier - edge_overdue - edge_due + later
        counts[(name, "blocked")] = blocked
    for name, due, since in held:  # taken off the state they would otherwise be in
        counts[(name, state_of(due, since, at, late, warn))] -= 1
        counts[(name, "held")] = counts.get((name, "held"), 0) + 1
    for name, due in _problem_dues(sources, held_ids):
        state = state_of(due, None, at, late, warn)
        if state in ("due", "overdue"):  # as queue.with_problems shows them in the list
            counts[(name, state)] -= 1
            counts[(name, "blocked")] += 1
    return counts


def due_per_day(
    days: int = 30, as_of: datetime | None = None, held_ids: list[int] | None = None
) -> list[tuple[date, int]]:
    """How many unheld items fall due on each of the next `days` Berlin days (today first)."""
    at = as_of or clock.now()
    first = clock.berlin_date(at)
    bounds = [berlin_midnight_utc(first + timedelta(days=i)) for i in range(days + 1)]
    held_ids = held_order_ids() if held_ids is None else held_ids
    counts = [0] * days
    for source in _per_table(counted_sources()):
        due = source.due
        where = source.where & (due >= bounds[0]) & (due < bounds[-1])
        if held_ids and source.order is not None:
            where &= source.order.not_in(held_ids)
        # Grouped by the instant itself, in the due index's order, and put into days here: few
        # instants (P8 falls due at Berlin midnight), where a CASE of 30 bounds cost every row.
        query = source.model.select(due, fn.COUNT(SQL("*"))).where(where).group_by(due)
        for moment, n in query.tuples():
            due_at = py(moment)
            if due_at is not None:  # always, by the range above
                counts[bisect_right(bounds, due_at) - 1] += int(n)
    return [(first + timedelta(days=i), counts[i]) for i in range(days)]


def _per_table(sources: list[Counted]) -> list[Counted]:
    """Sources of one table with the same due and order columns as one (their conditions or-ed):
    one query instead of one per category, where only the total per day counts."""
    merged: dict[tuple[Any, str, str], Counted] = {}
    for source in sources:
        key = (source.model, source.due.name, getattr(source.order, "name", ""))
        if key in merged:
            merged[key] = replace(merged[key], where=merged[key].where | source.where)
        else:
            merged[key] = source
    return list(merged.values())


def py(value: object) -> datetime | None:
    """A due or completion instant as the database returned it, as an aware datetime."""
    return RetentionDue.due_at.python_value(value)
