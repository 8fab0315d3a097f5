"""`/` filters and `o` sorts the billing outbox and the batches on the database, at 80x24."""

from __future__ import annotations

from models.core.entities import BillingRecord
from tests.support.screens import aio, console, screen_text, settle
from tests.test_screens_accounting import billing_world


def keys_of(table) -> list[str]:  # type: ignore[no-untyped-def]
    return list(table.rows_by_key)


@aio
async def test_slash_filters_the_outbox_and_o_changes_its_order(db, fixed_clock, isolated_dirs) -> None:
    _tech, accountant = billing_world()
    records = list(BillingRecord.select().order_by(BillingRecord.id))
    ids = [str(r.id) for r in records]
    baecker = [str(r.id) for r in records if r.customer_number == "K-10042"]
    app = console(accountant, isolated_dirs, "accounting")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#acc-outbox")
        assert keys_of(table) == ids  # oldest first
        await pilot.press("o")
        await settle(pilot)
        assert keys_of(table) == ids[::-1]
        assert "sorted by record ↓" in screen_text(app)
        await pilot.press("o")
        await settle(pilot)
        assert "sorted by session date ↑" in screen_text(app)
        await pilot.press("slash")
        await pilot.press(*"baeck", "enter")
        await settle(pilot)
        assert keys_of(table) == baecker and len(baecker) == 2
        assert app.screen.focused is table
        await pilot.press("slash", "escape")  # clears the filter
        await settle(pilot)
        assert sorted(keys_of(table)) == sorted(ids)
