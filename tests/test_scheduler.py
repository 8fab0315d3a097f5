"""The scheduler class both the console and `support24 scheduler` run: interval, outcome,
a lease held elsewhere, and one run at a time per instance."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from console.jobs.scheduler import Scheduler
from models.core.entities import DeletionRecord, PurgeRun
from models.purge import run as purge
from models.purge.lease import Lease
from tests.support import purge_world


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    return purge_world.build(isolated_dirs)


def test_first_run_is_due_at_once_then_after_the_interval(world, fixed_clock) -> None:
    scheduler = Scheduler(world.data_dir, world.officer, 15, "dora@desk (console)")
    assert scheduler.is_due() and scheduler.last_outcome is None
    outcome = scheduler.run_once()
    assert outcome.ok and outcome.deleted["chat"] == 3 and outcome.run_id is not None
    assert scheduler.last_outcome == outcome
    assert scheduler.next_run_at == outcome.finished_at + timedelta(minutes=15)
    assert not scheduler.is_due()
    fixed_clock.advance(minutes=14, seconds=59)
    assert not scheduler.is_due()
    fixed_clock.advance(seconds=1)
    assert scheduler.is_due()
    assert scheduler.run_once().deleted == {}


def test_a_run_by_another_console_within_the_interval_counts_for_this_one(world, fixed_clock) -> None:
    """Thirty consoles with a timer each make one purge per interval, not thirty."""
    other = Scheduler(world.data_dir, world.tech, 15, "tina@desk-2 (console)", share_turns=True)
    first = other.run_once()
    assert first.ok and first.deleted["chat"] == 3
    mine = Scheduler(world.data_dir, world.officer, 15, "dora@desk (console)", share_turns=True)
    fixed_clock.advance(minutes=5)
    runs = PurgeRun.select().count()
    outcome = mine.run_once()
    assert outcome.skipped and outcome.ok and outcome.run_id == first.run_id and "skipped" in outcome.summary()
    assert PurgeRun.select().count() == runs  # nothing recorded for a skipped turn
    assert mine.next_run_at == first.finished_at + timedelta(minutes=15)
    fixed_clock.advance(minutes=10)  # the other run is one interval old now: this console purges
    again = mine.run_once()
    assert not again.skipped and again.run_id != first.run_id and PurgeRun.select().count() == runs + 1
    assert other.run_once().skipped  # and now the other console waits for this one's run
    fixed_clock.advance(minutes=1)
    assert not mine.run_once().skipped  # its own run never makes a console skip


def test_the_headless_scheduler_takes_every_turn_itself(world, fixed_clock) -> None:
    """`support24 scheduler --once` from a systemd timer must not skip its own previous run."""
    first = Scheduler(world.data_dir, world.officer, 15).run_once()
    fixed_clock.advance(minutes=14)
    again = Scheduler(world.data_dir, world.officer, 15).run_once()
    assert not again.skipped and again.run_id != first.run_id


def test_a_lease_held_elsewhere_is_an_outcome_not_an_exception(world) -> None:
    other = Lease("kurt@server2 pid 4711 (purge)")
    other.acquire()
    try:
        outcome = Scheduler(world.data_dir, world.officer, 5).run_once()
    finally:
        other.release()
    assert outcome.busy_holder is not None and "kurt@server2" in outcome.busy_holder and not outcome.ok
    assert DeletionRecord.select().count() == 0


def test_an_error_becomes_part_of_the_outcome_and_the_timer_goes_on(world, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(purge, "run_purge", broken)
    scheduler = Scheduler(world.data_dir, world.officer, 5)
    outcome = scheduler.run_once()
    assert outcome.error == "OSError: disk full" and scheduler.next_run_at > outcome.started_at


def test_a_second_call_while_one_runs_returns_at_once(world, monkeypatch) -> None:
    entered, release = threading.Event(), threading.Event()
    real = purge.run_purge

    def slow(*args, **kwargs):
        entered.set()
        release.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(purge, "run_purge", slow)
    scheduler = Scheduler(world.data_dir, world.officer, 5)
    worker = threading.Thread(target=scheduler.run_once)
    worker.start()
    assert entered.wait(timeout=30)
    second = scheduler.run_once()
    release.set()
    worker.join(timeout=60)
    assert second.busy_holder is not None and "this process" in second.busy_holder
    assert scheduler.last_outcome is not None and scheduler.last_outcome.ok


def test_interval_must_be_positive(world) -> None:
    with pytest.raises(ValueError):
        Scheduler(world.data_dir, world.officer, 0)


def test_the_timer_follows_the_policy_file_and_a_bad_one_stops_the_run(world, isolated_dirs, tmp_path) -> None:
    from console.settings.policy_file import default_text
    from models.core.entities import ChatMessage
    from models.retention import policy as policy_model
    from models.retention.policy import Policy

    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "policy.toml").write_text(default_text().replace("hours = 48\n", "hours = -1\n", 1), encoding="utf-8")
    scheduler = Scheduler(world.data_dir, world.officer, 5)
    try:
        outcome = scheduler.run_once()
        assert outcome.error is not None and "rules.system_info.hours" in outcome.error
        assert DeletionRecord.select().count() == 0
        (config / "policy.toml").write_text(
            default_text().replace('chat_video_reading = "P8"', 'chat_video_reading = "P7"'), encoding="utf-8"
        )
        outcome = scheduler.run_once()
        assert outcome.ok and policy_model.active().rule("chat").anchor == "order_completed"
        assert ChatMessage.select().count() == 1  # only the recent order's chat (completed < 48 h ago) is left
    finally:
        policy_model.activate(Policy())
