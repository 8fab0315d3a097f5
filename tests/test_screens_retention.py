"""Retention queue screen: summary and queue, holds, the purge preview → confirm → run, refusals, snapshots."""

from __future__ import annotations

import pytest
from textual.widgets import ProgressBar

from models.core.entities import DeletionRecord, LegalHold, PurgeRun, SystemInfo
from tests.support.screens import SIZES, aio, build_world, retention_app, screen_text, settle, summary_text


@aio
async def test_queue_shows_states_by_category_and_filters(db, fixed_clock, isolated_dirs) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.tech, isolated_dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for state in ("overdue", "held", "blocked", "scheduled"):
            assert state in text
        assert "A-2026-0003" in text and "A-2015-0001" in text
        summary = summary_text(app)
        assert "overdue" in summary and "billing" in summary and "access_requests" not in summary
        await pilot.press("z")  # state: scheduled
        await pilot.press("z")  # state: due
        await pilot.press("z")  # state: overdue
        await settle(pilot)
        table = app.screen.query_one("#ret-queue")
        states = {str(table.get_row(key)[4]) for key in table.rows}
        assert states == {"overdue"}
        assert "state: overdue" in screen_text(app)


@aio
async def test_officer_previews_confirms_and_purges_with_progress(db, fixed_clock, isolated_dirs) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.officer, isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        question = screen_text(app)
        assert "Purge preview (dry run" in question and "system information" in question
        assert SystemInfo.select().count() == 5  # a preview deletes nothing
        assert PurgeRun.select().where(PurgeRun.dry_run).count() == 1
        retention = app.screen_stack[-2]  # under the confirmation
        bar = retention.query_one("#ret-progress", ProgressBar)
        shown: list[tuple[float, float | None, bool]] = []  # what the bar showed: done, of total, visible
        retention.watch(bar, "progress", lambda done: shown.append((done, bar.total, bar.display)), init=False)
        await pilot.press("y")
        await settle(pilot)
        run = PurgeRun.get(~PurgeRun.dry_run)
        assert run.state == "done" and run.deleted_count > 0
        assert shown and shown[-1] == (run.deleted_count, run.deleted_count, True)  # the bar came to the end
        assert not bar.display  # and went away with the result
        assert DeletionRecord.select().count() == run.deleted_count
        assert SystemInfo.select().count() == 2  # the held order and the recent one keep theirs
        notes = [n.message for n in app._notifications]
        assert any(f"Purge run {run.id}:" in note for note in notes)
        # the run and its deletion records are listed
        await pilot.press("w")
        await settle(pilot)
        text = screen_text(app)
        assert f"Deletion records of run {run.id}" in text and "system information" in text


@aio
async def test_cancelled_purge_deletes_nothing(db, fixed_clock, isolated_dirs) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.officer, isolated_dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert "Purge cancelled; nothing was deleted." in screen_text(app)
        assert PurgeRun.select().where(~PurgeRun.dry_run).count() == 0
        assert SystemInfo.select().count() == 5


@aio
async def test_technician_sees_purge_and_holds_disabled_with_the_reason(db, fixed_clock, isolated_dirs) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.tech, isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "lacks the role privacy officer" in screen_text(app)
        assert app.screen.check_action("purge", ()) is None
        assert app.screen.check_action("place_hold", ()) is None
        await pilot.press("p")
        await settle(pilot)
        assert app.screen.MODE == "retention"
        assert PurgeRun.select().count() == 0


@aio
async def test_officer_places_and_releases_a_hold(db, fixed_clock, isolated_dirs) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.officer, isolated_dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        form = app.screen
        form.query_one("#f-order_ref").value = "A-9999-0001"
        form.query_one("#f-reason").text = "dispute"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "no order A-9999-0001" in screen_text(app)  # refused in the form, nothing saved
        form.query_one("#f-order_ref").value = world.order_refs["old"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert LegalHold.select().where(LegalHold.released_at.is_null()).count() == 2
        await pilot.press("w", "w")
        await settle(pilot)
        text = screen_text(app)
        assert "[b]Rechnung 7[/b]" in text  # outside text shown literally
        table = app.screen.query_one("#ret-holds")
        table.move_cursor(row=0)
        await pilot.pause()
        await pilot.press("r")
        await pilot.press("y")
        await settle(pilot)
        assert LegalHold.select().where(LegalHold.released_at.is_null()).count() == 1


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_queue(snap_compare, db, fixed_clock, isolated_dirs, size: str) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.officer, isolated_dirs)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


@aio
async def test_a_purge_running_elsewhere_is_shown_and_refuses_this_one(db, fixed_clock, isolated_dirs) -> None:
    from models.purge.lease import Lease

    world = build_world(isolated_dirs)
    other = Lease("dora@desk-2 pid 4242 (purge)")  # another console purging right now
    other.acquire()
    try:
        app = retention_app(world.officer, isolated_dirs)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert "A purge is running: dora@desk-2 pid 4242 (purge)" in summary_text(app)
            await pilot.press("p")
            await settle(pilot)
            await pilot.press("y")
            await settle(pilot)
            assert "another purge is running" in screen_text(app)  # the hint line says why
            assert any("another purge is running" in n.message for n in app._notifications)
            assert PurgeRun.select().where(~PurgeRun.dry_run).count() == 0
            assert SystemInfo.select().count() == 5
            assert app.screen.check_action("purge", ()) is True  # may try again later
    finally:
        other.release()
