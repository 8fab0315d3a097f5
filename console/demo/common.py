"""Shared pieces of the demo generators: scales, seeded pickers, addresses and demo files.

Everything random comes from one `random.Random(seed)` so the same seed and the same
"now" give the same database; times are placed relative to `models.clock.now()`.
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from console.demo import names
from models.access import deadlines
from models.core import modes


@dataclass(frozen=True)
class Scale:
    """How much history the bulk generator writes (the small scale goes through the domain instead)."""

    name: str
    orders: int  # history orders over `years`, each with 1-2 sessions and their billing records
    customers: int
    technicians: int
    window_activity: int  # activity events of orders still inside the P8 window
    window_chat: int  # chat lines of orders still inside the P8 window
    backlog_activity_per_order: float  # activity left on older orders, waiting for the first purge
    consents: int
    access_requests: int
    audit_events: int
    years: int = 12


SCALES: dict[str, Scale] = {
    "medium": Scale(
        "medium",
        orders=20_000,
        customers=800,
        technicians=12,
        window_activity=75_000,
        window_chat=20_000,
        backlog_activity_per_order=2.5,
        consents=7_500,
        access_requests=40,
        audit_events=50_000,
    ),
    "large": Scale(
        "large",
        orders=400_000,
        customers=12_000,
        technicians=30,
        window_activity=1_500_000,
        window_chat=400_000,
        backlog_activity_per_order=2.5,
        consents=150_000,
        access_requests=500,
        audit_events=1_000_000,
    ),
}
SMALL_HISTORY_ORDERS = 160
SMALL_CUSTOMERS = 60
ALL_ROLES = ("accounting", "admin", "privacy_officer", "technician")


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(names.FIRST_NAMES)} {rng.choice(names.LAST_NAMES)}"


def firm_name(rng: random.Random, index: int) -> tuple[str, bool]:
    """A customer name and whether it is bound by professional secrecy (§ 203 StGB)."""
    kind = rng.choice(names.FIRM_KINDS)
    owner = rng.choice(names.LAST_NAMES)
    city = rng.choice(names.CITIES)[1]
    name = f"{kind} {owner}" if index % 3 else f"{kind} {owner} {city}"
    return name, kind in names.SECRECY_KINDS


def address(rng: random.Random) -> str:
    postal, city = rng.choice(names.CITIES)
    return f"{rng.choice(names.STREETS)} {rng.randint(1, 180)}\n{postal} {city}"


def customer_ip(rng: random.Random) -> str:
    """Documentation ranges only (RFC 5737, RFC 3849): about one address in four is IPv6."""
    if rng.random() < 0.25:
        return f"2001:db8:{rng.randint(0, 0xFFFF):x}:{rng.randint(0, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
    net = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
    return f"{net}.{rng.randint(1, 254)}"


def sha256_hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def access_due_on(received: date) -> date:
    """GDPR Art. 12(3) counted as Regulation 1182/71 (DESIGN.md §6), from models.access.deadlines."""
    return deadlines.answer_due(received)


def write_demo_file(data_dir: Path, relative: str, rng: random.Random, size: int) -> tuple[int, str]:
    """A small file in the data folder (owner-only) standing for a recording or gathered copy."""
    path = data_dir / relative
    for folder in reversed(path.relative_to(data_dir).parents[:-1]):  # every level owner-only, not just the last
        modes.ensure_folder(data_dir / folder)
    content = rng.randbytes(size)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW, modes.file_mode())
    modes.apply_fd(fd)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return size, hashlib.sha256(content).hexdigest()


def spread(rng: random.Random, count: int, start: datetime, end: datetime, growth: float = 1.6) -> list[datetime]:
    """`count` sorted instants between start and end, denser towards the end (a growing desk)."""
    span = (end - start).total_seconds()
    points = sorted(rng.random() ** (1 / growth) for _ in range(count))
    return [start + timedelta(seconds=p * span) for p in points]


def office_hours(moment: datetime, rng: random.Random) -> datetime:
    """Move an instant to a plausible working time (07-17 UTC), same day."""
    return moment.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)


def batch_sha256(batch: object) -> str:
    """The SHA-256 of the CSV `support24 billing export` writes for this batch, so a re-export matches."""
    import csv
    import io

    from console.jobs.billing_export import COLUMNS, csv_cells
    from models.billing.outbox import BatchContent, BatchInfo

    info = BatchInfo(
        batch.number,
        batch.created_at,
        batch.created_by,
        batch.record_count,
        "",
        batch.acknowledged_at,
        batch.billed_on,
    )
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    for row in BatchContent(info, reexport=True).rows():
        writer.writerow(csv_cells(info.number, row))
    return hashlib.sha256(("\ufeff" + buffer.getvalue()).encode("utf-8")).hexdigest()
