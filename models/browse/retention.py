"""Read-side pages for the retention screen: queue, purge runs, deletions, holds (keyset, no personal data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.browse.paging import ListQuery, Page, chosen_sort, clamp
from models.core.entities import DeletionRecord, PurgeLease
from models.purge import run as purge
from models.purge.run import RunView
from models.retention import holds
from models.retention import queue as retention
from models.retention.holds import HoldView
from models.retention.queue import QueueItem


def queue_page(
    category: str | None,
    state: str | None,
    after: tuple[Any, ...] | None,
    limit: int,
    as_of: datetime | None = None,
    q: ListQuery | None = None,
) -> Page[QueueItem]:
    """One page of the retention queue, filtered by category and state, in due order (or turned
    round by `q`); `q.text` matches the start of the item's ref or its order's ref."""
    limit = min(clamp(limit), 499)  # +1 below stays within the domain limit of 500
    _sort, descending = chosen_sort(retention.QUEUE_SORTS, q)
    prefix = (q.text if q is not None else "").strip().upper()
    rows = retention.queue_items(
        as_of=as_of,
        category=category,
        state=state,
        after=after,
        limit=limit + 1,
        descending=descending,
        prefix=prefix,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].key if more and rows else None)


def runs_page(after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None) -> Page[RunView]:
    """Purge runs, newest first (or oldest first), filtered by `q.text`; the key is (started_at, id)."""
    limit = min(clamp(limit), 499)  # +1 below stays within the domain limit of 500
    rows = purge.runs_listed(q, after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, (rows[-1].started_at, rows[-1].id) if more and rows else None)


def deletions_page(
    run_id: int | None, after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None
) -> Page[DeletionRecord]:
    """Deletion records of one run (all runs if None), newest first, or as `q` filters and turns them."""
    limit = min(clamp(limit), 499)  # +1 below stays within the domain limit of 500
    rows = purge.deletions_listed(run_id, q, after=after[0] if after else None, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, (rows[-1].id,) if more and rows else None)


def holds_page(after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None) -> Page[HoldView]:
    """Active legal holds, oldest first, or as `q` filters and sorts them."""
    limit = min(clamp(limit), 499)  # +1 below stays within the domain limit of 500
    rows = holds.active_holds_listed(q, after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, holds.hold_key(q)(rows[-1]) if more and rows else None)


def lease_holder(now: datetime) -> str | None:
    """Who holds the purge lease now (as recorded in its row), or None."""
    row = PurgeLease.get_or_none(PurgeLease.name == "purge")
    if row is None or row.expires_at <= now:
        return None
    return str(row.holder)
