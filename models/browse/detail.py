"""Detail views of one order or one session; opening them is a read of personal data, so audited."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import Any

from models.browse.paging import ListQuery, SortKey, chosen_sort
from models.core import audit, clock
from models.core.entities import (
    ActivityEvent,
    BillingRecord,
    ChatMessage,
    Consent,
    Disclosure,
    GatheredFile,
    LegalHold,
    Order,
    Participant,
    Recording,
    RemoteSession,
    Staff,
    SystemInfo,
)
from models.core.errors import NotFound
from models.core.i18n import N_, _
from models.core.identity import require_role

DETAIL_ROLES = ("technician", "privacy_officer", "admin")
NOTHING_KEPT = "nothing kept"  # the state of a category the order holds no records of
DETAIL_ROWS = 200  # a detail shows the first rows of each category; the CLI exports the rest
FEW_ROWS = 20  # holds and system information: short lists
#: the one order of a detail's lists: by time, oldest first; `o` turns every list round
DETAIL_SORTS = (SortKey("time", N_("time")),)


def _lines(
    query: Any,
    searched: tuple[Any, ...],
    at: Any,
    ident: Any,
    q: ListQuery | None,
    cap: int,
    name: str,
    cut: dict[str, int],
) -> list[Any]:
    """The rows of one list of a detail: those whose `searched` columns contain `q.text` (literally:
    peewee's contains() escapes % and _), in time order either way, at most `cap`. When there are
    more, `cut[name]` is how many, so the screen can say what it leaves out."""
    text = (q.text if q is not None else "").strip()
    if text:
        query = query.where(reduce(or_, (column.contains(text) for column in searched)))
    _sort, descending = chosen_sort(DETAIL_SORTS, q)
    order = (at.desc(), ident.desc()) if descending else (at, ident)
    rows = list(query.order_by(*order).limit(cap + 1))
    if len(rows) > cap:
        cut[name] = query.order_by().count()
    return rows[:cap]


@dataclass(frozen=True)
class CategoryLine:
    category: str
    count: int
    due_at: datetime | None
    state: str


@dataclass(frozen=True)
class HoldLine:
    id: int
    reason: str
    placed_at: datetime
    placed_by: str
    released_at: datetime | None


@dataclass(frozen=True)
class OrderDetail:
    ref: str
    customer_number: str
    customer: str
    billing_class: str
    description: str | None
    opened_at: datetime
    completed_at: datetime | None
    billed_on: date | None
    sessions: list[tuple[str, str, datetime, datetime | None]]  # ref, technician, start, end
    categories: list[CategoryLine]
    holds: list[HoldLine]
    retention_note: str | None = None
    active_hold: HoldLine | None = None  # read apart from `holds`, which a filter narrows and a cap cuts
    cut: dict[str, int] = field(default_factory=dict)  # list name → how many rows it has, where cut at its cap


def _simple_state(due: datetime | None, held: bool, now: datetime) -> str:
    if held:
        return "held"
    if due is None:
        return "not started"
    return "due" if due <= now else "scheduled"


def _categories(order: Order, held: bool) -> tuple[list[CategoryLine], str | None]:
    """Per category: how many records the order holds, when they fall due, and their state."""
    session_ids = RemoteSession.select(RemoteSession.id).where(RemoteSession.order == order)
    counts = {
        "connection": RemoteSession.select().where(RemoteSession.order == order).count(),
        "activity": ActivityEvent.select().where(ActivityEvent.session.in_(session_ids)).count(),
        "chat": ChatMessage.select().where(ChatMessage.session.in_(session_ids)).count(),
        "video": Recording.select().where(Recording.session.in_(session_ids)).count(),
        "system_info": SystemInfo.select().where(SystemInfo.session.in_(session_ids)).count(),
        "gathered_files": GatheredFile.select().where(GatheredFile.session.in_(session_ids)).count(),
        "billing": BillingRecord.select().where(BillingRecord.order == order).count(),
    }
    due: dict[str, datetime | None] = {"system_info": order.gathered_due_at, "gathered_files": order.gathered_due_at}
    for category in ("connection", "activity", "chat", "video"):
        due[category] = order.records_due_at
    first_billing = (
        BillingRecord.select(BillingRecord.due_at)
        .where(BillingRecord.order == order)
        .order_by(BillingRecord.due_at)
        .first()
    )
    due["billing"] = first_billing.due_at if first_billing else None
    states: dict[str, str] = {}
    note = None
    from models.retention import queue as retention  # the queue knows states like overdue and blocked

    for item in retention.order_retention(order.ref):
        if item.category in counts and item.category not in states:
            states[item.category] = item.state
            due[item.category] = item.due_at or due.get(item.category)
    now = clock.now()
    # a category without records has nothing to delete: no date, not "scheduled" (sparse retention_due)
    lines = [
        CategoryLine(c, n, due.get(c), states.get(c) or _simple_state(due.get(c), held, now))
        if n
        else CategoryLine(c, 0, None, NOTHING_KEPT)
        for c, n in counts.items()
    ]
    return lines, note


def order_detail(actor: Staff, ref: str, q: ListQuery | None = None) -> OrderDetail:
    """One order with its sessions, each data category's count, due date and state; audited.

    `q` narrows the sessions and holds to those containing its text and turns their time order
    round; the categories are a summary of the whole order and stay whole."""
    require_role(actor, *DETAIL_ROLES)
    order = Order.get_or_none(Order.ref == ref)
    if order is None:
        raise NotFound(_("no order {ref}").format(ref=ref))
    cut: dict[str, int] = {}
    sessions = [
        (s.ref, s.technician.username, s.started_at, s.ended_at)
        for s in _lines(
            RemoteSession.select(RemoteSession, Staff).join(Staff).where(RemoteSession.order == order),
            (RemoteSession.ref, Staff.username),
            RemoteSession.started_at,
            RemoteSession.id,
            q,
            DETAIL_ROWS,
            "sessions",
            cut,
        )
    ]
    holds = [
        _hold_line(h)
        for h in _lines(
            LegalHold.select().where(LegalHold.order == order),
            (LegalHold.reason, LegalHold.placed_by),
            LegalHold.placed_at,
            LegalHold.id,
            q,
            FEW_ROWS,
            "holds",
            cut,
        )
    ]
    active = LegalHold.select().where((LegalHold.order == order) & LegalHold.released_at.is_null()).first()
    categories, note = _categories(order, active is not None)
    audit.record(actor.username, "order.read", order.ref)
    customer = order.customer
    return OrderDetail(
        order.ref,
        customer.number,
        customer.name,
        order.billing_class,
        order.description,
        order.opened_at,
        order.completed_at,
        order.billed_on,
        sessions,
        categories,
        holds,
        note,
        _hold_line(active) if active is not None else None,
        cut,
    )


def _hold_line(hold: LegalHold) -> HoldLine:
    return HoldLine(hold.id, hold.reason, hold.placed_at, hold.placed_by, hold.released_at)


@dataclass(frozen=True)
class SessionDetail:
    ref: str
    order_ref: str
    customer: str
    technician: str
    started_at: datetime
    ended_at: datetime | None
    customer_ip: str | None
    workstation: str | None
    customer_person: str | None
    screen_private: bool
    participants: list[tuple[str, datetime, datetime | None]] = field(default_factory=list)
    consents: list[tuple[str, str, str, bool, str, datetime]] = field(
        default_factory=list
    )  # ref kind by granted method at
    disclosures: list[tuple[str, str, str, list[str], str, datetime]] = field(
        default_factory=list
    )  # ref recipient basis categories scope at
    activity: list[tuple[datetime, str, str | None, str | None]] = field(default_factory=list)  # at action detail file
    chat: list[tuple[datetime, str, str]] = field(default_factory=list)
    system_info: list[tuple[datetime, str]] = field(default_factory=list)
    cut: dict[str, int] = field(default_factory=dict)  # list name → how many rows it has, where cut at its cap


def session_ref_of_consent(ref: str) -> str | None:
    """The ref of the session a consent belongs to, or None if there is no such consent (one indexed row)."""
    row = (
        RemoteSession.select(RemoteSession.ref)
        .join(Consent, on=(Consent.session == RemoteSession.id))
        .where(Consent.ref == ref)
        .tuples()
        .first()
    )
    return row[0] if row else None


def reference_exists(kind: str, ref: str) -> bool:
    """Whether the record a typed reference names exists (one indexed row; no personal data is read).

    `kind` is "order", "session", "request", "customer" or "batch" (then `ref` is the number).
    """
    from models.core.entities import AccessRequest, BillingBatch, Customer, Order

    column: Any = {
        "order": Order.ref,
        "session": RemoteSession.ref,
        "request": AccessRequest.ref,
        "customer": Customer.number,
        "batch": BillingBatch.number,
    }[kind]
    value: object = int(ref) if kind == "batch" else ref
    return column.model.select(column).where(column == value).exists()


def session_detail(actor: Staff, ref: str, q: ListQuery | None = None) -> SessionDetail:
    """One session with its consents, colleagues, activity, chat and system information; audited.

    `q` narrows every list to the rows containing its text and turns their time order round."""
    require_role(actor, *DETAIL_ROLES)
    s = RemoteSession.get_or_none(RemoteSession.ref == ref)
    if s is None:
        raise NotFound(_("no session {ref}").format(ref=ref))
    cut: dict[str, int] = {}

    def lines(model: Any, searched: tuple[Any, ...], name: str, cap: int = DETAIL_ROWS) -> list[Any]:
        return _lines(model.select().where(model.session == s), searched, model.at, model.id, q, cap, name, cut)

    detail = SessionDetail(
        s.ref,
        s.order.ref,
        s.order.customer.name,
        s.technician.username,
        s.started_at,
        s.ended_at,
        s.customer_ip,
        s.workstation,
        s.customer_person,
        s.screen_private,
        participants=[
            (p.staff.username, p.joined_at, p.left_at)
            for p in _lines(
                Participant.select(Participant, Staff).join(Staff).where(Participant.session == s),
                (Staff.username,),
                Participant.joined_at,
                Participant.id,
                q,
                DETAIL_ROWS,
                "participants",
                cut,
            )
        ],
        consents=[
            (c.ref, c.kind, c.given_by, c.granted, c.method, c.at)
            for c in lines(Consent, (Consent.ref, Consent.given_by), "consents")
        ],
        disclosures=[
            (d.ref, d.recipient, d.basis, json.loads(d.categories), d.scope, d.at)
            for d in lines(Disclosure, (Disclosure.ref, Disclosure.recipient, Disclosure.scope), "disclosures")
        ],
        activity=[
            (a.at, a.action, a.detail, _file_text(a))
            for a in lines(
                ActivityEvent, (ActivityEvent.action, ActivityEvent.detail, ActivityEvent.file_name), "activity"
            )
        ],
        chat=[(m.at, m.sender, m.text) for m in lines(ChatMessage, (ChatMessage.sender, ChatMessage.text), "chat")],
        system_info=[(i.at, i.data) for i in lines(SystemInfo, (SystemInfo.data,), "system_info", cap=FEW_ROWS)],
        cut=cut,
    )
    audit.record(actor.username, "session.read", s.ref, "detail incl. chat" if detail.chat else "detail")
    return detail


def _file_text(event: ActivityEvent) -> str | None:
    if not event.file_name:
        return None
    return f"{event.direction} {event.file_name} ({event.file_size} B, sha256 {event.file_sha256[:12]}…)"
