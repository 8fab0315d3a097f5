"""Accounting screen: outbox (audited, re-read only when it changes), export, batches, acknowledge, refusals."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from models.core.entities import AuditEvent, BillingBatch, Order
from tests.support import factories as f
from tests.support.billing import T0, completed_order
from tests.support.screens import HOSTILE_NAME, aio, console, fill, screen_text, settle


def billing_world():  # type: ignore[no-untyped-def]
    tech = f.staff("tkoch", "technician", name="Tom Koch")
    accountant = f.staff("acc", "accounting", name="Alex Accounting")
    customer = f.customer("K-10042", "Bäckerei Schmidt")
    other = f.customer("K-66666", HOSTILE_NAME)
    completed_order(tech, "A-2026-0001", customer, spans=[(T0 - timedelta(days=1), 40), (T0 - timedelta(hours=20), 25)])
    completed_order(tech, "A-2026-0002", other, workstation=HOSTILE_NAME, billing_class="billable")
    return tech, accountant


def outbox_reads() -> int:
    return AuditEvent.select().where(AuditEvent.action == "billing.outbox.read").count()


@aio
async def test_outbox_lists_records_literally_and_is_not_reread_without_change(db, fixed_clock, isolated_dirs) -> None:
    tech, accountant = billing_world()
    app = console(accountant, isolated_dirs, "accounting")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Outbox: 3 records wait" in text
        assert f"K-66666 {HOSTILE_NAME}" in text and "A-2026-0001" in text
        reads = outbox_reads()
        assert reads >= 1
        app.screen.refresh_tick()  # the live-refresh timer fires; nothing changed
        await settle(pilot)
        assert outbox_reads() == reads


@aio
async def test_export_then_acknowledge_sets_the_billing_date(db, fixed_clock, isolated_dirs, tmp_path: Path) -> None:
    tech, accountant = billing_world()
    app = console(accountant, isolated_dirs, "accounting")
    folder = tmp_path / "erp"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await fill(pilot, out_dir=str(folder))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (folder / "support24-billing-000001.csv").exists()
        assert "Outbox: 0 records wait" in screen_text(app)
        assert app.screen.check_action("export", ()) is None  # nothing to export
        await pilot.press("w")
        await settle(pilot)
        text = screen_text(app)
        assert "Records of batch 1" in text and "open" in text
        await pilot.press("k")
        await fill(pilot, billed_on="2026-12-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "lies in the future" in str(app.screen.query_one("#e-billed_on").render())
        await fill(pilot, billed_on="24.11.2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "as billed on 24.11.2026?" in screen_text(app)  # asked once, with batch and date
        await pilot.press("y")
        await settle(pilot)
        assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 24)
        assert Order.get(Order.ref == "A-2026-0001").billed_on == date(2026, 11, 24)
        assert app.screen.check_action("acknowledge", ()) is None  # acknowledged already
        assert "2026-11-24" in screen_text(app)
        # re-export of the same batch is identical
        await pilot.press("X")
        await fill(pilot, out_dir=str(tmp_path / "again"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("(identical)" in n.message for n in app._notifications)


@aio
async def test_technician_sees_the_count_but_no_records_and_no_actions(db, fixed_clock, isolated_dirs) -> None:
    tech, accountant = billing_world()
    app = console(tech, isolated_dirs, "accounting")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "lacks the role accounting or admin" in text and "Outbox: 3 records wait" in text
        assert "A-2026-0001" not in text
        assert outbox_reads() == 0
        await pilot.press("x")
        await settle(pilot)
        assert app.screen.MODE == "accounting" and BillingBatch.select().count() == 0


@aio
async def test_after_export_the_new_batch_is_selected_and_k_confirms_batch_and_date(
    db, fixed_clock, isolated_dirs, tmp_path: Path
) -> None:
    from console.jobs import billing_export
    from models.billing import outbox as billing
    from screens.kit.forms import ConfirmScreen

    tech, accountant = billing_world()
    billing_export.export(accountant, tmp_path / "erp")
    app = console(accountant, isolated_dirs, "accounting")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")  # batch 1 is highlighted in the batches view
        await settle(pilot)
        completed_order(tech, "A-2026-0003", f.customer("K-10043", "Café Herrmann"))
        app.screen.refresh_tick()
        await settle(pilot)
        await pilot.press("w", "x")  # the outbox, export
        await fill(pilot, out_dir=str(tmp_path / "erp"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert app.screen.selected_batch().number == 2
        assert "Records of batch 2" in screen_text(app)
        await pilot.press("k")
        await settle(pilot)
        assert "Batch 2, created" in screen_text(app)
        assert app.screen.query_one("#f-billed_on").value == "24.11.2026"  # today offered, as lists show dates
        await fill(pilot, billed_on="23.11.2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "lies before order A-2026-0003 was completed" in str(app.screen.query_one("#e-billed_on").render())
        await fill(pilot, billed_on="24.11.2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Acknowledge batch 2 (1 records" in screen_text(app) and "billed on 24.11.2026" in screen_text(app)
        await pilot.press("n")  # not yet: nothing stored, the form stays
        await settle(pilot)
        assert BillingBatch.get(BillingBatch.number == 2).acknowledged_at is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert BillingBatch.get(BillingBatch.number == 2).billed_on == date(2026, 11, 24)
        assert BillingBatch.get(BillingBatch.number == 1).acknowledged_at is None
    assert billing is not None


@aio
async def test_accounting_refreshes_by_itself(db, fixed_clock, isolated_dirs) -> None:
    tech, accountant = billing_world()
    app = console(accountant, isolated_dirs, "accounting")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.refresh_timer is not None  # armed after the first load
        completed_order(tech, "A-2026-0003", f.customer("K-10043", "Café Herrmann"))
        app.screen.refresh_tick()
        await settle(pilot)
        assert "Outbox: 4 records wait" in screen_text(app)
        assert app.screen.refresh_timer is not None  # and again after that refresh


SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_outbox(snap_compare, db, fixed_clock, isolated_dirs, size: str) -> None:
    tech, accountant = billing_world()
    app = console(accountant, isolated_dirs, "accounting")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_batches(snap_compare, db, fixed_clock, isolated_dirs, tmp_path: Path, size: str) -> None:
    from console.jobs import billing_export
    from models.billing import outbox as billing

    tech, accountant = billing_world()
    billing_export.export(accountant, tmp_path / "erp")
    billing.acknowledge(accountant, 1, date(2026, 11, 24))
    completed_order(tech, "A-2026-0003", f.customer("K-10043", "Café Herrmann"))
    billing_export.export(accountant, tmp_path / "erp")
    app = console(accountant, isolated_dirs, "accounting")

    async def show_batches(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=show_batches)


@aio
async def test_a_refused_folder_is_shown_under_the_folder_input(db, fixed_clock, isolated_dirs, tmp_path: Path) -> None:
    """The export names its field `out_dir`, as the form does: the refusal is shown where it was typed."""
    _tech, accountant = billing_world()
    app = console(accountant, isolated_dirs, "accounting")
    not_a_folder = tmp_path / "erp.txt"
    not_a_folder.write_text("x", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await fill(pilot, out_dir=str(not_a_folder))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is not a folder" in str(app.screen.query_one("#e-out_dir").render())
