"""Restore and the journal cannot disagree: purge and restore are killed with SIGKILL at random
moments, round after round, and afterwards no item with a committed deletion has data again, no
scratch copy of a restore survives the next start, and a byte scan of the data folder finds none
of the purged markers."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from console.jobs import backup
from console.jobs.housekeeping import tidy
from models.core.db import close_database, open_database
from models.core.entities import Customer, DeletionRecord
from models.purge import journal as purge_journal
from models.purge import run as purge
from models.purge.items import count_rows
from models.retention.due import SESSION_CATEGORIES
from tests.support import purge_world
from tests.support.env import BACKEND, NOW
from tests.support.purge_world import ORDERS, marker, order_id

pytestmark = [pytest.mark.slow, pytest.mark.skipif(BACKEND != "sqlite", reason="restore is SQLite's")]
ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("SUPPORT24_KILL_ROUNDS", "28"))
PURGE_CHILD = """
import sys
from datetime import datetime
from pathlib import Path
from models.core import clock
from models.core.db import open_database
from models.core.entities import Staff
from models.purge import run as purge
from models.core.entities import Staff
clock.set_clock(clock.FixedClock(datetime.fromisoformat(sys.argv[2])))
open_database(sys.argv[1])
purge.run_purge(Staff.get(Staff.username == "dora"), data_dir=Path(sys.argv[3]), batch_size=2, progress=lambda d, t: print(d, flush=True))
print("finished", flush=True)
"""
RESTORE_CHILD = """
import sys
from datetime import datetime
from pathlib import Path
from models.core import clock
from models.core.db import open_database
from console.jobs import backup
from models.purge import journal
clock.set_clock(clock.FixedClock(datetime.fromisoformat(sys.argv[2])))
open_database(sys.argv[1])
def noisy(step):
    def wrap(*args, **kwargs):
        print(step, flush=True)
        result = step_functions[step](*args, **kwargs)
        print(step + " done", flush=True)
        return result
    return wrap
step_functions = {"catch_up": journal.catch_up, "copy": backup._copy_database}
journal.catch_up = noisy("catch_up")
backup.purge_journal.catch_up = journal.catch_up
backup._copy_database = noisy("copy")
read = journal.read
def read_loud(path):
    for entry in read(path):
        print("entry", flush=True)
        yield entry
backup.purge_journal.read = read_loud
backup.restore("dora", Path(sys.argv[4]), Path(sys.argv[3]))
print("finished", flush=True)
"""


def _run_and_kill(script: str, args: list[str], rng: random.Random, most: int) -> bool:
    """Run a child and kill it after a random number of its lines; True if it was killed."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    wait_for, seen, killed = rng.randint(1, most), 0, False
    for line in child.stdout:
        if line.strip() == "finished":
            break
        seen += 1
        if seen >= wait_for:
            time.sleep(rng.uniform(0, 0.004))  # land inside a step, not just between two
            child.send_signal(signal.SIGKILL)
            killed = True
            break
    if killed:
        child.kill()
    _out, err = child.communicate()
    assert killed or child.returncode == 0, err
    return killed


def _markers(data_dir: Path, wanted: set[bytes], *, skip: tuple[str, ...] = ()) -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(data_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.name not in skip:
            content = path.read_bytes()
            found += [(str(path.relative_to(data_dir)), m) for m in wanted if m in content]
    return found


def test_purge_and_restore_killed_at_random_never_bring_purged_data_back(db, db_url, fixed_clock, tmp_path) -> None:
    data_dir = Path(os.environ["SUPPORT24_DATA_DIR"])
    world = purge_world.build(data_dir)
    cust = Customer.get(Customer.number == "K-10042")
    _ref, start, billed = ORDERS["old"]
    for n in range(2, 12):
        purge_world.add_order(world, cust, f"old{n}", f"A-2026-{100 + n:04d}", start + timedelta(hours=n), billed)
    names = {order_id(ref): name for name, ref in world.order_refs.items()}
    saved = tmp_path / "saved"
    saved.mkdir()
    before_all = backup.make_backup("dora", saved)  # outside the data folder: it holds every marker
    close_database()
    template = tmp_path / "template"
    shutil.copytree(data_dir, template, symlinks=True)
    rng = random.Random(20261202)
    kills = {"purge": 0, "restore": 0}
    found_total = 0
    for _round in range(ROUNDS):
        shutil.rmtree(data_dir)
        shutil.copytree(template, data_dir, symlinks=True)
        common = [db_url, NOW.isoformat(), str(data_dir)]
        kills["purge"] += _run_and_kill(PURGE_CHILD, common, rng, 25)
        open_database(db_url)
        committed = {(r.category, r.item_id) for r in DeletionRecord.select()}  # what the killed purge committed
        close_database()
        kills["restore"] += _run_and_kill(RESTORE_CHILD, [*common, before_all.path], rng, 9)
        open_database(db_url)
        tidy(data_dir, data_dir / "support24.db")  # what the next start of any command does
        assert not list(data_dir.glob(".restore-*")), "a killed restore's scratch copy survived the next start"
        journalled = {
            (e["category"], int(e["item_id"])) for e in purge_journal.read(purge_journal.journal_path(data_dir))
        }
        recorded = {(r.category, r.item_id) for r in DeletionRecord.select()}
        assert journalled <= recorded, "the database lost a deletion the journal has"
        assert committed <= recorded, "a restore lost a deletion the killed purge had committed"
        for category, item in recorded:
            if category in SESSION_CATEGORIES:
                assert count_rows(category, item) == 0, f"{category} of {names[item]} is back after a restore"
        purged = {marker(names[item], category).encode() for category, item in recorded if item in names}
        outside_db = _markers(data_dir, purged, skip=("support24.db", "support24.db-wal", "support24.db-shm"))
        purge.run_purge(purge_world.officer(), data_dir=data_dir)  # the next run finishes the work and compacts
        recorded = {(r.category, r.item_id) for r in DeletionRecord.select()}
        purged = {marker(names[item], category).encode() for category, item in recorded if item in names}
        everywhere = _markers(data_dir, purged)
        found_total += len(outside_db) + len(everywhere)
        assert outside_db == [] and everywhere == [], (outside_db, everywhere)
        close_database()
    total = kills["purge"] + kills["restore"]
    print(f"SIGKILLs: {kills} ({total} in all), purged markers found: {found_total}")
    assert total >= 50 and kills["restore"] >= 10
    open_database(db_url)
