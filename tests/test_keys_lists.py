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


@aio
async def test_slash_filters_the_access_requests_names_only_for_the_privacy_officer(
    db, fixed_clock, isolated_dirs
) -> None:
    from datetime import date

    from models.access import requests as access
    from tests.support import access_seed
    from tests.support.screens import console

    seeded = access_seed.seed()
    olga = access.open_request(seeded.officer, name="Olga Overdue", received_on=date(2026, 11, 20), channel="letter")
    access.open_request(seeded.officer, name="Frieda Fresh", received_on=date(2026, 11, 24), channel="fax")
    for operator, found in ((seeded.officer, [olga.ref]), (seeded.tech, [])):
        app = console(operator, isolated_dirs, "access")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            table = app.screen.query_one("#ar-table")
            assert len(keys_of(table)) == 2
            await pilot.press("slash")
            await pilot.press(*"olga", "enter")
            await settle(pilot)
            assert keys_of(table) == found  # a technician cannot find a requester by name
            await pilot.press("slash", "escape")
            await settle(pilot)
            await pilot.press("slash")
            await pilot.press(*olga.ref.lower(), "enter")
            await settle(pilot)
            assert keys_of(table) == [olga.ref]
