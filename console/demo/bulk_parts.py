"""Pieces of the bulk demo that are not orders: refs, the audit chain, staff, customers, access requests.

Each keeps the rules the domain functions would enforce (refs through a counter stored in
RefCounter, an audit chain that `audit verify` accepts, commitment dates before any work,
deadlines from models.deadlines), only written in bulk.
"""

from __future__ import annotations

import heapq
import json
import random
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from console.demo import common, names
from console.demo.bulk_writer import BulkWriter
from models.access import deadlines
from models.access import requests as access
from models.core import audit, clock
from models.core.entities import (
    AccessRequest,
    AuditEvent,
    ConsentWording,
    ContactPerson,
    Customer,
    RefCounter,
    Staff,
)
from models.core.text import fold
from models.retention import policy

UTC = timezone.utc


class Refs:
    """PREFIX-YEAR-NNNN numbers handed out in bulk; `store()` leaves RefCounter where next_ref continues."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, int], int] = defaultdict(int)

    def next(self, prefix: str, year: int) -> str:
        key = (prefix, year)
        self.last[key] += 1
        return f"{prefix}-{year}-{self.last[key]:04d}"

    def store(self) -> None:
        for (prefix, year), last in self.last.items():
            RefCounter.delete().where((RefCounter.prefix == prefix) & (RefCounter.year == year)).execute()
            RefCounter.insert(prefix=prefix, year=year, last=last).execute()


class AuditChain:
    """Audit events pushed in any order, chained in time order once no earlier event can come."""

    def __init__(self, writer: BulkWriter, ts: Any) -> None:
        self.writer, self.ts = writer, ts
        self.next_id, self.prev_hash = audit.head()[0] + 1, audit.head()[1]
        self.heap: list[tuple[datetime, int, str, str, str | None, str | None]] = []
        self.serial = 0  # tie-breaker keeps pushes with the same instant in push order
        self.count = 0

    def push(self, at: datetime, actor: str, action: str, ref: str | None = None, detail: str | None = None) -> None:
        self.serial += 1
        heapq.heappush(self.heap, (at, self.serial, actor, action, ref, detail))

    def release_until(self, moment: datetime | None) -> None:
        """Chain every pending event at or before `moment` (all of them for None)."""
        heap = self.heap
        while heap and (moment is None or heap[0][0] <= moment):
            at, _serial, actor, action, ref, detail = heapq.heappop(heap)
            event_hash = audit.digest(self.next_id, at.replace(tzinfo=UTC), actor, action, ref, detail, self.prev_hash)
            self.writer.add(
                AuditEvent, (self.next_id, self.ts(at), actor, action, ref, detail, self.prev_hash, event_hash)
            )
            self.prev_hash = event_hash
            self.next_id += 1
            self.count += 1

    def store_head(self) -> None:
        if self.count:
            audit.set_head(self.next_id - 1, self.prev_hash)


@dataclass
class People:
    """Staff and customers of the bulk demo, as the order generator needs them."""

    technicians: list[tuple[int, str, date]] = field(default_factory=list)  # (id, username, commitment) by commitment
    commitments: list[date] = field(default_factory=list)
    accountant: str = ""
    officer: str = ""
    customers: list[tuple[int, str, str, str]] = field(default_factory=list)  # (id, number, name, name_key)
    cum_weights: list[float] = field(default_factory=list)
    contacts: dict[int, list[str]] = field(default_factory=dict)  # customer id -> names
    wordings: dict[str, int] = field(default_factory=dict)

    def technician(self, rng: random.Random, day: date) -> tuple[int, str, date]:
        """A technician whose commitment was signed on or before `day` (P3)."""
        eligible = max(1, bisect_right(self.commitments, day))
        return self.technicians[rng.randrange(eligible)]

    def customer(self, rng: random.Random) -> tuple[int, str, str, str]:
        """Customers by a long-tailed weight: a few big contract customers, many small ones."""
        return rng.choices(self.customers, cum_weights=self.cum_weights)[0]


def next_id(model: type) -> int:
    return (model.select(model.id).order_by(model.id.desc()).scalar() or 0) + 1  # type: ignore[attr-defined]


def make_people(
    writer: BulkWriter,
    chain: AuditChain,
    rng: random.Random,
    start: datetime,
    technicians: int,
    customers: int,
    ts: Any,
    day: Any,
) -> People:
    """Technicians (most committed before the history starts, some hired later), back office, customers, contacts."""
    people = People()
    staff_id = next_id(Staff)
    used = {s.username for s in Staff.select(Staff.username)}
    first_day = clock.berlin_date(start.replace(tzinfo=UTC)) - timedelta(days=30)
    today = clock.today_berlin()
    rows = []
    for index in range(technicians + 2):
        full = common.person_name(rng)
        user = _username(full, used)
        if index < technicians:
            hired = (
                first_day
                if index < technicians * 2 // 3
                else first_day + timedelta(days=rng.randint(200, (today - first_day).days - 60))
            )
            roles = "technician"
        else:
            hired, roles = first_day, ("accounting" if index == technicians else "privacy_officer")
        created = datetime(hired.year, hired.month, hired.day, 8, 0)
        writer.add(Staff, (staff_id, user, full, roles, day(hired), day(hired), True, ts(created)))
        chain.push(created, user if index else "setup", "staff.register", user)
        if roles == "technician":
            rows.append((staff_id, user, hired))
        elif roles == "accounting":
            people.accountant = user
        else:
            people.officer = user
        staff_id += 1
    rows.sort(key=lambda r: r[2])
    people.technicians, people.commitments = rows, [r[2] for r in rows]
    _customers(writer, chain, rng, start, customers, ts, people)
    wording_id = next_id(ConsentWording)
    for kind, text in names.CONSENT_WORDINGS.items():
        writer.add(ConsentWording, (wording_id, kind, 1, "de", text, ts(start)))
        people.wordings[kind] = wording_id
        wording_id += 1
    return people


def _customers(
    writer: BulkWriter, chain: AuditChain, rng: random.Random, start: datetime, count: int, ts: Any, people: People
) -> None:
    customer_id, contact_id = next_id(Customer), next_id(ContactPerson)
    total = 0.0
    for index in range(count):
        name, secrecy = common.firm_name(rng, index)
        number = f"K-{10001 + index}"
        created = start - timedelta(days=rng.randint(1, 60))
        email = f"info@kunde{10001 + index}.example" if index % 4 else None
        writer.add(Customer, (customer_id, number, name, fold(name), email, common.address(rng), secrecy, ts(created)))
        chain.push(created, people.accountant, "customer.register", number)
        contacts = []
        for _ in range(rng.randint(1, 3)):
            person = common.person_name(rng)
            writer.add(
                ContactPerson,
                (
                    contact_id,
                    customer_id,
                    person,
                    fold(person),
                    None,
                    f"+49 6181 {rng.randint(10000, 99999)}",
                    ts(created),
                ),
            )
            contact_id += 1
            contacts.append(person)
        people.contacts[customer_id] = contacts
        people.customers.append((customer_id, number, name, fold(name)))
        total += 1.0 / (index + 1) ** 0.6
        people.cum_weights.append(total)
        customer_id += 1


def _username(full: str, used: set[str]) -> str:
    parts = fold(full).replace("-", " ").split()
    base = "".join(ch for ch in parts[0][0] + parts[-1] if ch.isascii() and ch.isalnum())[:20] or "user"
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}{number}"
    used.add(candidate)
    return candidate


def access_requests(
    writer: BulkWriter,
    chain: AuditChain,
    rng: random.Random,
    refs: Refs,
    people: People,
    start: datetime,
    now: datetime,
    count: int,
    ts: Any,
    day: Any,
) -> None:
    """Requests over the years, almost all answered; the biggest customer's contact asked last month."""
    request_id = next_id(AccessRequest)
    today = clock.berlin_date(now.replace(tzinfo=UTC))
    first = clock.berlin_date(start.replace(tzinfo=UTC))
    span = (today - timedelta(days=45) - first).days
    received_days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(max(0, count - 1)))
    received_days.append(today - timedelta(days=20))
    rule = policy.active().rule("access_requests")
    for index, received in enumerate(received_days):
        customer = people.customers[0] if index == len(received_days) - 1 else people.customer(rng)
        name = people.contacts[customer[0]][0]
        due = deadlines.answer_due(received)
        at = datetime(received.year, received.month, received.day, 9, 0)
        rejected = rng.random() < 0.06 and index != len(received_days) - 1
        state = "verified" if index == len(received_days) - 1 else ("rejected" if rejected else "delivered")
        closed = None if state == "verified" else at + timedelta(days=rng.randint(5, 25))
        ref = refs.next(access.REF_PREFIX, received.year)
        writer.add(
            AccessRequest,
            (
                request_id,
                ref,
                name,
                fold(name),
                None,
                customer[0],
                common.address(rng),
                json.dumps({"workstations": [rng.choice(names.WORKSTATIONS)]}, ensure_ascii=False),
                day(received),
                rng.choice(("letter", "email", "fax")),
                day(due),
                state,
                ts(at + timedelta(days=2)),
                "Rückruf unter bekannter Telefonnummer",
                people.officer,
                ts(None if state == "verified" else at + timedelta(days=3)),
                day(closed.date()) if state == "delivered" and closed else None,
                "Identität ließ sich nicht bestätigen" if state == "rejected" else None,
                ts(closed),
                ts(None if closed is None else rule.due_from(closed.replace(tzinfo=UTC)).replace(tzinfo=None)),
                ts(at),
            ),
        )
        chain.push(at, people.officer, "access.open", ref)
        chain.push(at + timedelta(days=2), people.officer, "access.verify", ref)
        if closed is not None:
            chain.push(closed, people.officer, f"access.{'deliver' if state == 'delivered' else 'reject'}", ref)
        request_id += 1


ACCESS_COLUMNS = (
    "id",
    "ref",
    "name",
    "name_key",
    "email",
    "customer",
    "address",
    "identifiers",
    "received_on",
    "channel",
    "due_on",
    "state",
    "verified_at",
    "verification_method",
    "verified_by",
    "compiled_at",
    "delivered_on",
    "rejected_reason",
    "closed_at",
    "due_at",
    "created_at",
)
