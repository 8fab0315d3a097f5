"""Snapshots of every main screen at 80x24 and 120x40: fixed clock, fixed data, nothing ticking.

Update after a deliberate change with: pytest tests/test_screens_snap.py --snapshot-update
"""

from __future__ import annotations

import pytest

from models.core import audit
from tests.support.screens import make_app, settle, world

MODES = ["dashboard", "sessions", "orders", "consents", "people", "audit", "help"]
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("mode", MODES)
def test_main_screen(snap_compare, db, fixed_clock, mode: str, size: str) -> None:
    w = world()
    audit.record("mmueller", "demo.snapshot")
    app = make_app(w["tech"] if mode != "audit" else w["officer"], start_mode=mode)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_session_start_form(snap_compare, db, fixed_clock, size: str) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")

    async def show_form(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        app.set_focus(None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=show_form)


@pytest.mark.parametrize("size", SIZES)
def test_order_detail(snap_compare, db, fixed_clock, size: str) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")

    async def open_detail(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        table = app.screen.query_one("#orders-table")
        table.move_cursor(row=table.get_row_index("A-2026-0002"))
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=open_detail)
