"""`?` opens the help of the screen below: what the screen is for and its keys from the key map."""

from __future__ import annotations

import io

from rich.console import Console

from tests.support.screens import aio, make_app, settle, world


def table_text(renderable) -> str:  # type: ignore[no-untyped-def]
    out = Console(width=118, record=True, file=io.StringIO())
    out.print(renderable)
    return out.export_text()


@aio
async def test_question_mark_says_what_the_screen_is_for_and_its_keys(db, fixed_clock) -> None:
    from screens.help.screen import ScreenHelp

    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, ScreenHelp)
        shown = table_text(app.screen.keys())
        assert "Orders and sessions: history, detail, completion, holds" in shown  # what it is for
        assert "Filter" in shown and "Sort" in shown  # the keys of the list
        assert "filter the list (on the database, page by page)" in shown  # the key map's words
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # the order's detail
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        shown = table_text(app.screen.keys())
        assert "An order" in shown  # a pushed detail says what it is, too
        assert "Complete" in shown and "complete (finish) the order" in shown
