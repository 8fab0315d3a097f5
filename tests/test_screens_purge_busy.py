"""Pressing p while a purge runs (this console's timer or another console) says so at once; nothing is asked."""

from __future__ import annotations

from models.core.entities import PurgeRun
from screens.kit.forms import ConfirmScreen
from tests.support.screens import aio, build_world, retention_app, screen_text, settle


@aio
async def test_p_during_a_running_purge_says_so_at_once_instead_of_asking(db, fixed_clock, isolated_dirs) -> None:
    from models.purge.lease import Lease

    world = build_world(isolated_dirs)
    timer = Lease("dora@desk-2 pid 4242 (purge timer)")  # the timer's purge, under way
    timer.acquire()
    try:
        app = retention_app(world.officer, isolated_dirs)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmScreen)  # not "Delete these items now?" first
            assert "A purge is running already" in screen_text(app)
            assert any("dora@desk-2 pid 4242 (purge timer)" in n.message for n in app._notifications)
            assert PurgeRun.select().count() == 0  # not even a preview run was recorded
    finally:
        timer.release()
