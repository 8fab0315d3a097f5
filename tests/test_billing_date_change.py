"""A wrong billing date is corrected: in the console (b, old → new confirmed once) and by the rule in models/billing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from models.core.entities import AuditEvent, BillingBatch, Order
from models.core.errors import RuleViolation, ValidationError
from screens.kit.forms import ConfirmScreen
from tests.support import factories as f
from tests.support.billing import T0, completed_order
from tests.support.screens import aio, console, fill, screen_text, settle


def acknowledged_batch(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two orders completed a week ago, exported as batch 1 and acknowledged as billed on 20.11.2026."""
    from console.jobs import billing_export
    from models.billing import outbox as billing

    tech = f.staff("tkoch", "technician", name="Tom Koch")
    accountant = f.staff("acc", "accounting", name="Alex Accounting")
    customer = f.customer("K-10042", "Bäckerei Schmidt")
    completed_order(tech, "A-2026-0001", customer, spans=[(T0 - timedelta(days=7), 40)])
    completed_order(tech, "A-2026-0002", customer, spans=[(T0 - timedelta(days=6), 25)])
    billing_export.export(accountant, tmp_path / "erp")
    billing.acknowledge(accountant, 1, date(2026, 11, 20))
    return tech, accountant


def test_the_orders_and_their_deletion_dates_follow_the_corrected_date(db, fixed_clock, tmp_path: Path) -> None:
    from models.billing import correction

    _tech, accountant = acknowledged_batch(tmp_path)
    due_before = Order.get(Order.ref == "A-2026-0001").records_due_at
    change = correction.change_billing_date(accountant, 1, date(2026, 11, 22))
    assert (change.old, change.new, change.orders_changed) == (date(2026, 11, 20), date(2026, 11, 22), 2)
    order = Order.get(Order.ref == "A-2026-0001")
    assert order.billed_on == date(2026, 11, 22) and order.records_due_at == due_before + timedelta(days=2)
    assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 22)
    event = AuditEvent.select().where(AuditEvent.action == "billing.date_changed").get()
    assert event.actor == "acc" and "2026-11-20->2026-11-22" in event.detail


def test_a_correction_is_refused_before_completion_in_the_future_unacknowledged_or_for_a_technician(
    db, fixed_clock, tmp_path: Path
) -> None:
    from console.jobs import billing_export
    from models.billing import correction
    from models.core.errors import PermissionDenied

    tech, accountant = acknowledged_batch(tmp_path)
    with pytest.raises(ValidationError, match="completed"):
        correction.change_billing_date(accountant, 1, date(2026, 11, 17))
    with pytest.raises(ValidationError, match="future"):
        correction.change_billing_date(accountant, 1, date(2026, 11, 25))
    with pytest.raises(PermissionDenied):
        correction.change_billing_date(tech, 1, date(2026, 11, 22))
    completed_order(tech, "A-2026-0003", f.customer("K-10043", "Café Herrmann"), spans=[(T0 - timedelta(days=5), 5)])
    billing_export.export(accountant, tmp_path / "erp")
    with pytest.raises(RuleViolation, match="not acknowledged"):
        correction.change_billing_date(accountant, 2, date(2026, 11, 22))
    assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 20)
    assert not AuditEvent.select().where(AuditEvent.action == "billing.date_changed").exists()


def test_once_the_deletion_was_due_the_date_stays(db, fixed_clock, tmp_path: Path) -> None:
    from models.billing import correction

    _tech, accountant = acknowledged_batch(tmp_path)
    Order.update(records_due_at=T0 - timedelta(hours=1)).where(Order.ref == "A-2026-0002").execute()
    with pytest.raises(RuleViolation, match="A-2026-0002"):
        correction.change_billing_date(accountant, 1, date(2026, 11, 22))
    assert Order.get(Order.ref == "A-2026-0001").billed_on == date(2026, 11, 20)


@aio
async def test_b_changes_the_billing_date_after_showing_old_and_new(db, fixed_clock, isolated_dirs, tmp_path) -> None:
    _tech, accountant = acknowledged_batch(tmp_path)
    app = console(accountant, isolated_dirs, "accounting")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert app.screen.check_action("change_date", ()) is True
        await pilot.press("B")
        await settle(pilot)
        assert app.screen.query_one("#f-billed_on").value == "20.11.2026"
        await fill(pilot, billed_on="22.11.2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "20.11.2026 → 22.11.2026" in screen_text(app) and "2 orders take the new date" in screen_text(app)
        await pilot.press("n")  # not yet: nothing changes, the form stays
        await settle(pilot)
        assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 20)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 22)
        assert Order.get(Order.ref == "A-2026-0002").billed_on == date(2026, 11, 22)
        assert any(
            "20.11.2026 → 22.11.2026" in n.message or "2026-11-20 → 2026-11-22" in n.message for n in app._notifications
        )


def test_dates_in_refusals_are_written_as_the_lists_write_them(db, fixed_clock, tmp_path: Path) -> None:
    from models.billing import outbox as billing
    from models.core import i18n

    _tech, accountant = acknowledged_batch(tmp_path)
    try:
        i18n.set_language("de")
        with pytest.raises(RuleViolation, match=r"20\.11\.2026"):
            billing.acknowledge(accountant, 1, date(2026, 11, 22))
    finally:
        i18n.set_language("en")
