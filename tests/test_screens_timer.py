"""The purge timer inside the console: driven by calling its callback under a FixedClock, never by waiting."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from console.jobs.scheduler import Scheduler
from models.core import clock
from models.core.entities import PurgeRun, SystemInfo
from models.purge.lease import Lease
from screens.shell.chrome import ShellHeader
from tests.support import purge_world
from tests.support.screens import aio, console, settle


def header(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(ShellHeader).render())


def timer_app(operator, data_dir: Path, scheduler, mode: str = "dashboard"):  # type: ignore[no-untyped-def]
    app = console(operator, data_dir, mode, scheduler=scheduler)
    return app


async def stop_real_timer(pilot) -> None:  # type: ignore[no-untyped-def]
    """Only the test decides when the timer fires."""
    await settle(pilot)
    assert pilot.app.purge_timer is not None  # armed at start
    pilot.app.purge_timer.stop()


@aio
async def test_a_timer_run_purges_shows_the_outcome_notifies_and_rearms(db, fixed_clock, isolated_dirs) -> None:
    world = purge_world.build(isolated_dirs)
    scheduler = Scheduler(isolated_dirs, world.tech, interval_minutes=15)
    app = timer_app(world.tech, isolated_dirs, scheduler)
    async with app.run_test(size=(120, 40)) as pilot:
        await stop_real_timer(pilot)
        assert "purge: not run yet · next 11:00" in header(app)  # 10:00 UTC is 11:00 in Berlin
        fixed_clock.advance(minutes=2)
        app.purge_timer_tick()
        await settle(pilot)
        run = PurgeRun.get(~PurgeRun.dry_run)
        assert run.deleted_count > 0 and SystemInfo.select().count() == 1
        assert f"purge 11:02: {run.deleted_count} deleted · next 11:17" in header(app)
        assert any(f"Purge timer deleted {run.deleted_count} items" in n.message for n in app._notifications)
        assert app.purge_timer is not None  # armed again for the next run
        # the next run finds nothing: no new notification
        notes = len(app._notifications)
        fixed_clock.advance(minutes=15)
        app.purge_timer_tick()
        await settle(pilot)
        assert "purge 11:17: 0 deleted · next 11:32" in header(app)
        assert len(app._notifications) == notes
        # the status follows onto other screens, also onto one shown before the run
        await pilot.press("5")
        await settle(pilot)
        assert "purge 11:17: 0 deleted" in header(app)
        fixed_clock.advance(minutes=15)
        app.purge_timer_tick()
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert "purge 11:32: 0 deleted · next 11:47" in header(app)


@aio
async def test_another_holder_of_the_lease_is_shown_and_nothing_is_deleted(db, fixed_clock, isolated_dirs) -> None:
    world = purge_world.build(isolated_dirs)
    scheduler = Scheduler(isolated_dirs, world.tech, interval_minutes=15)
    app = timer_app(world.tech, isolated_dirs, scheduler)
    other = Lease("dora@desk-2 pid 4242 (purge)")  # another console purging right now
    other.acquire()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await stop_real_timer(pilot)
            app.purge_timer_tick()
            await settle(pilot)
            assert "lease held by" in header(app) and "dora@desk-2" in header(app)
            assert SystemInfo.select().count() == 5
            assert PurgeRun.select().where(~PurgeRun.dry_run).count() == 0
            assert app.purge_timer is not None
    finally:
        other.release()


@dataclass
class SlowScheduler:
    """A scheduler whose run blocks until the test lets it finish."""

    next_run_at: datetime
    last_outcome: object = None
    progress: object = None
    release: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)

    def run_once(self):  # type: ignore[no-untyped-def]
        from models.purge.service import PurgeOutcome

        if callable(self.progress):
            self.progress(120, 500)  # what run_purge reports after its first chunk
        self.started.set()
        assert self.release.wait(30), "the test never released the run"
        now = clock.now()
        self.next_run_at = now + timedelta(minutes=15)
        self.last_outcome = PurgeOutcome(now, now, {"chat": 2, "activity": 1}, run_id=7)
        return self.last_outcome


@aio
async def test_the_screen_keeps_answering_while_the_timer_runs(db, fixed_clock, isolated_dirs) -> None:
    world = purge_world.build(isolated_dirs, names=("recent",))
    scheduler = SlowScheduler(next_run_at=clock.now())
    app = timer_app(world.tech, isolated_dirs, scheduler, mode="dashboard")
    async with app.run_test(size=(120, 40)) as pilot:
        await stop_real_timer(pilot)
        app.purge_timer_tick()
        assert await asyncio.to_thread(scheduler.started.wait, 10)  # the loop stays free meanwhile
        await pilot.press("5")  # the purge is still running in its thread
        await pilot.pause()
        assert app.screen.MODE == "retention" and "purge running since 11:00: 120 of 500" in header(app)
        scheduler.release.set()
        await settle(pilot)
        assert "purge 11:00: 3 deleted · next 11:15" in header(app)
        assert any("activity 1, chat 2" in n.message for n in app._notifications)


@aio
async def test_no_scheduler_no_timer(db, fixed_clock, isolated_dirs) -> None:
    world = purge_world.build(isolated_dirs, names=("recent",))
    app = console(world.tech, isolated_dirs, "dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.purge_timer is None and "purge" not in header(app)


@aio
async def test_a_fresh_console_shows_the_last_purge_any_console_made(db, fixed_clock, isolated_dirs) -> None:
    from models.purge import run as purge

    world = purge_world.build(isolated_dirs)
    done = purge.run_purge(world.officer, data_dir=isolated_dirs)  # another console, 09:50 Berlin
    assert done.total > 0
    fixed_clock.advance(minutes=10)
    scheduler = Scheduler(isolated_dirs, world.tech, interval_minutes=15, share_turns=True)
    app = timer_app(world.tech, isolated_dirs, scheduler)
    async with app.run_test(size=(80, 24)) as pilot:
        await stop_real_timer(pilot)
        assert f"purge 11:00: {done.total} deleted · next 11:10" in header(app)  # not "not run yet"
        app.purge_timer_tick()  # 10 minutes after that run: its turn is taken, nothing is announced again
        await settle(pilot)
        assert f"purge 11:00: {done.total} deleted · next 11:15" in header(app)
        announced = [n.message for n in app._notifications if "deletes due data by itself" not in n.message]
        assert not announced and PurgeRun.select().where(~PurgeRun.dry_run).count() == 1

    PurgeRun.create(
        started_at=clock.now(), operator="dora", policy_version="x", dry_run=False, state="running", deleted_count=0
    )  # a purge under way elsewhere right now
    app = timer_app(world.tech, isolated_dirs, Scheduler(isolated_dirs, world.tech, interval_minutes=15))
    async with app.run_test(size=(120, 40)) as pilot:
        await stop_real_timer(pilot)
        assert "purge running since 11:10 · next 11:10" in header(app)


def test_timer_settings_from_config_toml(tmp_path: Path) -> None:
    from console.settings.config import load_settings
    from models.core.errors import ValidationError

    assert load_settings(tmp_path).console_timer_on  # no file: on, first run after 20 s
    (tmp_path / "config.toml").write_text("[timer]\nheadless_scheduler = true\nfirst_run_seconds = 300\n")
    settings = load_settings(tmp_path)
    assert not settings.console_timer_on and settings.timer_first_run_seconds == 300.0
    (tmp_path / "config.toml").write_text("[timer]\nheadless_scheduler = true\nconsole_purge = true\n")
    assert load_settings(tmp_path).console_timer_on
    (tmp_path / "config.toml").write_text("[timer]\nconsole_purge = 'no'\n")
    with pytest.raises(ValidationError, match="console_purge"):
        load_settings(tmp_path)


@aio
async def test_the_console_says_it_will_purge_and_waits_the_configured_delay(db, fixed_clock, isolated_dirs) -> None:
    from console.settings.config import Settings
    from screens.shell.app import ConsoleApp

    world = purge_world.build(isolated_dirs)
    scheduler = Scheduler(isolated_dirs, world.tech, interval_minutes=15)
    base = timer_app(world.tech, isolated_dirs, scheduler)
    app = ConsoleApp(world.tech, base.info, scheduler=scheduler, settings=Settings(timer_first_run_seconds=600.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert scheduler.next_run_at >= clock.now() + timedelta(seconds=600)
        notes = [n.message for n in app._notifications]
        assert any("deletes due data by itself: first at 11:10" in note for note in notes), notes
        assert PurgeRun.select().count() == 0
    off = ConsoleApp(world.tech, base.info, scheduler=None, settings=Settings(headless_scheduler=True))
    async with off.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "purge timer off" in header(off)
