"""A screen the operator has left drops what it had drawn and shows the same again on return;
a mode's first screen is styled as it mounts, without Textual refreshing the whole CSS."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from tests.support.screens import aio, make_app, settle, world


@aio
async def test_a_screen_left_keeps_its_rows_and_looks_the_same_on_return(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        orders = app.screen
        table: Any = orders.query(DataTable).first()
        await pilot.press("down")
        await settle(pilot)
        before = app.export_screenshot()
        rows, cursor = table.row_count, table.cursor_row
        assert rows > 0 and len(table._line_cache) > 0
        app.switch_mode("sessions")
        await settle(pilot)
        assert len(table._line_cache) == 0 and len(table._row_render_cache) == 0  # nothing drawn kept
        drawn = [
            part
            for widget in orders.walk_children(with_self=True)
            for part in (widget, widget._vertical_scrollbar, widget._horizontal_scrollbar)
            if part is not None and part._render_cache.lines
        ]
        assert drawn == []  # nor the lines of a Static or a scrollbar
        app.switch_mode("orders")
        await settle(pilot)
        assert app.screen is orders and (table.row_count, table.cursor_row) == (rows, cursor)
        assert app.export_screenshot() == before


@aio
async def test_the_first_visit_of_a_mode_does_not_refresh_the_whole_css(db, fixed_clock, monkeypatch) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="dashboard")
    refreshed: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        original = type(app).refresh_css

        def counted(self: Any, animate: bool = True) -> None:
            refreshed.append(self.current_mode)
            original(self, animate)

        monkeypatch.setattr(type(app), "refresh_css", counted)
        app.switch_mode("orders")
        await settle(pilot)
        assert refreshed == []
        app.theme = "textual-light"  # a theme change still restyles everything, as before
        await settle(pilot)
        assert refreshed


@aio
async def test_a_screen_left_holds_no_footer_keys_and_shows_them_again_on_return(db, fixed_clock) -> None:
    from screens.compat import FooterKey

    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        orders = app.screen
        keys = [key.key for key in orders.query(FooterKey)]
        assert keys
        app.switch_mode("sessions")
        await settle(pilot)
        assert list(orders.query(FooterKey)) == []
        app.switch_mode("orders")
        await settle(pilot)
        assert [key.key for key in orders.query(FooterKey)] == keys


def test_the_main_screens_import_no_text_editor_until_a_form_needs_one() -> None:
    """TextArea and its document code (about a megabyte) come with the first form that has a text field."""
    import subprocess
    import sys

    code = (
        "import importlib, sys\n"
        "from screens.shell.modes import MODE_SPECS\n"
        "for spec in MODE_SPECS:\n"
        "    importlib.import_module('screens.' + spec.screen.split(':')[0])\n"
        "print('textual.widgets._text_area' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@aio
async def test_the_footer_keys_a_screen_left_dropped_are_freed(db, fixed_clock) -> None:
    """Not only off the screen: nothing of the screen left (its last layout, its footer's data
    bindings) keeps them alive, so every mode visited does not add its keys to the console's memory."""
    import gc
    import weakref

    from screens.compat import FooterKey
    from screens.shell.memory import keys_shed

    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        keys = [weakref.ref(key) for key in app.screen.query(FooterKey)]
        assert keys
        app.switch_mode("sessions")
        await settle(pilot)
        await keys_shed()  # their removal takes some turns of the message loops, more on a busy machine
        gc.collect()
        assert [ref for ref in keys if ref() is not None] == []
