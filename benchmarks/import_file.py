"""A realistic JSON Lines import file (DESIGN.md §9) of any length, for the import benchmark.

The shape of a remote-support tool's export over a year: a few technicians, customers with a
contact, and per order one or two sessions with their consents, an activity log, some chat and
now and then a system-information snapshot; most orders completed and billed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TECHNICIANS = 12
ORDERS_PER_CUSTOMER = 8
START = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Shape:
    """How orders look: shares of completed, billed and two-session orders, activity lines per session."""

    completed: float = 0.9
    billed: float = 0.8  # of the completed ones
    two_sessions: float = 0.2
    activity: tuple[int, int] = (8, 18)
    chat: tuple[int, int] = (2, 6)


def _order_lines(rng: random.Random, number: int, customer: str, shape: Shape) -> Iterator[dict[str, Any]]:
    opened = START + timedelta(hours=number * 3 % (24 * 600), minutes=rng.randrange(60))
    ref = f"A-BENCH-{number:07d}"
    at = opened + timedelta(minutes=30)
    sessions = []
    for index in range(1 + (rng.random() < shape.two_sessions)):
        sref = f"S-BENCH-{number:07d}-{index}"
        started = at
        lines: list[dict[str, Any]] = []
        private = rng.random() < 0.8
        if not private:
            lines.append(
                {
                    "type": "consent",
                    "session": sref,
                    "kind": "screen_visibility",
                    "given_by": "Erika Weber",
                    "method": "verbal",
                    "granted": True,
                    "at": _at(started - timedelta(minutes=1)),
                }
            )
        for step in range(rng.randrange(*shape.activity)):
            at += timedelta(seconds=rng.randrange(20, 120))
            entry: dict[str, Any] = {"type": "activity", "session": sref, "at": _at(at), "action": "command"}
            if step % 7 == 3:
                entry.update(
                    action="file_upload",
                    detail="driver package",
                    file={
                        "name": f"drv{step}.zip",
                        "size": rng.randrange(1, 10**7),
                        "sha256": f"{rng.getrandbits(256):064x}",
                    },
                )
            else:
                entry["detail"] = rng.choice(("ipconfig /all", "restart spooler", "open event viewer", "update driver"))
            lines.append(entry)
        for _ in range(rng.randrange(*shape.chat)):
            at += timedelta(seconds=rng.randrange(10, 60))
            lines.append(
                {
                    "type": "chat",
                    "session": sref,
                    "at": _at(at),
                    "sender": rng.choice(("customer", "technician")),
                    "text": rng.choice(("Danke!", "Bitte kurz warten.", "Der Drucker geht wieder.", "Ist gut.")),
                }
            )
        if rng.random() < 0.05:
            lines.append(
                {
                    "type": "system_info",
                    "session": sref,
                    "at": _at(at),
                    "data": {"os": "Windows 11 Pro", "programs": ["Office", "Acrobat"]},
                }
            )
        at += timedelta(minutes=2)
        session = {
            "type": "session",
            "ref": sref,
            "order": ref,
            "technician": f"tech{number % TECHNICIANS:02d}",
            "started_at": _at(started),
            "ended_at": _at(at),
            "customer_ip": f"203.0.113.{number % 250 + 1}",
            "workstation": f"PC-{number % 97:02d}",
            "customer_person": "Erika Weber",
            "screen_private": private,
            "tool": "teamviewer",
            "external_id": f"tv-{number}-{index}",
        }
        sessions.append([session, *lines])
        at += timedelta(minutes=10)
    order: dict[str, Any] = {
        "type": "order",
        "ref": ref,
        "customer": customer,
        "opened_at": _at(opened),
        "billing_class": rng.choice(("contract", "goodwill", "billable")),
    }
    if rng.random() < shape.completed:
        order["completed_at"] = _at(at + timedelta(minutes=5))
        if rng.random() < shape.billed:
            order["billed_at"] = (at + timedelta(days=20)).date().isoformat()
    yield order
    for block in sessions:
        yield from block


def lines(count: int, seed: int = 14, shape: Shape = Shape(), orders: int | None = None) -> Iterator[dict[str, Any]]:
    """About `count` lines (a whole order more at most), or `orders` orders if that comes first."""
    rng = random.Random(seed)
    written = 0
    for index in range(TECHNICIANS):
        yield {
            "type": "staff",
            "username": f"tech{index:02d}",
            "name": f"Techniker {index:02d}",
            "role": "technician",
            "commitment_signed_on": "2024-01-15",
        }
        written += 1
    number = 0
    while written < count and (orders is None or number < orders):
        if number % ORDERS_PER_CUSTOMER == 0:
            customer = f"K-{500000 + number // ORDERS_PER_CUSTOMER}"
            yield {
                "type": "customer",
                "number": customer,
                "name": f"Kunde {number // ORDERS_PER_CUSTOMER}",
                "email": "info@example.org",
                "contacts": [{"name": "Erika Weber", "email": "erika@example.org"}],
            }
            written += 1
        for line in _order_lines(rng, number, customer, shape):
            yield line
            written += 1
        number += 1


def write(path: Path, count: int, seed: int = 14, shape: Shape = Shape(), orders: int | None = None) -> int:
    """Write the file; returns the number of lines."""
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for line in lines(count, seed, shape, orders):
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
    return n
