"""Read side of the unrecorded-connections list: pending logged connections, keyset-paged by id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.browse.paging import ListQuery, Page, SortKey, chosen_sort, clamp, keyset, page_of
from models.core.entities import Staff
from models.core.i18n import N_
from models.sessions.registers import LoggedConnection


@dataclass(frozen=True)
class PendingRow:
    key: tuple[int]
    id: int
    tool: str
    started_at: datetime
    ended_at: datetime | None
    technician: str | None
    partner: str | None
    device: str | None
    source: str | None


PENDING_SORTS = (SortKey("logged", N_("logged")), SortKey("started", N_("started")))


def pending_page(after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None) -> Page[PendingRow]:
    """Connections no console session accounts for, as logged (oldest first) or by start, either way.

    `q.text` (the `/` filter) names the tool (teamviewer, anydesk, rustdesk) or the technician's username.
    """
    limit = clamp(limit)
    query = LoggedConnection.select().where(LoggedConnection.state == "pending")
    text = (q.text if q is not None else "").strip()
    if text:
        tech = Staff.select(Staff.id).where(Staff.username == text)
        query = query.where((LoggedConnection.tool == text.lower()) | LoggedConnection.technician.in_(tech))
    sort, descending = chosen_sort(PENDING_SORTS, q)
    if sort.name == "logged":
        if after:
            query = query.where(LoggedConnection.id < after[1] if descending else LoggedConnection.id > after[1])
        query = query.order_by(LoggedConnection.id.desc() if descending else LoggedConnection.id)
    else:
        query = keyset(query, LoggedConnection.started_at, LoggedConnection.id, descending, after)
    found = list(query.limit(limit + 1))
    tech_ids = {row.technician_id for row in found if row.technician_id}
    names = (
        {s.id: s.username for s in Staff.select(Staff.id, Staff.username).where(Staff.id.in_(tech_ids))}
        if tech_ids
        else {}
    )
    rows = [
        PendingRow(
            (row.id,),
            row.id,
            row.tool,
            row.started_at,
            row.ended_at,
            names.get(row.technician_id),
            row.partner_name or row.partner_id,
            row.device_name or row.device_id,
            row.source,
        )
        for row in found
    ]
    return page_of(rows, limit, lambda row: (row.id if sort.name == "logged" else row.started_at, row.id))
