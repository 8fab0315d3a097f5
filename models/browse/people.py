"""Staff register, customers and contacts, and the audit trail as keyset-paged lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from peewee import fn

from models.browse.paging import ListQuery, Page, SortKey, chosen_sort, clamp, keyset, page_of
from models.core import audit
from models.core.entities import AuditEvent, ContactPerson, Customer, Staff
from models.core.i18n import N_
from models.core.identity import require_role
from models.core.text import fold


@dataclass(frozen=True)
class StaffRow:
    key: str
    username: str
    name: str
    roles: str
    commitment_signed_on: date | None
    secrecy_commitment_on: date | None
    active: bool


STAFF_SORTS = (SortKey("username", N_("username")),)


def staff_page(after: tuple[Any, ...] | None = None, limit: int = 100, q: ListQuery | None = None) -> Page[StaffRow]:
    """The staff register by username (either way); `q.text` matches the start of the username or the name."""
    limit = clamp(limit)
    query = Staff.select()
    text = (q.text if q is not None else "").strip()
    if text:
        query = query.where(Staff.username.startswith(text) | Staff.name.startswith(text))
    _sort, descending = chosen_sort(STAFF_SORTS, q)
    rows = list(keyset(query, Staff.username, Staff.id, descending, after).limit(limit + 1))
    page = page_of(rows, limit, lambda s: (s.username, s.id))
    return Page(
        [
            StaffRow(s.username, s.username, s.name, s.roles, s.commitment_signed_on, s.secrecy_commitment_on, s.active)
            for s in page.rows
        ],
        page.after,
    )


@dataclass(frozen=True)
class CustomerRow:
    key: str
    number: str
    name: str
    email: str | None
    professional_secrecy: bool
    contacts: int


CUSTOMER_SORTS = (SortKey("number", N_("customer number")), SortKey("name", N_("name")))
_CUSTOMER_COLUMNS = {"number": Customer.number, "name": Customer.name_key}


def customers_page(
    search: str = "", after: tuple[Any, ...] | None = None, limit: int = 100, q: ListQuery | None = None
) -> Page[CustomerRow]:
    """Customers by number or name; `search` (or `q.text`) matches the number or the start of the (folded) name."""
    limit = clamp(limit)
    query = Customer.select()
    search = search.strip() or (q.text.strip() if q is not None else "")
    if search:
        query = query.where((Customer.number.startswith(search)) | Customer.name_key.startswith(fold(search)))
    sort, descending = chosen_sort(CUSTOMER_SORTS, q)
    column = _CUSTOMER_COLUMNS[sort.name]
    rows = list(keyset(query, column, Customer.id, descending, after).limit(limit + 1))
    page = page_of(rows, limit, lambda c: (getattr(c, column.name), c.id))
    ids = [c.id for c in page.rows]
    counts = (
        {
            r.customer_id: r.n
            for r in ContactPerson.select(ContactPerson.customer, fn.COUNT(ContactPerson.id).alias("n"))
            .where(ContactPerson.customer.in_(ids))
            .group_by(ContactPerson.customer)
        }
        if ids
        else {}
    )
    return Page(
        [
            CustomerRow(c.number, c.number, c.name, c.email, c.professional_secrecy, counts.get(c.id, 0))
            for c in page.rows
        ],
        page.after,
    )


@dataclass(frozen=True)
class ContactRow:
    name: str
    email: str | None
    phone: str | None


def contacts_of(actor: Staff, customer_number: str, limit: int = 50) -> list[ContactRow]:
    """A customer's contact persons (personal data: the read is audited)."""
    require_role(actor, "admin", "technician", "privacy_officer")
    rows = [
        ContactRow(p.name, p.email, p.phone)
        for p in ContactPerson.select()
        .join(Customer)
        .where(Customer.number == customer_number)
        .order_by(ContactPerson.name_key)
        .limit(clamp(limit))
    ]
    audit.record(actor.username, "contacts.read", customer_number)
    return rows


@dataclass(frozen=True)
class AuditRow:
    key: str
    id: int
    at: datetime
    actor: str
    action: str
    ref: str | None
    detail: str | None


AUDIT_SORTS = (SortKey("id", N_("event number"), descending=True),)


def audit_page(
    actor_filter: str = "",
    action_prefix: str = "",
    after: tuple[Any, ...] | None = None,
    limit: int = 100,
    q: ListQuery | None = None,
) -> Page[AuditRow]:
    """The trail newest first by id (or oldest first); filters use the indexed actor, action and ref columns."""
    limit = clamp(limit)
    query = AuditEvent.select()
    if actor_filter.strip():
        query = query.where(AuditEvent.actor == actor_filter.strip())
    if action_prefix.strip():
        query = query.where(AuditEvent.action.startswith(action_prefix.strip()))
    if q is not None and q.text.strip():
        query = query.where(AuditEvent.ref.startswith(q.text.strip().upper()))
    _sort, descending = chosen_sort(AUDIT_SORTS, q)
    if after is not None:
        query = query.where(AuditEvent.id < after[0] if descending else AuditEvent.id > after[0])
    rows = list(query.order_by(AuditEvent.id.desc() if descending else AuditEvent.id).limit(limit + 1))
    page = page_of(rows, limit, lambda e: (e.id,))
    return Page([AuditRow(str(e.id), e.id, e.at, e.actor, e.action, e.ref, e.detail) for e in page.rows], page.after)


def verify_trail(actor: Staff) -> audit.VerifyResult:
    """Check the hash chain; who checked is recorded after the check."""
    require_role(actor, "privacy_officer", "admin")
    result = audit.verify()
    audit.record(actor.username, "audit.verify", None, "ok" if result.ok else f"broken at {result.first_bad_id}")
    return result
