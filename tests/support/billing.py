"""Builders for the billing tests: completed orders with sessions, through the domain functions."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

from models.core.entities import Customer, Order, Staff
from models.sessions import orders, sessions
from models.sessions.sessions import SessionInput
from tests.support import factories as f

T0 = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)  # 07:00 in Berlin


def completed_order(
    tech: Staff,
    ref: str,
    customer: Customer,
    *,
    spans: list[tuple[datetime, int]] | None = None,
    workstation: str | None = "EMPFANG-PC",
    billing_class: str = "contract",
) -> Order:
    """An order with one session per (start, minutes) span, completed right after the last one."""
    spans = spans or [(T0, 40)]
    f.order(ref, customer, opened_at=spans[0][0] - timedelta(hours=1), billing_class=billing_class)
    end = spans[0][0]
    for start, minutes in spans:
        session = sessions.start_session(
            tech,
            SessionInput(
                order=ref,
                technician=tech.username,
                customer_ip="203.0.113.7",
                workstation=workstation,
                customer_person="Erika Weber",
                screen_private=True,
                started_at=start,
            ),
        )
        end = start + timedelta(minutes=minutes)
        sessions.end_session(tech, session.ref, ended_at=end)
    return orders.complete_order(tech, ref, completed_at=end + timedelta(minutes=5))


def read_csv(path: Path) -> list[list[str]]:
    """The batch CSV as an ERP importer would read it."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))
