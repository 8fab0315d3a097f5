"""The monochrome theme: chosen by itself without colours, and usable without them.

Focus, selection, errors and placeholders must differ by characters, reverse, bold, underline
or italics, because a monochrome terminal shows no colour at all. The snapshots are of a few
screens at 80x24 under NO_COLOR.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual.geometry import Region
from textual.widgets import DataTable, Input

from console.settings.state import remembered
from screens.shell.app import ConsoleApp
from screens.shell.theme import MONO
from tests.support.fit import everyone
from tests.support.screens import aio, make_app, settle, world

SIZE = (80, 24)


def mono_app(operator: Any, mode: str, environ: dict[str, str] | None = None, config_dir: Path | None = None) -> Any:
    base = make_app(operator, start_mode=mode)
    environ = {"NO_COLOR": "1"} if environ is None else environ
    return ConsoleApp(operator, base.info, start_mode=mode, environ=environ, config_dir=config_dir)


def line_of(widget: Any, y: int = 0) -> list[Segment]:
    """The segments a widget draws on its line `y` (border and outline included)."""
    width, height = widget.outer_size
    return list(widget.render_lines(Region(0, y, width, 1))[0])


def styled(segments: list[Segment], attribute: str) -> bool:
    """Whether some text (not a border) on the line has `attribute` (reverse, bold, italic, underline)."""
    return any(any(c.isalnum() for c in s.text) and getattr(s.style, attribute, False) for s in segments)


def brightness(segments: list[Segment]) -> float:
    colours = [s.style.color for s in segments if any(c.isalpha() for c in s.text) and s.style and s.style.color]
    r, g, b = colours[0].get_truecolor()
    return (0.299 * r + 0.587 * g + 0.114 * b) / 255


@pytest.mark.parametrize("environ", [{"NO_COLOR": "1"}, {"NO_COLOR": ""}, {"TERM": "dumb"}, {"TERM": "vt100"}])
@aio
async def test_without_colours_the_monochrome_theme_is_chosen(db, fixed_clock, environ) -> None:
    operator = everyone()
    app = mono_app(operator, "sessions", environ)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == MONO and app.has_class("-mono")
    assert mono_app(operator, "sessions", {"TERM": "xterm-256color"}).theme != MONO


@aio
async def test_the_focused_field_has_a_mark_and_placeholders_do_not_look_like_values(db, fixed_clock) -> None:
    operator = everyone()
    app = mono_app(operator, "people")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        focused = app.focused
        assert isinstance(focused, Input)
        other = form.query_one("#f-name", Input)
        mark = line_of(focused)[0].text
        assert mark.strip(), "the focused field starts with a visible mark (a bar), not colour"
        assert not line_of(other)[0].text.strip()  # the others have none
        await pilot.press(*"jdoe")
        assert styled(line_of(focused), "underline")  # a value is underlined like a field
    app = mono_app(operator, "orders")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        search = app.screen.query(Input).first()
        placeholder = line_of(search, 1)
        assert styled(placeholder, "italic") and not styled(placeholder, "underline")
        assert not styled(placeholder, "dim")  # dim grey on black is all but invisible on a real terminal
        assert 0.35 <= brightness(placeholder) <= 0.8  # grey: readable, and unlike the white values
        search.value = "Bäckerei"
        await pilot.pause()
        value = line_of(search, 1)
        assert not styled(value, "italic") and brightness(value) > 0.9


@aio
async def test_the_selected_row_is_reverse_and_the_header_is_not(db, fixed_clock) -> None:
    app = mono_app(everyone(), "orders")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orders-table", DataTable)
        table.focus()
        await pilot.pause()
        header = line_of(table, 0)
        cursor = line_of(table, 1 + table.cursor_row)
        assert styled(cursor, "reverse")
        assert not styled(header, "reverse") and styled(header, "bold")


@pytest.mark.parametrize("mode", ["orders", "consents"])
@aio
async def test_the_columns_fit_whether_the_list_has_the_focus_or_not(db, fixed_clock, mode: str) -> None:
    """The focus bar must not take a cell the columns were laid out for (no Resize tells the table)."""
    app = mono_app(everyone(), mode)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query(DataTable).first()
        widths = []
        for focus in (app.screen.query(Input).first(), table, app.screen.query(Input).first()):
            focus.focus()
            await settle(pilot)
            used = sum(column.get_render_width(table) for column in table.columns.values())
            assert used <= table.size.width, (focus, used, table.size.width)
            widths.append(table.size.width)
        assert len(set(widths)) == 1  # the columns keep their place when the focus moves


@aio
async def test_an_error_is_marked_by_a_word_or_sign_not_by_colour_alone(db, fixed_clock) -> None:
    w = world()
    app = mono_app(w["tech"], "sessions")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "ctrl+s")
        await settle(pilot)
        error = next(e for e in app.screen.query(".field-error.-shown"))
        text = "".join(segment.text for segment in line_of(error)).strip()
        assert text[:1] in "!✗×⚠" or text.lower().startswith(("error", "fehler")), text


@aio
async def test_the_theme_is_kept_per_os_user_across_restarts(db, fixed_clock, tmp_path, monkeypatch) -> None:
    from console.settings import state

    operator = everyone()
    for user, theme in [("anna", "nord"), ("ben", "gruvbox")]:  # two OS users share one config folder
        monkeypatch.setattr(state, "os_user", lambda user=user: user)
        app = mono_app(operator, "sessions", {}, config_dir=tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.theme = theme
            await pilot.pause()
    for user, theme in [("anna", "nord"), ("ben", "gruvbox")]:
        monkeypatch.setattr(state, "os_user", lambda user=user: user)
        again = mono_app(operator, "sessions", {}, config_dir=tmp_path)
        async with again.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert again.theme == theme, user
    assert remembered(tmp_path, "theme", user="anna") == "nord"
    (tmp_path / "console-state.json").write_text("{ broken", encoding="utf-8")
    damaged = mono_app(operator, "sessions", {}, config_dir=tmp_path)
    async with damaged.run_test(size=SIZE) as pilot:  # a damaged state file: the default theme, no traceback
        await settle(pilot)
        assert damaged.theme == "textual-dark"
        damaged.theme = "nord"
        await pilot.pause()
    assert remembered(tmp_path, "theme", user="ben") == "nord"  # and the next choice repairs it


# -- snapshots (generated by the lead after merging; see RULES) ----------------------------------------------------


@pytest.mark.parametrize("mode", ["sessions", "orders", "consents", "access", "people", "audit"])
def test_snapshot_monochrome_list(snap_compare, db, fixed_clock, isolated_dirs, mode: str) -> None:
    app = mono_app(everyone(), mode)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_snapshot_monochrome_staff_form(snap_compare, db, fixed_clock) -> None:
    async def open_form(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"jdoe", "tab")
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # the picture must not depend on where the blink is
        await pilot.pause()

    assert snap_compare(mono_app(everyone(), "people"), terminal_size=SIZE, run_before=open_form)


def test_snapshot_monochrome_retention(snap_compare, db, fixed_clock, isolated_dirs) -> None:
    assert snap_compare(mono_app(everyone(), "retention"), terminal_size=SIZE, run_before=settle)
