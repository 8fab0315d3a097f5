"""`support24 demo`: fill an empty database with realistic German demo data around today.

The small scale goes through the domain functions (every rule enforced, every change
audited); medium and large write the long history in bulk (console/demo/bulk.py) and then
add the same near-now situations through the domain. The OS account running the demo is
registered with every role, so `make run` opens the console at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from console.demo import common
from console.demo import scenario as demo_scenario
from console.demo import small as demo_small
from models.core import clock, people
from models.core.db import database
from models.core.entities import Customer, Order, Staff
from models.core.errors import RuleViolation, ValidationError
from models.core.i18n import _

SCALE_NAMES = ("small", "medium", "large")
Progress = Callable[[str], None]


@dataclass
class DemoResult:
    scale: str
    seed: int
    skipped: bool = False
    seconds: float = 0.0
    operator: str = ""
    bulk: dict[str, object] = field(default_factory=dict)  # rows and rates of the bulk phase

    def as_dict(self) -> dict[str, object]:
        return {
            "scale": self.scale,
            "seed": self.seed,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "operator": self.operator,
            "bulk": self.bulk,
        }


def has_data() -> bool:
    """A database holds data once it has customers or orders (staff alone is a fresh `init`)."""
    return Customer.select().exists() or Order.select().exists()


def ensure_operator(username: str) -> Staff:
    """The OS account as staff with every role and a commitment date, through the staff register."""
    signed = clock.today_berlin() - timedelta(days=365 * 13)
    existing = Staff.get_or_none(Staff.username == username)
    admin = Staff.select().where(Staff.roles.contains("admin") & Staff.active).order_by(Staff.id).first()
    if existing is None:
        staff = people.register_staff(
            admin, username, _("Demo Operator"), list(common.ALL_ROLES), signed, secrecy_commitment_on=signed
        )
        return staff
    if not existing.active or existing.role_set != set(common.ALL_ROLES) or existing.commitment_signed_on is None:
        actor = admin if admin is not None and admin.id != existing.id else existing
        if not actor.has_role("admin"):
            raise RuleViolation(
                _("{user} is registered without the admin role; ask an administrator to run the demo").format(
                    user=username
                )
            )
        return people.update_staff(
            actor,
            username,
            roles=list(common.ALL_ROLES),
            commitment_signed_on=existing.commitment_signed_on or signed,
            secrecy_commitment_on=existing.secrecy_commitment_on or signed,
            active=True,
        )
    return existing


def build_small(
    world: demo_small.DemoWorld,
    *,
    history_orders: int = common.SMALL_HISTORY_ORDERS,
    recent_orders: int = 36,
    progress: Progress | None = None,
) -> None:
    """The small scale: staff, customers, twelve years of orders and today's situations, all via models/."""
    say = progress or (lambda _msg: None)
    say(_("staff and customers"))
    demo_small.register_staff(world)
    demo_small.register_customers(world)
    say(_("twelve years of orders"))
    demo_small.history(world, history_orders)
    say(_("today's situations"))
    demo_scenario.build(world, recent_orders=recent_orders)


def run_demo(
    username: str, data_dir: Path, scale: str, seed: int, *, if_empty: bool = False, progress: Progress | None = None
) -> DemoResult:
    """Generate the demo; refuses a database that holds data unless `if_empty` makes it a no-op."""
    if scale not in SCALE_NAMES:
        raise ValidationError(
            "scale", _("{value!r} is not one of: {options}").format(value=scale, options=", ".join(SCALE_NAMES))
        )
    result = DemoResult(scale=scale, seed=seed, operator=username)
    if has_data():
        if if_empty:
            result.skipped = True
            return result
        raise RuleViolation(
            _("the database holds data already; the demo fills only an empty one (use --if-empty to skip quietly)")
        )
    say = progress or (lambda _msg: None)
    began = time.perf_counter()
    rng = random.Random(seed)
    if scale == "small":
        with database.atomic():  # one transaction: fast, and nothing half-written on failure
            me = ensure_operator(username)
            world = demo_small.DemoWorld(rng=rng, now=clock.now(), data_dir=data_dir, me=me)
            build_small(world, progress=say)
    else:
        from console.demo import bulk as demo_bulk

        spec = common.SCALES[scale]
        result.bulk = demo_bulk.generate(spec, rng, clock.now(), progress=say)
        with database.atomic():
            me = ensure_operator(username)
            world = demo_bulk.world_for_scenario(rng, clock.now(), data_dir, me)
            say(_("today's situations"))
            demo_scenario.build(world, recent_orders=0)
    result.seconds = time.perf_counter() - began
    return result
