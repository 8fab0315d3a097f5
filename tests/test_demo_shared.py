"""The demo on a database others use writes in short transactions: a desk's write gets in between its orders."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.demo import common as demo_common
from console.demo import fill as demo
from models.core import audit
from models.core import db as db_module
from models.core.db import database, write_tx
from models.core.entities import AuditEvent
from tests.support import factories as f

ME = os_account()
TINY_BUDGET = db_module.BusyBudget(total=0.3, first_wait=0.05, longest_wait=0.1, first_pause=0.01)


def test_a_desk_writes_between_the_orders_of_a_demo_on_a_database_others_use(
    db, fixed_clock, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f.staff("chefin", roles="admin", name="Renate Köhler")
    f.staff(ME, roles=" ".join(sorted(demo_common.ALL_ROLES)), name="Olga Operator")
    monkeypatch.setattr(db_module, "BUSY_BUDGET", TINY_BUDGET)  # a desk that gives up quickly
    outcomes: list[str] = []

    def desk() -> None:
        try:
            with write_tx():
                audit.record("chefin", "desk.write", f"W-{len(outcomes)}")
            outcomes.append("saved")
        except Exception as exc:  # noqa: BLE001 - what the desk would see
            outcomes.append(f"{type(exc).__name__}: {exc}")
        finally:
            database.close()  # this thread's connection

    real = demo.shared_step

    @contextmanager
    def step_then_a_desk() -> Iterator[None]:
        with real():
            yield
        if len(outcomes) < 3:  # the step has committed: a desk writes now
            other = threading.Thread(target=desk)
            other.start()
            other.join()

    monkeypatch.setattr(demo, "shared_step", step_then_a_desk)
    result = demo.run_demo(ME, isolated_dirs, "small", 24)
    assert not result.skipped
    assert outcomes == ["saved"] * 3
    assert AuditEvent.select().where(AuditEvent.action == "desk.write").count() == 3
    assert audit.verify().ok
