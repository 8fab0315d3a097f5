"""`/` filters and `o` sorts every list on the database, as a person uses them at 80x24."""

from __future__ import annotations

from tests.support.screens import aio, make_app, screen_text, settle, world


def keys_of(table) -> list[str]:  # type: ignore[no-untyped-def]
    return list(table.rows_by_key)


@aio
async def test_o_sorts_the_orders_and_says_how(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orders-table")
        assert keys_of(table)[:2] == ["A-2026-0001", "A-2026-0002"]  # newest first
        await pilot.press("o")
        await settle(pilot)
        assert keys_of(table)[:2] == ["A-2026-0002", "A-2026-0001"]  # oldest first
        assert "sorted by opened ↑" in screen_text(app)
        await pilot.press("o")
        await settle(pilot)
        assert "sorted by order ref ↑" in screen_text(app)
        assert keys_of(table) == sorted(keys_of(table))


@aio
async def test_slash_filters_the_active_sessions_on_the_database(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#sessions-table")
        assert keys_of(table) == [w["running"].ref]
        await pilot.press("slash")
        await pilot.press(*"moebel", "enter")
        await settle(pilot)
        assert keys_of(table) == []
        assert app.screen.focused is table  # back in the list, the filter stays shown
        await pilot.press("slash")
        await pilot.press(*["backspace"] * 6, *"baeck", "enter")  # the customer's name, folded
        await settle(pilot)
        assert keys_of(table) == [w["running"].ref]
        await pilot.press("slash")
        await pilot.press(*"zz", "enter")
        await settle(pilot)
        assert keys_of(table) == []
        await pilot.press("slash", "escape")  # clears the filter
        await settle(pilot)
        assert keys_of(table) == [w["running"].ref]


@aio
async def test_slash_filters_the_staff_and_o_turns_it_round(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="people")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#staff-table")
        names = keys_of(table)
        await pilot.press("o")
        await settle(pilot)
        assert keys_of(table) == names[::-1]
        await pilot.press("slash")
        await pilot.press(*"jsch", "enter")
        await settle(pilot)
        assert keys_of(table) == ["jschulz"]
