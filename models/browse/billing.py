"""Read-side pages for the accounting screen (the domain functions check the role and audit reads)."""

from __future__ import annotations

from typing import Any

from models.billing import outbox as billing
from models.billing.outbox import BatchInfo, BillingRow
from models.browse.paging import ListQuery, Page, clamp
from models.core.entities import Staff


def _page(rows: list[Any], limit: int, key: Any) -> Page[Any]:
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, key(rows[-1]) if more and rows else None)


def outbox_page(
    actor: Staff, after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None
) -> Page[BillingRow]:
    """Records waiting for the next batch, oldest first or as `q` filters and sorts them (an audited read)."""
    limit = min(clamp(limit), 499)  # +1 below stays within the domain limit of 500
    q = q if q is not None else ListQuery()
    return _page(billing.outbox(actor, after=after, limit=limit + 1, q=q), limit, billing.outbox_key(q))


def batches_page(
    actor: Staff, after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None
) -> Page[BatchInfo]:
    """Batches, newest first (or oldest first), filtered by `q.text`."""
    limit = min(clamp(limit), 499)  # +1 below stays within the domain limit of 500
    return _page(
        billing.list_batches(actor, after=after[0] if after else None, limit=limit + 1, q=q),
        limit,
        lambda b: (b.number,),
    )


def batch_records_page(
    actor: Staff, number: int, after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None
) -> Page[BillingRow]:
    """One batch's records in record order, or as `q` filters and turns them (an audited read)."""
    limit = min(clamp(limit), 499)  # +1 below stays within the domain limit of 500
    return _page(
        billing.batch_records(actor, number, after=after[0] if after else None, limit=limit + 1, q=q),
        limit,
        lambda r: (r.id,),
    )
