"""Orders and sessions many at a time (imports): the checks of orders.py and sessions.py, set-wise.

Each function checks every item with the same validators and rule functions as its
one-at-a-time sibling, looks up what it needs in a few chunked queries, writes with one
`executemany` per table and records one audit event per kind. A refused item raises
`ItemRefused(index, error)`; the caller's transaction then rolls everything back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from models.core import audit, clock, validation
from models.core.bulk_rows import ItemRefused, among, batch_detail, chunks, ids_by, insert_rows, update_rows
from models.core.db import write_tx
from models.core.entities import (
    BILLING_CLASSES,
    BillingRecord,
    Consent,
    ConsentWording,
    Customer,
    Order,
    Participant,
    RemoteSession,
    Staff,
)
from models.core.errors import NotFound, RuleViolation, Support24Error, ValidationError
from models.core.i18n import _
from models.core.identity import require_role
from models.core.refs import insert_numbered
from models.core.text import fold
from models.retention import due as retention_due
from models.retention import policy
from models.sessions import orders as single_orders
from models.sessions import rules
from models.sessions import sessions as single
from models.sessions.orders import ORDER_ROLES, billed_fields, billing_record_fields
from models.sessions.sessions import SESSION_ROLES, SessionInput

T = TypeVar("T")


def _each(items: list[Any], check: Callable[[Any], T]) -> list[T]:
    """`check` applied to every item; the first refusal names its index."""
    out = []
    for index, item in enumerate(items):
        try:
            out.append(check(item))
        except ItemRefused:
            raise
        except Support24Error as exc:
            raise ItemRefused(index, exc) from exc
    return out


def _refuse(index: int, error: Support24Error) -> None:
    raise ItemRefused(index, error)


# --- orders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderInput:
    customer: str
    ref: str
    billing_class: str = "billable"
    opened_at: datetime | str | None = None
    description: str | None = None


_ORDER_COLUMNS = ("ref", "customer", "opened_at", "billing_class", "description", "created_at")


def open_orders(actor: Staff, items: list[OrderInput]) -> int:
    """orders.open_order for many orders with refs given."""
    require_role(actor, *ORDER_ROLES)

    def clean(item: OrderInput) -> list[Any]:
        return [
            item.ref,
            item.customer,
            validation.timestamp("opened_at", item.opened_at, required=False) or clock.now(),
            validation.choice("billing_class", item.billing_class, BILLING_CLASSES),
            validation.text("description", item.description, required=False, max_length=2000),
            clock.now(),
        ]

    rows = _each(items, clean)
    if not rows:
        return 0
    with write_tx():
        customers = ids_by(Customer, Customer.number, (r[1] for r in rows))
        taken = ids_by(Order, Order.ref, (r[0] for r in rows))
        seen: set[str] = set()
        for index, row in enumerate(rows):
            if row[1] not in customers:
                _refuse(index, NotFound(_("no customer {number}").format(number=row[1])))
            if row[0] in taken or row[0] in seen:
                _refuse(index, ValidationError("ref", _("order {ref} exists already").format(ref=row[0])))
            seen.add(row[0])
            row[1] = customers[row[1]]
        insert_rows(Order, _ORDER_COLUMNS, rows)
        audit.record(actor.username, "order.open", None, batch_detail([r[0] for r in rows]))
    return len(rows)


# --- sessions and their first consents -----------------------------------------------------

_SESSION_COLUMNS = (
    "ref",
    "order",
    "technician",
    "started_at",
    "customer_ip",
    "workstation",
    "workstation_key",
    "customer_person",
    "customer_person_key",
    "screen_private",
    "tool",
    "external_id",
    "created_at",
)
_CONSENT_COLUMNS = (
    "ref",
    "session",
    "kind",
    "given_by",
    "given_by_key",
    "method",
    "granted",
    "at",
    "recorded_by",
    "wording",
    "corrects",
    "note",
    "created_at",
)


class _Wordings:
    """The wording a consent refers to, looked up once per kind and version."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, int | None], int | None] = {}

    def __call__(self, kind: str, version: int | None) -> int | None:
        key = (kind, version)
        if key not in self.cache:
            query = ConsentWording.select(ConsentWording.id).where(ConsentWording.kind == kind)
            if version is not None:
                row = query.where(ConsentWording.version == version).first()
                if row is None:
                    raise ValidationError(
                        "wording_version", _("no wording version {v} for {kind}").format(v=version, kind=kind)
                    )
            else:
                row = query.order_by(ConsentWording.version.desc()).first()
            self.cache[key] = row.id if row else None
        return self.cache[key]


def prepare_sessions(items: list[SessionInput]) -> list[dict[str, Any]]:
    """The field checks of start_sessions, without the database (run before the write lock)."""
    return _each(items, single.clean_session_input)


def start_sessions(
    actor: Staff,
    items: list[SessionInput],
    cleaned: list[dict[str, Any]] | None = None,
    *,
    with_consents: bool = True,
) -> dict[str, int]:
    """sessions.start_session for many new sessions with refs given; returns ref -> id.

    `cleaned`: what prepare_sessions returned for the same items, if it ran already. Without
    `with_consents` the consents are checked as always (P4 needs them) but not stored: the
    caller stores them with record_first_consents later in the same transaction (numbering
    them takes the `ref` lock, which a long job takes as late as it can)."""
    require_role(actor, *SESSION_ROLES)
    if cleaned is None or len(cleaned) != len(items):
        cleaned = prepare_sessions(items)
    if not cleaned:
        return {}
    wordings = _Wordings()
    with write_tx():
        order_rows = {
            row.ref: row
            for chunk in chunks(sorted({i.order for i in items}))
            for row in Order.select().where(among(Order.ref, chunk))
        }
        customers = {
            c.id: c
            for chunk in chunks(sorted({o.customer_id for o in order_rows.values()}))
            for c in Customer.select().where(among(Customer.id, chunk))
        }
        staff = {
            s.username: s
            for chunk in chunks(sorted({i.technician for i in items}))
            for s in Staff.select().where(among(Staff.username, chunk))
        }
        taken_refs = ids_by(RemoteSession, RemoteSession.ref, (i.ref for i in items if i.ref))
        externals = {c["external_id"] for c in cleaned if c["external_id"]}
        taken_external: set[tuple[str | None, str]] = set()
        for chunk in chunks(sorted(externals)):
            taken_external |= set(
                RemoteSession.select(RemoteSession.tool, RemoteSession.external_id)
                .where(among(RemoteSession.external_id, chunk))
                .tuples()
            )
        rows, consents = [], []
        for index, (item, clean) in enumerate(zip(items, cleaned, strict=True)):
            try:
                order = order_rows.get(item.order)
                if order is None:
                    raise ValidationError("order", _("no order {ref}").format(ref=item.order))
                technician = staff.get(item.technician)
                if technician is None:
                    raise ValidationError("technician", _("no staff member {user!r}").format(user=item.technician))
                single.check_session_start(order, technician, clean["started_at"], customers[order.customer_id])
                key = (clean["tool"], clean["external_id"])
                if clean["external_id"] and key in taken_external:
                    raise ValidationError(
                        "external_id",
                        _("a session with {tool} id {id} exists already").format(tool=key[0], id=key[1]),
                    )
                taken_external.add(key)
                if not item.ref:
                    raise ValidationError("ref", _("is required"))
                if item.ref in taken_refs:
                    raise ValidationError("ref", _("session {ref} exists already").format(ref=item.ref))
                taken_refs[item.ref] = 0
                mine = [single.clean_consent(c) for c in item.consents]
                for consent in mine:
                    if consent["corrects_ref"]:  # a new session has no consent to correct yet
                        raise ValidationError(
                            "corrects",
                            _("no consent {ref} on session {session}").format(
                                ref=consent["corrects_ref"], session=item.ref
                            ),
                        )
                    consent["wording"] = wordings(consent["kind"], consent["wording_version"])
                facts = [rules.ConsentFact(c["at"], (1, n), c["kind"], c["granted"]) for n, c in enumerate(mine)]
                problem = rules.screen_visibility_problem(clean["screen_private"], facts, clean["started_at"])
                if problem is not None:
                    raise RuleViolation(problem)
            except Support24Error as exc:
                raise ItemRefused(index, exc) from exc
            rows.append([item.ref, order.id, technician.id, *(clean[c] for c in _SESSION_COLUMNS[3:])])
            consents.extend((item.ref, c) for c in mine)
        insert_rows(RemoteSession, _SESSION_COLUMNS, rows)
        ids = ids_by(RemoteSession, RemoteSession.ref, (r[0] for r in rows))
        if with_consents:
            _insert_first_consents(actor, consents, ids)
        audit.record(actor.username, "session.start", None, batch_detail([r[0] for r in rows]))
    return ids


def record_first_consents(actor: Staff, items: list[SessionInput]) -> int:
    """The consents of sessions start_sessions started without them (the same items)."""
    require_role(actor, *SESSION_ROLES)
    wordings = _Wordings()

    def clean(item: SessionInput) -> list[tuple[str, dict[str, Any]]]:
        mine = [single.clean_consent(c) for c in item.consents]
        for consent in mine:
            consent["wording"] = wordings(consent["kind"], consent["wording_version"])
        return [(item.ref, c) for c in mine if item.ref]

    with write_tx():
        consents = [pair for pairs in _each(items, clean) for pair in pairs]
        if consents:
            _insert_first_consents(actor, consents, ids_by(RemoteSession, RemoteSession.ref, (r for r, _c in consents)))
    return len(consents)


def _insert_first_consents(actor: Staff, consents: list[tuple[str, dict[str, Any]]], ids: dict[str, int]) -> None:
    if not consents:
        return
    now = clock.now()
    rows = [
        [
            ids[session_ref],
            c["kind"],
            c["given_by"],
            fold(c["given_by"]),
            c["method"],
            c["granted"],
            c["at"],
            actor.id,
            c["wording"],
            None,
            c["note"],
            now,
        ]
        for session_ref, c in consents
    ]

    years = [clock.berlin_date(c["at"]).year for _ref, c in consents]
    insert_numbered(
        Consent,
        "C",
        years,
        _CONSENT_COLUMNS[1:],
        rows,
        lambda refs: audit.record(actor.username, "consent.record", None, batch_detail(refs)),
    )


def end_sessions(actor: Staff, items: list[tuple[str, datetime | str]]) -> int:
    """sessions.end_session for many (ref, ended_at) pairs."""
    require_role(actor, *SESSION_ROLES)
    ends = _each(items, lambda item: validation.timestamp("ended_at", item[1], required=False) or clock.now())
    if not ends:
        return 0
    with write_tx():
        stored = {
            row.ref: row
            for chunk in chunks(sorted({ref for ref, _at in items}))
            for row in RemoteSession.select(
                RemoteSession.id, RemoteSession.ref, RemoteSession.started_at, RemoteSession.ended_at
            ).where(among(RemoteSession.ref, chunk))
        }
        updates = []
        for index, ((ref, _at), ended) in enumerate(zip(items, ends, strict=True)):
            session = stored.get(ref)
            if session is None:
                _refuse(index, NotFound(_("no session {ref}").format(ref=ref)))
            try:
                single.check_end(session, ended)
            except Support24Error as exc:
                raise ItemRefused(index, exc) from exc
            session.ended_at = ended
            updates.append((ended, session.id))
        update_rows(RemoteSession, ("ended_at",), updates)
        _close_participants(updates)
        audit.record(actor.username, "session.end", None, batch_detail([ref for ref, _at in items]))
    return len(updates)


def _close_participants(ends: list[tuple[datetime, int]]) -> None:
    """Participants still in a session leave with its end, as end_session does."""
    by_session = {session_id: ended for ended, session_id in ends}
    open_stays = [
        (row.id, row.session_id)
        for chunk in chunks(sorted(by_session))
        for row in Participant.select(Participant.id, Participant.session).where(
            among(Participant.session, chunk) & Participant.left_at.is_null()
        )
    ]
    if open_stays:
        update_rows(Participant, ("left_at",), ((by_session[sid], pid) for pid, sid in open_stays))


# --- completion and billing ----------------------------------------------------------------

_BILLING_COLUMNS = (
    "ref",
    "order",
    "session",
    "session_ref",
    "session_date",
    "started_at",
    "ended_at",
    "duration_minutes",
    "customer_number",
    "customer_name",
    "customer_name_key",
    "workstation_or_employee",
    "workstation_or_employee_key",
    "billing_class",
    "due_at",
    "created_at",
)


def settle_orders(
    actor: Staff,
    completions: list[tuple[str, datetime | str]],
    billings: list[tuple[str, date | str]],
) -> tuple[int, int]:
    """orders.complete_order for many (ref, completed_at), then orders.mark_billed for many
    (ref, billed_on); the retention rows of every touched order are written once at the end.

    Errors name the index into `completions`, or len(completions) + the index into `billings`.
    Returns how many billing records were created and how many orders were billed.
    """
    if completions:
        require_role(actor, *ORDER_ROLES)
    if billings:
        require_role(actor, "accounting", "admin")
    completed_ats = _each(completions, lambda c: single_orders.clean_completed(c[1]))
    days = []
    for index, (_ref, billed_on) in enumerate(billings):
        try:
            days.append(single_orders.clean_billed_on(billed_on))
        except Support24Error as exc:
            raise ItemRefused(len(completions) + index, exc) from exc
    created = 0
    with write_tx():
        refs = sorted({r for r, _c in completions} | {r for r, _b in billings})
        stored = {row.ref: row for chunk in chunks(refs) for row in Order.select().where(among(Order.ref, chunk))}
        touched: dict[int, Order] = {}
        if completions:
            created = _complete(actor, completions, completed_ats, stored, touched)
        for index, ((ref, _b), day) in enumerate(zip(billings, days, strict=True)):
            order = stored.get(ref)
            try:
                if order is None:
                    raise NotFound(_("no order {ref}").format(ref=ref))
                single_orders.check_billable(order, day)
            except Support24Error as exc:
                raise ItemRefused(len(completions) + index, exc) from exc
            for name, value in billed_fields(day).items():
                setattr(order, name, value)
            touched[order.id] = order
        if billings:
            update_rows(
                Order,
                ("billed_on", "records_due_at"),
                ((stored[r].billed_on, stored[r].records_due_at, stored[r].id) for r, _b in billings),
            )
        retention_due.refresh_orders(list(touched.values()))
        if billings:
            audit.record(actor.username, "order.billed", None, batch_detail([r for r, _b in billings]))
    return created, len(billings)


def _complete(
    actor: Staff,
    completions: list[tuple[str, datetime | str]],
    completed_ats: list[datetime],
    stored: dict[str, Order],
    touched: dict[int, Order],
) -> int:
    sessions_of: dict[int, list[RemoteSession]] = defaultdict(list)
    ids = sorted({o.id for o in stored.values()})
    for chunk in chunks(ids):
        for row in (
            RemoteSession.select()
            .where(among(RemoteSession.order, chunk))
            .order_by(RemoteSession.started_at, RemoteSession.id)
        ):
            sessions_of[row.order_id].append(row)
    for index, ((ref, _c), completed) in enumerate(zip(completions, completed_ats, strict=True)):
        order = stored.get(ref)
        try:
            if order is None:
                raise NotFound(_("no order {ref}").format(ref=ref))
            single_orders.check_completion(order, completed, sessions_of[order.id])
        except Support24Error as exc:
            raise ItemRefused(index, exc) from exc
        order.completed_at = completed
        order.gathered_due_at = policy.order_gathered_due(completed)
        touched[order.id] = order
    done = [stored[r] for r, _c in completions]
    update_rows(Order, ("completed_at", "gathered_due_at"), ((o.completed_at, o.gathered_due_at, o.id) for o in done))
    billed_refs = {
        ref
        for chunk in chunks(sorted(s.ref for o in done for s in sessions_of[o.id]))
        for (ref,) in BillingRecord.select(BillingRecord.session_ref)
        .where(among(BillingRecord.session_ref, chunk))
        .tuples()
    }
    customers = {
        c.id: c
        for chunk in chunks(sorted({o.customer_id for o in done}))
        for c in Customer.select().where(among(Customer.id, chunk))
    }
    records = [
        billing_record_fields(session, order, customers[order.customer_id])
        for order in done
        for session in sessions_of[order.id]
        if session.ref not in billed_refs
    ]
    now = clock.now()
    insert_numbered(
        BillingRecord,
        "B",
        [r["session_date"].year for r in records],
        _BILLING_COLUMNS[1:],
        ([*(r[c] for c in _BILLING_COLUMNS[1:-1]), now] for r in records),
        lambda refs: audit.record(actor.username, "billing.create", None, batch_detail(refs)),
    )
    audit.record(actor.username, "order.complete", None, batch_detail([o.ref for o in done]))
    return len(records)
