"""`support24 demo`: fill an empty database with realistic German demo data around today.

The small scale goes through the domain functions (every rule enforced, every change
audited); medium and large write the long history in bulk (console/demo/bulk.py) and then
add the same near-now situations through the domain. On an empty database the OS account
running the demo is registered with every role, so `make run` opens the console at once; on
one with staff it grants nothing and runs only for an administrator holding every role.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from console.demo import common
from console.demo import scenario as demo_scenario
from console.demo import small as demo_small
from models.core import clock, people
from models.core.db import ALL_DATA_LOCKS, background_job, database, write_tx
from models.core.entities import Customer, Order, Staff
from models.core.errors import RuleViolation, ValidationError
from models.core.i18n import _

SHARED_FLUSH_ROWS = 2_000  # bulk rows per transaction on a database others use (about 0.1 s of writing)


def shared_step() -> AbstractContextManager[None]:
    """One order or situation of the demo on a database others use: a short transaction that takes
    every data lock up front, in LOCK_ORDER, as a job that may touch anything does."""
    return write_tx(serialize=ALL_DATA_LOCKS)


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


def check_operator(username: str) -> Staff | None:
    """Who may fill this database, refused before anything is written.

    An empty staff register means the demo makes the database itself: the OS account becomes
    its operator with every role (None is returned). On a database with any staff the demo
    grants nothing to anyone: only an active administrator who holds every role already may
    run it, as themselves.
    """
    if not Staff.select().exists():
        return None
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None or not staff.active or not staff.has_role("admin"):
        raise RuleViolation(
            _(
                "this database has staff already and {user} is not an active administrator on it; "
                "the demo grants no roles on a database it did not create"
            ).format(user=username)
        )
    missing = sorted(set(common.ALL_ROLES) - staff.role_set)
    if missing:
        raise RuleViolation(
            _(
                "the demo acts with every role and grants none on this database: give {user} the roles "
                "{roles} through the staff register first"
            ).format(user=username, roles=", ".join(missing))
        )
    return staff


def ensure_operator(username: str, existing: Staff | None = None) -> Staff:
    """The demo's operator: `existing` (checked by check_operator), else the OS account registered as itself."""
    if existing is not None:
        return existing
    current = Staff.get_or_none(Staff.username == username)
    if current is not None:
        return current
    signed = clock.today_berlin() - timedelta(days=365 * 13)
    return people.register_staff(
        None, username, _("Demo Operator"), list(common.ALL_ROLES), signed, secrecy_commitment_on=signed
    )


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
    with world.step():
        demo_small.register_staff(world)
    with world.step():
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
    checked = check_operator(username)
    say = progress or (lambda _msg: None)
    began = time.perf_counter()
    rng = random.Random(seed)
    shared = checked is not None  # staff are registered: consoles may be writing beside the demo
    if scale == "small":
        if shared:  # in short transactions, one order or situation each, giving way between them
            with background_job():
                me = ensure_operator(username, checked)
                world = demo_small.DemoWorld(rng=rng, now=clock.now(), data_dir=data_dir, me=me, step=shared_step)
                build_small(world, progress=say)
        else:
            with database.atomic():  # one transaction: fast, and nothing half-written on failure
                me = ensure_operator(username, checked)
                world = demo_small.DemoWorld(rng=rng, now=clock.now(), data_dir=data_dir, me=me)
                build_small(world, progress=say)
    else:
        from console.demo import bulk as demo_bulk

        spec = common.SCALES[scale]
        flush_rows = SHARED_FLUSH_ROWS if shared else None
        result.bulk = demo_bulk.generate(spec, rng, clock.now(), progress=say, flush_rows=flush_rows)
        if shared:
            with background_job():
                me = ensure_operator(username, checked)
                world = demo_bulk.world_for_scenario(rng, clock.now(), data_dir, me)
                world.step = shared_step
                say(_("today's situations"))
                demo_scenario.build(world, recent_orders=0)
        else:
            with database.atomic():
                me = ensure_operator(username, checked)
                world = demo_bulk.world_for_scenario(rng, clock.now(), data_dir, me)
                say(_("today's situations"))
                demo_scenario.build(world, recent_orders=0)
    result.seconds = time.perf_counter() - began
    return result
