"""Small builders for tests: staff, customers and orders in one line each."""

from __future__ import annotations

from datetime import date, datetime, timezone

from models.core import clock
from models.core.entities import Customer, Order, Staff
from models.core.text import fold


def staff(
    username: str = "mmueller",
    roles: str = "technician",
    *,
    name: str = "Max Müller",
    signed: date | None = date(2024, 1, 15),
    active: bool = True,
) -> Staff:
    return Staff.create(
        username=username, name=name, roles=roles, commitment_signed_on=signed, active=active, created_at=clock.now()
    )


def customer(
    number: str = "K-10042", name: str = "Bäckerei Schmidt", email: str | None = "info@example.org"
) -> Customer:
    return Customer.create(number=number, name=name, name_key=fold(name), email=email, created_at=clock.now())


def order(
    ref: str = "A-2026-0001",
    cust: Customer | None = None,
    *,
    opened_at: datetime = datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc),
    billing_class: str = "contract",
) -> Order:
    return Order.create(
        ref=ref, customer=cust or customer(), opened_at=opened_at, billing_class=billing_class, created_at=clock.now()
    )
