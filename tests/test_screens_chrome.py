"""The header and the mode bar at any width: words whole, numbers whole and with thousands separators."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from models.purge.service import running_text
from screens.shell.modes import MODE_SPECS
from tests.support.screens import aio, make_app, settle, world


def bar_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(".mode-bar").render())


def header_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(".shell-header").render())


@aio
async def test_the_mode_bar_never_cuts_a_word_into_letters(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")
    words = {item.title for item in MODE_SPECS} | {item.short for item in MODE_SPECS}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "1 Now 2 Live 3 Orders 4 Consent 5 Purge 6 Access 7 Bill 8 Staff 9 Audit 0 Help" in bar_text(app)
        for width in (80, 70, 60, 40):
            await pilot.resize_terminal(width, 24)
            await settle(pilot)
            text = bar_text(app)
            assert len(text) <= width - 2, (width, text)
            shown = [word for word in re.split(r"\s*\d\s*", text) if word]
            assert set(shown) <= words, (width, text)  # whole words only, no "Orde Rete"
            assert "3 Orders" in text  # the current mode keeps its name
            assert all(item.key in text for item in MODE_SPECS)


@aio
async def test_the_header_keeps_numbers_whole_at_any_width(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    status = running_text(datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc), 163002, 178117) + " · next 16:45"
    assert "163,002 of 178,117" in status
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.set_status(status)
        for width in (80, 60, 48):
            await pilot.resize_terminal(width, 24)
            await settle(pilot)
            text = header_text(app)
            assert len(text) <= width - 2, (width, text)
            numbers = set(re.findall(r"\d[\d,:]*\d", text.replace("support24", "")))
            assert numbers <= {"16:30", "163,002", "178,117", "16:45"}, (width, text)  # never "163002 of 78117"
            if width >= 60:
                assert "163,002 of 178,117" in text, (width, text)
