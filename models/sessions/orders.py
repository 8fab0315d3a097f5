"""Order lifecycle: open → completed → billed (P9). Completion creates the billing records."""

from __future__ import annotations

from datetime import date, datetime

from models.core import audit, clock, validation
from models.core.db import write_tx
from models.core.entities import BILLING_CLASSES, BillingRecord, Customer, Order, RemoteSession, Staff
from models.core.errors import NotFound, RuleViolation, ValidationError
from models.core.i18n import _
from models.core.identity import require_role
from models.core.refs import next_ref
from models.core.text import fold
from models.retention import due as retention_due
from models.retention import policy

ORDER_ROLES = ("technician", "admin")


def get_order(ref: str) -> Order:
    order = Order.get_or_none(Order.ref == ref)
    if order is None:
        raise NotFound(_("no order {ref}").format(ref=ref))
    return order


def open_order(
    actor: Staff,
    customer_number: str,
    *,
    billing_class: str = "billable",
    ref: str | None = None,
    opened_at: datetime | str | None = None,
    description: str | None = None,
) -> Order:
    require_role(actor, *ORDER_ROLES)
    billing_class = validation.choice("billing_class", billing_class, BILLING_CLASSES)
    opened = validation.timestamp("opened_at", opened_at, required=False) or clock.now()
    clean_description = validation.text("description", description, required=False, max_length=2000)
    with write_tx():
        customer = Customer.get_or_none(Customer.number == customer_number)
        if customer is None:
            raise NotFound(_("no customer {number}").format(number=customer_number))
        if ref is None:
            ref = next_ref(Order, "A", clock.berlin_date(opened).year)
        elif Order.select().where(Order.ref == ref).exists():
            raise ValidationError("ref", _("order {ref} exists already").format(ref=ref))
        order = Order.create(
            ref=ref,
            customer=customer,
            opened_at=opened,
            billing_class=billing_class,
            description=clean_description,
            created_at=clock.now(),
        )
        audit.record(actor.username, "order.open", order.ref)
    return order


def billing_record_fields(session: RemoteSession, order: Order, customer: Customer) -> dict[str, object]:
    """The P9/P10 fields of one session, as accounting receives them."""
    assert session.ended_at is not None
    minutes = max(0, round((session.ended_at - session.started_at).total_seconds() / 60))
    who = session.workstation or session.customer_person
    session_day = clock.berlin_date(session.started_at)
    return {
        "order": order,
        "session": session,
        "session_ref": session.ref,
        "session_date": session_day,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "duration_minutes": minutes,
        "customer_number": customer.number,
        "customer_name": customer.name,
        "customer_name_key": customer.name_key,
        "workstation_or_employee": who,
        "workstation_or_employee_key": fold(who) if who else None,
        "billing_class": order.billing_class,
        "due_at": policy.billing_due(session_day),
    }


def complete_order(actor: Staff, ref: str, *, completed_at: datetime | str | None = None) -> Order:
    """Mark the job done: every session must have ended; one billing record per session."""
    require_role(actor, *ORDER_ROLES)
    completed = validation.timestamp("completed_at", completed_at, required=False) or clock.now()
    with write_tx():
        order = get_order(ref)
        if order.completed_at is not None:
            raise RuleViolation(_("order {ref} is completed already").format(ref=ref))
        if completed < order.opened_at:
            raise ValidationError("completed_at", _("lies before the order was opened"))
        sessions = list(RemoteSession.select().where(RemoteSession.order == order).order_by(RemoteSession.started_at))
        running = [s.ref for s in sessions if s.ended_at is None]
        if running:
            raise RuleViolation(
                _("order {ref} still has running sessions: {refs}").format(ref=ref, refs=", ".join(running))
            )
        late = [s.ref for s in sessions if s.ended_at and s.ended_at > completed]
        if late:
            raise ValidationError("completed_at", _("lies before the end of session {ref}").format(ref=late[0]))
        order.completed_at = completed
        order.gathered_due_at = policy.order_gathered_due(completed)
        order.save()
        retention_due.refresh_order(order)
        customer = order.customer
        for session in sessions:
            if BillingRecord.select().where(BillingRecord.session_ref == session.ref).exists():
                continue
            fields = billing_record_fields(session, order, customer)
            record = BillingRecord.create(
                ref=next_ref(BillingRecord, "B", fields["session_date"].year),
                created_at=clock.now(),
                **fields,
            )
            audit.record(actor.username, "billing.create", record.ref)
        audit.record(actor.username, "order.complete", order.ref)
    return order


def billed_fields(day: date) -> dict[str, object]:
    """The order columns a billing date sets; one place for mark_billed and batch acknowledgement."""
    return {"billed_on": day, "records_due_at": policy.order_records_due(day)}


def mark_billed(actor: Staff, ref: str, billed_on: date | str) -> Order:
    """Accounting's billing date: starts the 3-month clock of P8."""
    require_role(actor, "accounting", "admin")
    day = validation.day("billed_on", billed_on)
    assert day is not None
    if day > clock.today_berlin():
        raise ValidationError("billed_on", _("lies in the future"))
    with write_tx():
        order = get_order(ref)
        if order.completed_at is None:
            raise RuleViolation(_("order {ref} cannot be billed before it is completed").format(ref=ref))
        if day < clock.berlin_date(order.completed_at):
            raise ValidationError("billed_on", _("lies before the order was completed"))
        if order.billed_on is not None and order.billed_on != day:
            raise RuleViolation(
                _("order {ref} was billed on {day} already").format(ref=ref, day=order.billed_on.isoformat())
            )
        for name, value in billed_fields(day).items():
            setattr(order, name, value)
        order.save()
        retention_due.refresh_order(order)
        audit.record(actor.username, "order.billed", order.ref)
    return order
