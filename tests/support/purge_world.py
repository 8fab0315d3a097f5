"""A database with data of every category at known ages, for the retention and purge tests.

The fixed clock stands at 2026-11-24 10:00 UTC. Orders:
- "old" A-2026-0001: completed 2026-07-01, billed 2026-07-15: P7 and P8 data due, billing not.
- "recent" A-2026-0002: completed 2026-11-23, billed 2026-11-23: nothing due.
- "held" A-2026-0003: like "old" but under a legal hold.
- "unbilled" A-2026-0004: completed 2026-09-01, never billed: P7 due, P8 blocked.
- "ancient" A-2015-0001: session 2015-03-02, billed 2015-03-31: everything due incl. billing.
Every text carries a marker "MK-<order>-<category>" so a byte scan can look for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from models.core.entities import Customer, Order, Staff
from models.purge.files import Intake
from models.sessions import orders, sessions
from models.sessions.sessions import ConsentInput, FileTransfer, SessionInput
from tests.support import factories as f

UTC = timezone.utc
ORDERS = {
    "old": ("A-2026-0001", datetime(2026, 6, 30, 8, tzinfo=UTC), date(2026, 7, 15)),
    "recent": ("A-2026-0002", datetime(2026, 11, 23, 8, tzinfo=UTC), date(2026, 11, 23)),
    "held": ("A-2026-0003", datetime(2026, 6, 30, 8, tzinfo=UTC), date(2026, 7, 15)),
    "unbilled": ("A-2026-0004", datetime(2026, 8, 31, 8, tzinfo=UTC), None),
    "ancient": ("A-2015-0001", datetime(2015, 3, 2, 8, tzinfo=UTC), date(2015, 3, 31)),
}


def marker(name: str, category: str) -> str:
    return f"MK-{name}-{category}-7f3a"


@dataclass
class World:
    data_dir: Path
    tech: Staff
    officer: Staff
    order_refs: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)


def build(data_dir: Path, names: tuple[str, ...] = tuple(ORDERS)) -> World:
    tech = f.staff("tina", "technician admin accounting", name="Tina Technik", signed=date(2014, 1, 1))
    officer = f.staff("dora", "privacy_officer", name="Dora Datenschutz")
    cust = Customer.get_or_none(Customer.number == "K-10042") or f.customer()
    world = World(data_dir, tech, officer)
    for name in names:
        ref, start, billed = ORDERS[name]
        add_order(world, cust, name, ref, start, billed)
    return world


def add_order(world: World, cust: Customer, name: str, ref: str, start: datetime, billed: date | None) -> None:
    tech = world.tech
    f.order(ref, cust, opened_at=start - timedelta(hours=1))
    session = sessions.start_session(
        tech,
        SessionInput(
            order=ref,
            technician=tech.username,
            customer_ip="203.0.113.7",
            workstation="EMPFANG-PC",
            customer_person=marker(name, "connection"),
            screen_private=False,
            started_at=start,
            consents=[ConsentInput("screen_visibility", "Erika Weber", "verbal", True, at=start)],
        ),
    )
    at = start + timedelta(minutes=5)
    sessions.add_chat(tech, session.ref, "customer", marker(name, "chat"), at=at)
    sessions.log_activity(
        tech,
        session.ref,
        "file_upload",
        detail=marker(name, "activity"),
        at=at,
        transfer=FileTransfer("drv.zip", "upload", 10, "a" * 64),
    )
    sessions.add_system_info(tech, session.ref, {"os": marker(name, "system_info")}, at=at)
    world.files[name] = []
    for category, rel in (("video", f"recordings/{ref}.mp4"), ("gathered_files", f"gathered/{ref}.png")):
        path = world.data_dir / rel  # where a tool dropped it; taken into the console's own folder
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00HEADER" + marker(name, category).encode() * 50)
        kept = Intake(world.data_dir).take(rel, category)
        world.files[name].append(world.data_dir / kept.relative)
        if category == "video":
            sessions.add_recording(
                tech, session.ref, rel, started_at=at, ended_at=at + timedelta(minutes=1), stored=kept.relative
            )
        else:
            sessions.add_gathered_file(tech, session.ref, rel, kind="screenshot", at=at, stored=kept.relative)
    sessions.end_session(tech, session.ref, ended_at=start + timedelta(minutes=40))
    orders.complete_order(tech, ref, completed_at=start + timedelta(hours=2))
    if billed is not None:
        orders.mark_billed(tech, ref, billed)
    world.order_refs[name] = ref


def order_id(ref: str) -> int:
    return Order.get(Order.ref == ref).id


def officer(username: str = "dora") -> Staff:
    """The privacy officer who runs the purges by hand, registered if she is not yet."""
    return Staff.get_or_none(Staff.username == username) or f.staff(
        username, "privacy_officer", name="Dora Datenschutz"
    )
