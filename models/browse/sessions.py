"""Lists of sessions and orders for the console, keyset-paged over indexed columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from peewee import fn

from models.browse.paging import ListQuery, Page, SortKey, chosen_sort, clamp, keyset, page_of
from models.core.clock import berlin_midnight_utc
from models.core.entities import Customer, LegalHold, Order, RemoteSession, Staff
from models.core.i18n import N_
from models.core.text import fold


@dataclass(frozen=True)
class SessionRow:
    key: str
    ref: str
    order_ref: str
    customer_number: str
    customer: str
    technician: str
    started_at: datetime
    ended_at: datetime | None
    workstation: str | None
    customer_person: str | None
    customer_ip: str | None
    screen_private: bool


def _session_row(s: RemoteSession) -> SessionRow:
    return SessionRow(
        s.ref,
        s.ref,
        s.order.ref,
        s.order.customer.number,
        s.order.customer.name,
        s.technician.username,
        s.started_at,
        s.ended_at,
        s.workstation,
        s.customer_person,
        s.customer_ip,
        s.screen_private,
    )


SESSION_SORTS = (SortKey("started", N_("started")), SortKey("ref", N_("session ref")))
_SESSION_COLUMNS = {"started": RemoteSession.started_at, "ref": RemoteSession.ref}


def active_sessions(
    after: tuple[Any, ...] | None = None, limit: int = 100, q: ListQuery | None = None
) -> Page[SessionRow]:
    """Running sessions, oldest first by (started_at, id), or as `q` sorts and filters them."""
    limit = clamp(limit)
    query = (
        RemoteSession.select(RemoteSession, Order, Customer, Staff)
        .join(Order)
        .join(Customer)
        .switch(RemoteSession)
        .join(Staff)
        .where(RemoteSession.ended_at.is_null())
    )
    text = (q.text if q is not None else "").strip()
    if text:
        query = query.where(
            RemoteSession.ref.startswith(text.upper())
            | Customer.name_key.startswith(fold(text))
            | (Customer.number == text)
            | (Staff.username == text)
            | RemoteSession.workstation_key.startswith(fold(text))
        )
    sort, descending = chosen_sort(SESSION_SORTS, q)
    column = _SESSION_COLUMNS[sort.name]
    rows = list(keyset(query, column, RemoteSession.id, descending, after).limit(limit + 1))
    page = page_of(rows, limit, lambda s: (getattr(s, column.name), s.id))
    return Page([_session_row(s) for s in page.rows], page.after)


@dataclass(frozen=True)
class OrderFilter:
    """What the history is searched by; empty fields do not filter."""

    customer: str = ""  # number or the start of the name (umlauts and case folded)
    ref: str = ""  # start of an order or session ref
    day: date | None = None  # a Berlin day on which the order was opened or had a session
    technician: str = ""  # username of a technician who ran one of its sessions


@dataclass(frozen=True)
class OrderRow:
    key: str
    ref: str
    customer_number: str
    customer: str
    opened_at: datetime
    completed_at: datetime | None
    billed_on: date | None
    billing_class: str
    sessions: int
    held: bool

    @property
    def state(self) -> str:
        if self.billed_on:
            return "billed"
        return "completed" if self.completed_at else "open"


def _order_conditions(flt: OrderFilter) -> list[Any]:
    conditions: list[Any] = []
    if flt.customer:
        key = fold(flt.customer)
        conditions.append((Customer.number == flt.customer.strip()) | Customer.name_key.startswith(key))
    if flt.ref:
        ref = flt.ref.strip().upper()
        in_sessions = RemoteSession.select(RemoteSession.id).where(
            (RemoteSession.order == Order.id) & RemoteSession.ref.startswith(ref)
        )
        conditions.append(Order.ref.startswith(ref) | fn.EXISTS(in_sessions))
    if flt.day is not None:
        start, end = berlin_midnight_utc(flt.day), berlin_midnight_utc(flt.day + timedelta(days=1))
        on_day = RemoteSession.select(RemoteSession.id).where(
            (RemoteSession.order == Order.id) & (RemoteSession.started_at >= start) & (RemoteSession.started_at < end)
        )
        conditions.append(((Order.opened_at >= start) & (Order.opened_at < end)) | fn.EXISTS(on_day))
    if flt.technician:
        # The technician's sessions by the indexed foreign key, once; not a subquery per order.
        tech = Staff.select(Staff.id).where(Staff.username == flt.technician.strip())
        conditions.append(
            Order.id.in_(RemoteSession.select(RemoteSession.order).where(RemoteSession.technician.in_(tech)))
        )
    return conditions


ORDER_SORTS = (SortKey("opened", N_("opened"), descending=True), SortKey("ref", N_("order ref")))
_ORDER_COLUMNS = {"opened": Order.opened_at, "ref": Order.ref}


def orders(
    flt: OrderFilter | None = None, after: tuple[Any, ...] | None = None, limit: int = 100, q: ListQuery | None = None
) -> Page[OrderRow]:
    """Orders newest first by (opened_at, id) or as `q` sorts them, filtered; sessions counted per row of the page."""
    limit = clamp(limit)
    flt = flt or OrderFilter()
    query = Order.select(Order, Customer).join(Customer)
    for condition in _order_conditions(flt):
        query = query.where(condition)
    if q is not None and q.text.strip():
        text = q.text.strip()
        query = query.where(Order.ref.startswith(text.upper()) | Customer.name_key.startswith(fold(text)))
    sort, descending = chosen_sort(ORDER_SORTS, q)
    column = _ORDER_COLUMNS[sort.name]
    rows = list(keyset(query, column, Order.id, descending, after).limit(limit + 1))
    page = page_of(rows, limit, lambda o: (getattr(o, column.name), o.id))
    ids = [o.id for o in page.rows]
    counts: dict[int, int] = {}
    held: set[int] = set()
    if ids:
        counts = {
            r.order_id: r.n
            for r in RemoteSession.select(RemoteSession.order, fn.COUNT(RemoteSession.id).alias("n"))
            .where(RemoteSession.order.in_(ids))
            .group_by(RemoteSession.order)
        }
        held = {
            h.order_id
            for h in LegalHold.select(LegalHold.order).where(LegalHold.order.in_(ids) & LegalHold.released_at.is_null())
        }
    return Page(
        [
            OrderRow(
                o.ref,
                o.ref,
                o.customer.number,
                o.customer.name,
                o.opened_at,
                o.completed_at,
                o.billed_on,
                o.billing_class,
                counts.get(o.id, 0),
                o.id in held,
            )
            for o in page.rows
        ],
        page.after,
    )


def open_orders_of(customer_number: str, limit: int = 20) -> list[str]:
    """Refs of a customer's orders that can still take a session (for the start form)."""
    return [
        o.ref
        for o in Order.select(Order.ref)
        .join(Customer)
        .where((Customer.number == customer_number) & Order.completed_at.is_null())
        .order_by(Order.opened_at.desc())
        .limit(clamp(limit))
    ]


def technicians(limit: int = 200) -> list[tuple[str, str]]:
    """(username, name) of active staff with the technician role, for choosing a colleague."""
    return [
        (s.username, s.name)
        for s in Staff.select(Staff.username, Staff.name)
        .where(Staff.active & Staff.roles.contains("technician"))
        .order_by(Staff.username)
        .limit(clamp(limit))
    ]


__all__ = ["OrderFilter", "OrderRow", "SessionRow", "active_sessions", "orders", "open_orders_of", "technicians"]
