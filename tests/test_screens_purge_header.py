"""A purge run by hand from the retention screen is the console's last purge: the header says so."""

from __future__ import annotations

from console.jobs.scheduler import Scheduler
from models.core.entities import PurgeRun
from screens.shell.chrome import ShellHeader
from tests.support import purge_world
from tests.support.screens import aio, console, settle


def header(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(ShellHeader).render())


@aio
async def test_a_purge_from_the_retention_screen_updates_the_header(db, fixed_clock, isolated_dirs) -> None:
    world = purge_world.build(isolated_dirs)
    scheduler = Scheduler(isolated_dirs, world.officer, interval_minutes=15, share_turns=True)
    app = console(world.officer, isolated_dirs, "retention", scheduler=scheduler)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.purge_timer.stop()  # only the key presses purge here
        assert "purge: not run yet" in header(app)
        fixed_clock.advance(minutes=5)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        run = PurgeRun.get(~PurgeRun.dry_run)
        assert run.deleted_count > 0
        assert f"purge 11:05: {run.deleted_count} deleted" in header(app)
        await pilot.press("1")  # another screen shows the same last run
        await settle(pilot)
        assert f"purge 11:05: {run.deleted_count} deleted" in header(app)
