"""Read side of the unrecorded-connections list: pending logged connections, keyset-paged by id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.browse.paging import Page, clamp, page_of
from models.core.entities import Staff
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


def pending_page(after: tuple[Any, ...] | None, limit: int) -> Page[PendingRow]:
    """Connections no console session accounts for, oldest first."""
    limit = clamp(limit)
    query = LoggedConnection.select().where(LoggedConnection.state == "pending")
    if after:
        query = query.where(LoggedConnection.id > after[0])
    found = list(query.order_by(LoggedConnection.id).limit(limit + 1))
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
    return page_of(rows, limit, lambda row: row.key)
