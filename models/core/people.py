"""The staff register (P3) and the customer register, with their rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.core import audit, clock, validation
from models.core.bulk_rows import ItemRefused, among, batch_detail, chunks, insert_rows
from models.core.db import write_tx
from models.core.entities import ContactPerson, Customer, Staff
from models.core.errors import NotFound, RuleViolation, ValidationError
from models.core.i18n import _
from models.core.identity import normalize_roles, require_role
from models.core.text import fold


def _past_day(field_name: str, value: date | str | None, *, required: bool = True) -> date | None:
    """A commitment date: a valid day, not after today (a promise not yet signed does not count)."""
    day = validation.day(field_name, value, required=required)
    if day is not None and day > clock.today_berlin():
        raise ValidationError(field_name, _("lies in the future"))
    return day


def register_staff(
    actor: Staff | None,
    username: str,
    name: str,
    roles: str | list[str],
    commitment_signed_on: date | str | None,
    *,
    secrecy_commitment_on: date | str | None = None,
) -> Staff:
    """Add a staff member; `actor` None only for `init` on an empty register."""
    username = validation.username("username", username)
    clean_name = validation.name("name", name)
    role_text = normalize_roles(roles)
    signed = _past_day("commitment_signed_on", commitment_signed_on, required=False)
    secrecy = _past_day("secrecy_commitment_on", secrecy_commitment_on, required=False)
    with write_tx():
        if actor is None:
            if Staff.select().where(Staff.roles.contains("admin")).exists():
                raise RuleViolation(_("an administrator exists already; ask them to add staff"))
        else:
            require_role(actor, "admin")
        if Staff.select().where(Staff.username == username).exists():
            raise ValidationError("username", _("{user!r} is registered already").format(user=username))
        staff = Staff.create(
            username=username,
            name=clean_name,
            roles=role_text,
            commitment_signed_on=signed,
            secrecy_commitment_on=secrecy,
            active=True,
            created_at=clock.now(),
        )
        audit.record(actor.username if actor else username, "staff.register", username)
    return staff


def update_staff(
    actor: Staff,
    username: str,
    *,
    name: str | None = None,
    roles: str | list[str] | None = None,
    commitment_signed_on: date | str | None = None,
    secrecy_commitment_on: date | str | None = None,
    active: bool | None = None,
) -> Staff:
    """Change the name, roles, commitment dates or the active flag of a staff member.

    A date given as "" clears the § 203 commitment; the confidentiality commitment (P3) can
    be corrected but not removed. The audit event names the fields that changed.
    """
    require_role(actor, "admin")
    clean_name = validation.name("name", name) if name is not None else None
    role_text = normalize_roles(roles) if roles is not None else None
    signed = _past_day("commitment_signed_on", commitment_signed_on) if commitment_signed_on is not None else None
    clear_secrecy = secrecy_commitment_on == ""
    secrecy = (
        _past_day("secrecy_commitment_on", secrecy_commitment_on)
        if secrecy_commitment_on is not None and not clear_secrecy
        else None
    )
    with write_tx():
        staff = Staff.get_or_none(Staff.username == username)
        if staff is None:
            raise NotFound(_("no staff member {user!r}").format(user=username))
        changes: list[str] = []
        if clean_name is not None and clean_name != staff.name:
            staff.name = clean_name
            changes.append("name")
        if role_text is not None and role_text != staff.roles:
            if staff.username == actor.username and "admin" not in role_text.split():
                raise ValidationError("roles", _("you cannot take the admin role from your own account"))
            staff.roles = role_text
            changes.append(f"roles={role_text.replace(' ', ',')}")
        if signed is not None and signed != staff.commitment_signed_on:
            staff.commitment_signed_on = signed
            changes.append(f"commitment_signed_on={signed.isoformat()}")
        if clear_secrecy and staff.secrecy_commitment_on is not None:
            staff.secrecy_commitment_on = None
            changes.append("secrecy_commitment_on=none")
        elif secrecy is not None and secrecy != staff.secrecy_commitment_on:
            staff.secrecy_commitment_on = secrecy
            changes.append(f"secrecy_commitment_on={secrecy.isoformat()}")
        if active is not None and active != staff.active:
            if not active and staff.username == actor.username:
                raise RuleViolation(_("you cannot deactivate your own account"))
            staff.active = active
            changes.append("active=yes" if active else "active=no")
        if changes:
            staff.save()
            audit.record(actor.username, "staff.update", username, " ".join(changes))
    return staff


def with_identities(
    actor: Staff,
    username: str,
    step: Callable[[], Staff],
    *,
    add: list[Any] | tuple[()] = (),
    remove: list[str] | tuple[()] = (),
) -> Staff:
    """Register or update a staff member (`step`) and change their tool identities, all or nothing.

    `add` holds registers.IdentityInput items, `remove` "tool:value" strings; the registers
    module keeps the identity rules (it builds on this register, so it is imported here late).
    """
    from models.sessions import registers

    with write_tx():
        staff = step()
        if add or remove:
            registers.change_identities(actor, username, add=list(add), remove=list(remove))
    return staff


def list_staff(actor: Staff) -> list[Staff]:
    """The whole staff register by username (administrators only)."""
    require_role(actor, "admin")
    return list(Staff.select().order_by(Staff.username))


def register_customer(
    actor: Staff,
    number: str,
    name: str,
    *,
    email: str | None = None,
    address: str | None = None,
    professional_secrecy: bool = False,
) -> Customer:
    require_role(actor, "admin", "technician")
    row = _customer_row(CustomerInput(number, name, email, address, professional_secrecy))
    with write_tx():
        if Customer.select().where(Customer.number == row["number"]).exists():
            raise ValidationError("number", _("customer {number} exists already").format(number=row["number"]))
        customer = Customer.create(**row)
        audit.record(actor.username, "customer.register", customer.number)
    return customer


@dataclass(frozen=True)
class CustomerInput:
    number: str
    name: str
    email: str | None = None
    address: str | None = None
    professional_secrecy: bool = False


def _customer_row(item: CustomerInput) -> dict[str, Any]:
    """The checked columns of a new customer, for one or many."""
    clean_name = validation.name("name", item.name)
    return {
        "number": validation.customer_number("number", item.number),
        "name": clean_name,
        "name_key": fold(clean_name),
        "email": validation.email("email", item.email),
        "address": validation.text("address", item.address, required=False, max_length=1000),
        "professional_secrecy": bool(item.professional_secrecy),
        "created_at": clock.now(),
    }


_CUSTOMER_COLUMNS = ("number", "name", "name_key", "email", "address", "professional_secrecy", "created_at")


def register_customers(actor: Staff, items: list[CustomerInput]) -> int:
    """Many customers at once (imports): the checks of register_customer, one audit event for all."""
    require_role(actor, "admin", "technician")
    rows = []
    for index, item in enumerate(items):
        try:
            rows.append(_customer_row(item))
        except ValidationError as exc:
            raise ItemRefused(index, exc) from exc
    if not rows:
        return 0
    with write_tx():
        numbers = [r["number"] for r in rows]
        seen: dict[str, int] = {}
        for chunk in chunks(numbers):
            for (taken,) in Customer.select(Customer.number).where(among(Customer.number, chunk)).tuples():
                seen.setdefault(taken, -1)
        for index, number in enumerate(numbers):
            if number in seen:
                error = ValidationError("number", _("customer {number} exists already").format(number=number))
                raise ItemRefused(index, error)
            seen[number] = index
        insert_rows(Customer, _CUSTOMER_COLUMNS, ([r[c] for c in _CUSTOMER_COLUMNS] for r in rows))
        audit.record(actor.username, "customer.register", None, batch_detail(numbers))
    return len(rows)


@dataclass(frozen=True)
class ContactInput:
    customer: str
    name: str
    email: str | None = None
    phone: str | None = None


def add_contacts(actor: Staff, items: list[ContactInput]) -> int:
    """Many contact persons at once (imports): the checks of add_contact, one audit event for all."""
    require_role(actor, "admin", "technician")
    rows = []
    for index, item in enumerate(items):
        try:
            clean_name = validation.name("name", item.name)
            rows.append(
                [
                    item.customer,
                    clean_name,
                    fold(clean_name),
                    validation.email("email", item.email),
                    validation.name("phone", item.phone, required=False, max_length=64),
                    clock.now(),
                ]
            )
        except ValidationError as exc:
            raise ItemRefused(index, exc) from exc
    if not rows:
        return 0
    with write_tx():
        numbers = sorted({item.customer for item in items})
        ids: dict[str, int] = {}
        for chunk in chunks(numbers):
            ids.update(Customer.select(Customer.number, Customer.id).where(among(Customer.number, chunk)).tuples())
        for index, row in enumerate(rows):
            if row[0] not in ids:
                raise ItemRefused(index, NotFound(_("no customer {number}").format(number=row[0])))
            row[0] = ids[row[0]]
        insert_rows(ContactPerson, ("customer", "name", "name_key", "email", "phone", "created_at"), rows)
        audit.record(actor.username, "contact.add", None, batch_detail(numbers))
    return len(rows)


def add_contact(
    actor: Staff, customer_number: str, name: str, *, email: str | None = None, phone: str | None = None
) -> ContactPerson:
    require_role(actor, "admin", "technician")
    clean_name = validation.name("name", name)
    clean_email = validation.email("email", email)
    clean_phone = validation.name("phone", phone, required=False, max_length=64)
    with write_tx():
        customer = Customer.get_or_none(Customer.number == customer_number)
        if customer is None:
            raise NotFound(_("no customer {number}").format(number=customer_number))
        contact = ContactPerson.create(
            customer=customer,
            name=clean_name,
            name_key=fold(clean_name),
            email=clean_email,
            phone=clean_phone,
            created_at=clock.now(),
        )
        audit.record(actor.username, "contact.add", customer_number)
    return contact
