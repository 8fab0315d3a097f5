"""Every main list fits the terminal: the deciding columns in view, whole, never behind horizontal scrolling.

At 80x24 (and 100 and 120 columns, and after a resize) each list shows the columns that decide
an action (Sessions: IP and Screen; Orders: Hold and Class; the consent log: Answer; retention:
State; …) with their headers whole, and no row is wider than the table.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from screens.kit.columns import Column, lay_out
from tests.support.fit import LISTS, SIZES, everyone, look, overflow, shown_keys
from tests.support.screens import aio, make_app, screen_text, settle


@pytest.mark.parametrize("mode", [mode for mode, _tables in LISTS])
@aio
async def test_every_list_shows_its_deciding_columns_whole_at_each_width(db, fixed_clock, isolated_dirs, mode) -> None:
    operator = everyone()
    for size in SIZES:
        app = make_app(operator, start_mode=mode, data_dir=isolated_dirs)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await look(pilot, mode, size)


@aio
async def test_a_refused_consent_reads_refused_at_120_and_80(db, fixed_clock) -> None:
    operator = everyone()
    for size in [(120, 40), (80, 24)]:
        app = make_app(operator, start_mode="consents")
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            table = app.screen.query_one("#consents-table", DataTable)
            assert "answer" in shown_keys(table) and overflow(table) == 0
            assert "REFUSED" in screen_text(app)


@aio
async def test_lists_are_laid_out_again_when_the_terminal_is_resized(db, fixed_clock) -> None:
    operator = everyone()
    app = make_app(operator, start_mode="sessions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#sessions-table", DataTable)
        assert {"workstation", "person"} <= shown_keys(table)  # room for everything at 120
        rows = table.row_count
        assert rows > 0
        for size in [(80, 24), (100, 30), (70, 24), (120, 40)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert {"ref", "ip", "screen"} <= shown_keys(table), size
            assert overflow(table) == 0, size
        assert table.row_count == rows  # the rows came along


def test_lay_out_keeps_the_deciding_columns_and_leaves_out_the_least_important() -> None:
    columns = [
        Column("ref", "Session", 11, priority=0),
        Column("customer", "Customer", 24, min=14),
        Column("person", "Person", 16, priority=3, min=8),
        Column("screen", "Screen", 7, priority=0, short="Scr."),
    ]
    wide = lay_out(columns, 120)
    assert [p.key for p in wide] == ["ref", "customer", "person", "screen"]
    narrow = lay_out(columns, 40)
    assert [p.key for p in narrow] == ["ref", "customer", "screen"]  # declaration order kept
    assert sum(p.width + 2 for p in narrow) <= 40
    tight = lay_out(columns, 24)
    assert {"ref", "screen"} <= {p.key for p in tight}
    assert next(p.header for p in lay_out([Column("screen", "Bildschirm", 7, short="Bild")], 9)) == "Bild"


@aio
async def test_forms_show_their_title_and_save_at_80x24(db, fixed_clock) -> None:
    from tests.support.fit import form_problems

    operator = everyone()
    for mode, keys in [("people", "n"), ("people", "u"), ("sessions", "s")]:
        app = make_app(operator, start_mode=mode)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            assert form_problems(app) == [], (mode, keys)


@aio
async def test_the_elapsed_clock_runs_on_a_terminal_too_narrow_for_its_column(db, fixed_clock) -> None:
    """The sessions list leaves Elapsed out when narrow; the once-a-second tick must not fail then."""
    operator = everyone()
    app = make_app(operator, start_mode="sessions")
    async with app.run_test(size=(44, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "elapsed" not in screen.table.columns
        screen.tick_elapsed()
        await pilot.pause()
        assert app.screen is screen and app.is_running
