"""Accounting at 80x24, from the first key to what is stored: export the outbox as a batch, acknowledge it with
its billing date, correct the date."""

from __future__ import annotations

from datetime import date, timedelta

from models.core.entities import BillingBatch, Order
from screens.kit.forms import ConfirmScreen
from tests.support import factories as f
from tests.support.billing import T0, completed_order
from tests.support.screens import aio, console, screen_text, settle
from tests.support.workflow import act, type_in


@aio
async def test_accounting_exports_acknowledges_and_corrects_a_batch(db, fixed_clock, isolated_dirs, tmp_path) -> None:
    tech = f.staff("tkoch", "technician", name="Tom Koch")
    accountant = f.staff("acc", "accounting", name="Alex Accounting")
    customer = f.customer("K-10042", "Bäckerei Schmidt")
    completed_order(tech, "A-2026-0001", customer, spans=[(T0 - timedelta(days=7), 40)])
    completed_order(tech, "A-2026-0002", customer, spans=[(T0 - timedelta(days=6), 25)])
    folder = tmp_path / "erp"
    app = console(accountant, isolated_dirs, "dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "mode.accounting")
        assert "Outbox: 2 records wait" in screen_text(app)
        await act(pilot, "export")
        await type_in(pilot, out_dir=str(folder))
        await act(pilot, "save")
        assert (folder / "support24-billing-000001.csv").exists()
        await act(pilot, "next_view")
        assert app.screen.selected_batch().number == 1
        await act(pilot, "acknowledge")
        await type_in(pilot, billed_on="20.11.2026")
        await act(pilot, "save")
        assert isinstance(app.screen, ConfirmScreen) and "Acknowledge batch 1" in screen_text(app)
        await act(pilot, "yes")
        assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 20)
        await act(pilot, "billing_date")
        await type_in(pilot, billed_on="21.11.2026")
        await act(pilot, "save")
        assert "20.11.2026 → 21.11.2026" in screen_text(app)
        await act(pilot, "yes")
    assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 21)
    assert {o.billed_on for o in Order.select()} == {date(2026, 11, 21)}
