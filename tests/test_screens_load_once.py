"""Opening a screen asks the database for its first page once per visible table, and a failed
worker is reported once: Textual calls each class's handler in the MRO itself, so a handler
that also calls super() runs the base's work twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from screens.kit.base import PagedTable
from screens.shell.modes import MODE_SPECS
from tests.support.screens import aio, make_app, settle, world


@pytest.mark.parametrize("mode", [spec.name for spec in MODE_SPECS if not spec.coming])
@aio
async def test_each_visible_table_loads_its_first_page_once(db, fixed_clock, monkeypatch, mode: str) -> None:
    w = world()
    loads: Counter[str] = Counter()
    original = PagedTable.reload

    def counted(self: PagedTable) -> None:
        loads[self.id or "?"] += 1
        original(self)

    monkeypatch.setattr(PagedTable, "reload", counted)
    app = make_app(w["officer"] if mode == "retention" else w["tech"], start_mode=mode)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = {table.id for table in app.screen.query(PagedTable) if table.is_on_screen}
        assert shown <= set(loads), f"tables shown but never loaded: {shown - set(loads)}"
        assert all(n == 1 for n in loads.values()), dict(loads)


@aio
async def test_a_failed_page_is_reported_once(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table: Any = app.screen.query_one("#orders-table", PagedTable)

        def broken(after: Any, limit: int) -> Any:
            raise KeyError("the page query broke")

        table.fetch = broken
        before = len(app._notifications)
        table.reload()
        await settle(pilot)
        new = list(app._notifications)[before:]
        assert len(new) == 1, [n.message for n in new]


@aio
async def test_shown_keys_follow_what_the_screen_allows(db, fixed_clock) -> None:
    """Keys are enabled or disabled in place when rows arrive; the footer shows the current state."""
    from screens.compat import FooterKey
    from tests.support import factories

    world()
    admin = factories.staff("anna", "admin", name="Anna Admin")
    app = make_app(admin, start_mode="people")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        def key(action: str) -> FooterKey:
            return next(k for k in app.screen.query(FooterKey) if k.action == action)

        assert not key("new_staff").has_class("-disabled")
        table: Any = app.screen.query_one("#staff-table", PagedTable)
        for username, enabled in (("anna", False), ("jschulz", True)):  # nobody deactivates themselves
            table.move_cursor(row=table.get_row_index(username))
            await settle(pilot)
            assert key("deactivate").has_class("-disabled") is not enabled, username
            assert app.screen.check_action("deactivate", ()) is (True if enabled else None)
