"""Finding every record that names the subject of an access request (GDPR Art. 15, P12).

Each lookup is one query over an indexed column: the folded name keys (`fold`, so that
"Müller", "Mueller" and "MÜLLER" meet), e-mail addresses, customer numbers, workstation
keys and customer IPs. Orders and sessions of the subject's customer come along with it;
a match the officer excluded brings nothing along.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from peewee import SQL, fn

from models.access.rows import ByIds, berlin_day, day_text, raw
from models.core.entities import (
    AccessRequest,
    AccessRequestExclusion,
    BillingRecord,
    Consent,
    ContactPerson,
    Customer,
    Order,
    RemoteSession,
)
from models.core.text import fold

MATCH_KINDS = ("customer", "contact", "order", "session", "consent", "billing_record", "access_request")
REASON_CODES = ("customer_number", "name", "email", "workstation", "ip", "customer", "session", "earlier_request")


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a record matched: a code (REASON_CODES) and the value that matched."""

    code: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "value": self.value}


@dataclass(slots=True)
class Match:
    """One record that names the subject, with every reason it matched."""

    kind: str
    id: int
    ref: str
    label: str
    reasons: list[Reason] = field(default_factory=list)
    excluded: bool = False
    exclusion_reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "ref": self.ref,
            "label": self.label,
            "reasons": [r.as_dict() for r in self.reasons],
            "excluded": self.excluded,
            "exclusion_reason": self.exclusion_reason,
        }


@dataclass(frozen=True)
class Subject:
    """What the requester gave us to find them by, in matching form."""

    request_id: int
    name_key: str
    email: str | None
    customer_id: int | None
    workstation_keys: tuple[str, ...]
    ips: tuple[str, ...]

    @classmethod
    def of(cls, request: AccessRequest) -> Subject:
        extra = json.loads(request.identifiers) if request.identifiers else {}
        return cls(
            request_id=request.id,
            name_key=request.name_key,
            email=request.email,
            customer_id=request.customer_id,
            workstation_keys=tuple(sorted({fold(w) for w in extra.get("workstations", []) if fold(w)})),
            ips=tuple(sorted(set(extra.get("ips", [])))),
        )


def _email_is(column, email: str | None):
    """Case-insensitive e-mail comparison, served by the LOWER(email) indexes (entities.py)."""
    return fn.LOWER(column) == fn.LOWER(email) if email else SQL("1 = 0")


class _Found:
    """Matches collected by (kind, id), so a record found twice carries both reasons."""

    def __init__(self, excluded: dict[tuple[str, int], str]) -> None:
        self.by_key: dict[tuple[str, int], Match] = {}
        self.excluded = excluded
        self._reasons: dict[tuple[str, str], Reason] = {}

    def reason(self, code: str, value: str) -> Reason:
        """One Reason object per code and value: tens of thousands of records share a few."""
        key = (code, value)
        reason = self._reasons.get(key)
        if reason is None:
            reason = self._reasons[key] = Reason(code, value)
        return reason

    def add(self, kind: str, record_id: int, ref: str, label: str, reason: Reason) -> None:
        key = (kind, record_id)
        match = self.by_key.get(key)
        if match is None:
            match = self.by_key[key] = Match(kind, record_id, ref, label, [reason])
            if key in self.excluded:
                match.excluded, match.exclusion_reason = True, self.excluded[key]
        elif reason not in match.reasons:
            match.reasons.append(reason)

    def ids(self, kind: str) -> list[int]:
        """Ids of the included (not excluded) matches of `kind`: only these bring more along."""
        return [m.id for (k, _i), m in self.by_key.items() if k == kind and not m.excluded]

    def ordered(self) -> list[Match]:
        order = {kind: n for n, kind in enumerate(MATCH_KINDS)}
        return sorted(self.by_key.values(), key=lambda m: (order[m.kind], m.ref, m.id))


def _in(column, values: Iterable[object]):
    """`column IN values`, or a false condition when there are none (no empty IN lists)."""
    values = list(values)
    return column.in_(values) if values else SQL("1 = 0")


CHUNK = 500  # ids per IN list: well below SQLite's and PostgreSQL's parameter limits


def chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


Progress = Callable[[int, int], None]  # (done, total), as every long job reports it


def find_matches(subject: Subject, progress: Progress | None = None) -> list[Match]:
    """Every record naming the subject, each with its reasons and exclusion, in a stable order.
    `progress(done, total)` hears after each kind of record looked through."""
    excluded = {
        (e.record_kind, e.record_id): e.reason
        for e in AccessRequestExclusion.select().where(AccessRequestExclusion.request == subject.request_id)
    }
    found = _Found(excluded)
    steps = (_customers, _contacts, _orders_and_sessions, _consents, _billing_records, _earlier_requests)
    for done, step in enumerate(steps, start=1):
        step(subject, found)
        if progress is not None:
            progress(done, len(steps))
    return found.ordered()


def _customers(subject: Subject, found: _Found) -> None:
    if subject.customer_id is not None:
        for c in Customer.select().where(Customer.id == subject.customer_id):
            found.add("customer", c.id, c.number, c.name, Reason("customer_number", c.number))
    for c in Customer.select().where(Customer.name_key == subject.name_key):
        found.add("customer", c.id, c.number, c.name, Reason("name", c.name))
    for c in Customer.select().where(_email_is(Customer.email, subject.email)):
        found.add("customer", c.id, c.number, c.name, Reason("email", c.email))


def _contacts(subject: Subject, found: _Found) -> None:
    query = ContactPerson.select(ContactPerson, Customer.number).join(Customer)
    for c in query.where(ContactPerson.name_key == subject.name_key):
        found.add("contact", c.id, c.customer.number, c.name, Reason("name", c.name))
    for c in query.where(_email_is(ContactPerson.email, subject.email)):
        found.add("contact", c.id, c.customer.number, c.name, Reason("email", c.email))


def _orders_and_sessions(subject: Subject, found: _Found) -> None:
    customers = found.ids("customer")
    numbers = {m.id: found.reason("customer", m.ref) for m in found.by_key.values() if m.kind == "customer"}
    add = found.add
    orders = Order.select(Order.id, Order.ref, Order.opened_at, Order.customer).where(_in(Order.customer, customers))
    for order_id, ref, opened_at, customer_id in raw(orders):
        add("order", order_id, ref, berlin_day(opened_at), numbers[customer_id])
    order_reasons = {
        m.id: found.reason("customer", m.ref) for m in found.by_key.values() if m.kind == "order" and not m.excluded
    }
    columns = (RemoteSession.id, RemoteSession.ref, RemoteSession.started_at, RemoteSession.order)
    by_order = ByIds(lambda ids: RemoteSession.select(*columns).where(RemoteSession.order.in_(ids)), raw=True)
    for session_id, ref, started_at, order_id in by_order.chunked(order_reasons):
        add("session", session_id, ref, berlin_day(started_at), order_reasons[order_id])

    def sessions(condition, extra):
        return raw(RemoteSession.select(*columns[:3], extra).where(condition))

    for session_id, ref, started_at, person in sessions(
        RemoteSession.customer_person_key == subject.name_key, RemoteSession.customer_person
    ):
        add("session", session_id, ref, berlin_day(started_at), found.reason("name", person or ""))
    for session_id, ref, started_at, workstation in sessions(
        _in(RemoteSession.workstation_key, subject.workstation_keys), RemoteSession.workstation
    ):
        add("session", session_id, ref, berlin_day(started_at), found.reason("workstation", workstation or ""))
    for session_id, ref, started_at, ip in sessions(
        _in(RemoteSession.customer_ip, subject.ips), RemoteSession.customer_ip
    ):
        add("session", session_id, ref, berlin_day(started_at), found.reason("ip", ip or ""))


def _consents(subject: Subject, found: _Found) -> None:
    query = Consent.select(Consent.id, Consent.ref, Consent.kind, Consent.given_by)
    for consent_id, ref, kind, given_by in raw(query.where(Consent.given_by_key == subject.name_key)):
        found.add("consent", consent_id, ref, kind, found.reason("name", given_by))


def _billing_records(subject: Subject, found: _Found) -> None:
    numbers = [m.ref for m in found.by_key.values() if m.kind == "customer" and not m.excluded]
    add, reason = found.add, found.reason
    columns = (BillingRecord.id, BillingRecord.ref, BillingRecord.session_date)

    def records(condition, *extra):
        return raw(BillingRecord.select(*columns, *extra).where(condition))

    for record_id, ref, day, number in records(
        _in(BillingRecord.customer_number, numbers), BillingRecord.customer_number
    ):
        add("billing_record", record_id, ref, day_text(day), reason("customer", number))
    for record_id, ref, day, name in records(
        BillingRecord.customer_name_key == subject.name_key, BillingRecord.customer_name
    ):
        add("billing_record", record_id, ref, day_text(day), reason("name", name))
    keys = {subject.name_key, *subject.workstation_keys}
    for record_id, ref, day, value, key in records(
        _in(BillingRecord.workstation_or_employee_key, keys),
        BillingRecord.workstation_or_employee,
        BillingRecord.workstation_or_employee_key,
    ):
        code = "name" if key == subject.name_key else "workstation"
        add("billing_record", record_id, ref, day_text(day), reason(code, value or ""))
    by_session = ByIds(
        lambda ids: BillingRecord.select(*columns, BillingRecord.session_ref).where(BillingRecord.session.in_(ids)),
        raw=True,
    )
    for record_id, ref, day, session_ref in by_session.chunked(found.ids("session")):
        add("billing_record", record_id, ref, day_text(day), reason("session", session_ref))


def _earlier_requests(subject: Subject, found: _Found) -> None:
    others = AccessRequest.id != subject.request_id
    for r in AccessRequest.select().where(others & (AccessRequest.name_key == subject.name_key)):
        found.add("access_request", r.id, r.ref, r.received_on.isoformat(), Reason("name", r.name))
    for r in AccessRequest.select().where(others & _email_is(AccessRequest.email, subject.email)):
        found.add("access_request", r.id, r.ref, r.received_on.isoformat(), Reason("email", r.email or ""))
    customers = found.ids("customer")
    query = AccessRequest.select(AccessRequest, Customer.number).join(Customer)
    for r in query.where(others & _in(AccessRequest.customer, customers)):
        found.add("access_request", r.id, r.ref, r.received_on.isoformat(), Reason("customer", r.customer.number))
