"""The dashboard's first data is read while the console starts (models.browse.dashboard.read_ahead) and shown
as read; every refresh after it reads again, and a failed early read is read again by the screen."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime, timezone

from models.browse.dashboard import read_ahead
from tests.support.screens import aio, make_app, settle, world
from tests.test_dashboard_fit import drawn


def _sessions_line(app) -> str:  # type: ignore[no-untyped-def]
    return next(line.strip() for line in drawn(app).splitlines() if "Active sessions" in line)


@aio
async def test_the_first_frame_shows_what_was_read_at_start_and_a_refresh_reads_again(db, fixed_clock) -> None:
    w = world()
    early = read_ahead()
    read = early.result(timeout=30)
    assert read.active_count == 1
    from models.sessions import sessions

    sessions.end_session(w["tech"], w["running"].ref, ended_at=datetime(2026, 11, 24, 9, 59, tzinfo=timezone.utc))
    app = make_app(w["tech"], start_mode="dashboard", early_data={"dashboard": early})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _sessions_line(app).startswith("Active sessions: 1")  # as read at start
        app.screen.refresh_data()
        await settle(pilot)
        assert _sessions_line(app).startswith("Active sessions: 0")  # read now


@aio
async def test_a_failed_early_read_is_read_again_by_the_screen(db, fixed_clock) -> None:
    w = world()
    failed: Future[object] = Future()
    failed.set_exception(RuntimeError("the database went away"))
    app = make_app(w["tech"], start_mode="dashboard", early_data={"dashboard": failed})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _sessions_line(app).startswith("Active sessions: 1")
