"""Crash safety (issue 4): a purge killed with SIGKILL at random moments never deletes anything
not due, never leaves a deletion record without its deletion or a file without its row, and the
next run finishes the work. Also: two processes racing for the lease, exactly one wins."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from models.core.db import close_database, open_database
from models.core.entities import BillingRecord, Customer, DeletionRecord, GatheredFile, Recording
from models.purge import journal as purge_journal
from models.purge import run as purge
from models.purge.items import count_rows
from models.retention import holds
from models.retention import queue as retention
from tests.support import purge_world
from tests.support.env import NOW
from tests.support.purge_world import ORDERS, order_id

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import sys
from datetime import datetime
from pathlib import Path
from models.core import clock
from models.purge import run as purge
from models.core.db import open_database
clock.set_clock(clock.FixedClock(datetime.fromisoformat(sys.argv[2])))
open_database(sys.argv[1])
def tick(done, total):
    print(done, flush=True)
from models.core.entities import Staff
dora = Staff.get(Staff.username == "dora")
purge.run_purge(dora, data_dir=Path(sys.argv[3]), batch_size=int(sys.argv[4]), progress=tick)
print("finished", flush=True)
"""
ORDER_CATEGORIES = ("system_info", "gathered_files", "activity", "chat", "video", "connection")


def _child(db_url: str, data_dir: Path, batch: int = 5) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, NOW.isoformat(), str(data_dir), str(batch)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def big_world(db, fixed_clock, isolated_dirs):
    world = purge_world.build(isolated_dirs)
    holds.place_hold(world.officer, "A-2026-0003", "Rechnung bestritten")
    cust = Customer.get(Customer.number == "K-10042")
    _ref, start, billed = ORDERS["old"]
    for n in range(2, 26):
        purge_world.add_order(world, cust, f"old{n}", f"A-2026-{100 + n:04d}", start + timedelta(hours=n), billed)
    return world


def _check_invariants(world: purge_world.World) -> None:
    for ref in ("A-2026-0002", "A-2026-0003"):  # not due / held: untouched
        for category in ORDER_CATEGORIES:
            assert count_rows(category, order_id(ref)) == 1, (ref, category)
    for name in ("recent", "held"):
        assert all(p.exists() for p in world.files[name])
    for record in DeletionRecord.select():
        if record.category in ORDER_CATEGORIES:
            assert count_rows(record.category, record.item_id) == 0, (record.category, record.ref)
        elif record.category == "billing":
            assert not BillingRecord.select().where(BillingRecord.id == record.item_id).exists()
    rows = {r.stored for r in Recording.select()} | {r.stored for r in GatheredFile.select()}
    for folder in ("recordings", "gathered"):
        for path in (world.data_dir / "files" / folder).iterdir():
            assert f"files/{folder}/{path.name}" in rows, f"file without its row: {path}"


def test_sigkill_at_random_moments_leaves_a_consistent_state_and_the_next_run_finishes(big_world, db_url) -> None:
    world = big_world
    expected = {(i.category, i.item_id) for i in retention.queue_items(limit=1000) if i.state in ("due", "overdue")}
    assert len(expected) > 100
    rng = random.Random(20261124)
    close_database()
    kills = 0
    for _ in range(6):
        child = _child(db_url, world.data_dir)
        assert child.stdout is not None
        wait_for = rng.randint(1, 40)
        seen = 0
        for line in child.stdout:
            if line.strip() == "finished":
                break
            seen += 1
            if seen >= wait_for:
                time.sleep(rng.uniform(0, 0.01))  # land inside an item, not just between two
                child.send_signal(signal.SIGKILL)
                kills += 1
                break
        child.kill()
        child.wait()
        open_database(db_url)
        _check_invariants(world)
        close_database()
    assert kills >= 3
    open_database(db_url)
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    _check_invariants(world)
    deleted = {(r.category, r.item_id) for r in DeletionRecord.select()}
    assert deleted == expected
    assert DeletionRecord.select().count() == len(expected)  # nothing deleted twice
    assert purge_journal.last_id(world.data_dir) == max(r.id for r in DeletionRecord.select())
    assert result.total == len(expected) - sum(
        1 for _ in DeletionRecord.select().where(DeletionRecord.run != result.run_id)
    )
    assert purge.run_purge(purge_world.officer(), data_dir=world.data_dir).total == 0
    states = [r.state for r in purge.recent_runs()]
    assert states.count("interrupted") == kills and "running" not in states


RACER = """
import sys, time
from models.core.db import open_database
from models.core.errors import Busy
from models.purge.lease import Lease, describe_holder
open_database(sys.argv[1])
lease = Lease(describe_holder("racer" + sys.argv[2]))
print("ready", flush=True)
sys.stdin.readline()
try:
    lease.acquire()
except Busy as exc:
    print("busy", exc, flush=True)
    sys.exit(3)
print("won", flush=True)
sys.stdin.readline()
lease.release()
"""


def test_two_processes_racing_for_the_lease_exactly_one_wins_and_the_loser_names_it(db, db_url) -> None:
    close_database()
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, db_url, str(n)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    for racer in racers:
        assert racer.stdout is not None and racer.stdout.readline().strip() == "ready"
    for racer in racers:  # release both at once
        assert racer.stdin is not None
        racer.stdin.write("go\n")
        racer.stdin.flush()
    answers = [racer.stdout.readline().strip() for racer in racers]  # type: ignore[union-attr]
    winner = [n for n, a in enumerate(answers) if a == "won"]
    loser = [n for n, a in enumerate(answers) if a.startswith("busy")]
    assert len(winner) == 1 and len(loser) == 1, answers
    assert f"racer{winner[0] + 1}@" in answers[loser[0]]
    racers[winner[0]].stdin.write("done\n")  # type: ignore[union-attr]
    racers[winner[0]].stdin.flush()  # type: ignore[union-attr]
    assert racers[winner[0]].wait(timeout=30) == 0 and racers[loser[0]].wait(timeout=30) == 3
    open_database(db_url)
