"""The dashboard's facts: a handful of small, indexed queries (counts and first rows)."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from peewee import fn

from models.access import queries
from models.core import clock
from models.core.db import worker_connection
from models.core.entities import Customer, Order, PurgeRun, RemoteSession, Staff
from models.retention import summary
from models.sessions.registers import findings_count

FIRST_ROWS = 5


@dataclass(frozen=True)
class ActiveLine:
    ref: str
    customer: str
    technician: str
    started_at: datetime


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows; parts whose domain code is missing are None."""

    active_count: int
    active_first: list[ActiveLine]
    unbilled_count: int
    unbilled_oldest: datetime | None
    uncommitted_staff: list[str]
    last_purge: dict[str, Any] | None
    retention: dict[str, int] | None = None  # state -> count
    due_next_24h: int | None = None
    due_per_day: list[tuple[date, int]] | None = None
    access: dict[str, Any] | None = None
    connection_findings: int | None = None  # logged connections with no screen-privacy record (P4)
    notes: list[str] = field(default_factory=list)


def _retention(now: datetime) -> tuple[dict[str, int], int, list[tuple[date, int]]]:
    held_ids = summary.held_order_ids()
    counts: dict[str, int] = {}
    for (_category, state), n in summary.state_counts(now, held_ids).items():
        if n:
            counts[state] = counts.get(state, 0) + n
    per_day = summary.due_per_day(30, now, held_ids)
    next_24h = sum(count for _day, count in per_day[:2]) if per_day else 0
    return counts, next_24h, per_day


def _access() -> dict[str, Any]:
    opened = queries.open_requests_summary()
    return {
        "open": opened.open_count,
        "overdue": opened.overdue_count,
        "nearest_due_on": opened.nearest_due_on,
        "nearest_ref": opened.nearest_ref,
    }


def dashboard() -> Dashboard:
    """Read the dashboard in a few queries; no personal data beyond names of the active sessions."""
    now = clock.now()
    running = RemoteSession.ended_at.is_null()
    active_count = RemoteSession.select().where(running).count()
    first = [
        ActiveLine(s.ref, s.order.customer.name, s.technician.username, s.started_at)
        for s in RemoteSession.select(RemoteSession, Order, Customer, Staff)
        .join(Order)
        .join(Customer)
        .switch(RemoteSession)
        .join(Staff)
        .where(running)
        .order_by(RemoteSession.started_at, RemoteSession.id)
        .limit(FIRST_ROWS)
    ]
    unbilled = Order.completed_at.is_null(False) & Order.billed_on.is_null()
    unbilled_row = (
        Order.select(fn.COUNT(Order.id).alias("n"), fn.MIN(Order.completed_at).alias("oldest"))
        .where(unbilled)
        .dicts()
        .get()
    )
    oldest = Order.completed_at.python_value(unbilled_row["oldest"]) if unbilled_row["oldest"] else None
    uncommitted = [
        s.username
        for s in Staff.select(Staff.username)
        .where(Staff.active & Staff.commitment_signed_on.is_null())
        .order_by(Staff.username)
        .limit(10)
    ]
    last = PurgeRun.select().where(~PurgeRun.dry_run).order_by(PurgeRun.started_at.desc(), PurgeRun.id.desc()).first()
    last_purge = (
        None
        if last is None
        else {
            "started_at": last.started_at,
            "state": last.state,
            "deleted": last.deleted_count,
            "operator": last.operator,
        }
    )
    result = Dashboard(active_count, first, int(unbilled_row["n"] or 0), oldest, uncommitted, last_purge)
    retention = _retention(now)
    result = Dashboard(
        **{
            **result.__dict__,
            "retention": retention[0],
            "due_next_24h": retention[1],
            "due_per_day": retention[2],
        }
    )
    return Dashboard(**{**result.__dict__, "access": _access(), "connection_findings": connection_findings()})


def connection_findings() -> int:
    """Connections from remote-tool logs the console holds no screen-privacy check for (P4)."""
    return findings_count()


def read_dashboard() -> Dashboard:
    """The dashboard, read on the calling worker thread's own connection (closed after)."""
    with worker_connection():
        return dashboard()


def read_ahead() -> Future[Dashboard]:
    """Start reading the dashboard now, in a thread of its own: at start the read then overlaps
    importing the screens' code and Textual instead of coming after it; the screen takes the result."""
    future: Future[Dashboard] = Future()

    def run() -> None:
        try:
            future.set_result(read_dashboard())
        except BaseException as exc:  # the screen reads again and reports it as it would its own
            future.set_exception(exc)

    threading.Thread(target=run, name="dashboard-ahead", daemon=True).start()
    return future
