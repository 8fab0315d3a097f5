"""Export and acknowledgement commit in steps; a crash between two steps leaves a batch the next run finishes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from console.jobs.billing_export import export
from models.billing import outbox as billing
from models.core.entities import BillingBatch, BillingRecord, Order
from models.core.errors import RuleViolation
from tests.support import factories as f
from tests.support.billing import completed_order, read_csv

ORDERS = 5
BILLED_ON = date(2026, 11, 24)


class Crash(BaseException):
    """Stands for SIGKILL between two transactions: nothing after it runs."""


@pytest.fixture
def desk(db: str, fixed_clock):  # type: ignore[no-untyped-def]
    tech = f.staff()
    accountant = f.staff("abuch", "accounting", name="Agnes Buch", signed=None)
    customer = f.customer()
    for n in range(1, ORDERS + 1):
        completed_order(tech, f"A-2026-{n:04d}", customer)
    return accountant


def crash_at_transaction(monkeypatch: pytest.MonkeyPatch, number: int) -> list[int]:
    """The billing module's `number`-th write transaction crashes before it begins."""
    real, begun = billing.write_tx, []

    @contextmanager
    def counted(*args, **kwargs) -> Iterator[None]:  # type: ignore[no-untyped-def]
        begun.append(1)
        if len(begun) == number:
            raise Crash(number)
        with real(*args, **kwargs):
            yield

    monkeypatch.setattr(billing, "write_tx", counted)
    return begun


def test_an_export_killed_between_two_steps_is_finished_by_the_next_one(
    desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acct = desk
    monkeypatch.setattr(billing, "EXPORT_STEP", 2)
    with pytest.MonkeyPatch.context() as patch:
        crash_at_transaction(patch, 3)  # the batch opened, two records moved in, then killed
        with pytest.raises(Crash):
            export(acct, tmp_path / "out")
    assert BillingRecord.select().where(BillingRecord.batch.is_null(False)).count() == 2  # the first step committed
    assert billing.list_batches(acct) == []  # not exported yet
    assert billing.outbox_count() == ORDERS  # its records still wait for accounting
    with pytest.raises(RuleViolation, match="still being exported"):
        billing.acknowledge(acct, 1, BILLED_ON)
    result = export(acct, tmp_path / "out")
    assert result.batch is not None and result.batch.number == 1 and result.batch.record_count == ORDERS
    assert len(read_csv(result.csv_path)) == ORDERS + 1  # header and every record
    assert billing.outbox_count() == 0 and [b.number for b in billing.list_batches(acct)] == [1]


def test_an_acknowledgement_killed_midway_keeps_its_date_and_is_finished_by_the_same_one_again(
    desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acct = desk
    export(acct, tmp_path / "out")
    monkeypatch.setattr(billing, "ACK_STEP", 2)
    with pytest.MonkeyPatch.context() as patch:
        crash_at_transaction(patch, 3)  # the date recorded, two orders billed, then killed
        with pytest.raises(Crash):
            billing.acknowledge(acct, 1, BILLED_ON)
    batch = BillingBatch.get(BillingBatch.number == 1)
    assert batch.billed_on == BILLED_ON and batch.acknowledged_at is None  # shown as still open
    assert Order.select().where(Order.billed_on.is_null(False)).count() == 2
    with pytest.raises(RuleViolation, match="acknowledged with billing date 2026-11-24 already"):
        billing.check_acknowledge(acct, 1, date(2026, 11, 23))
    result = billing.acknowledge(acct, 1, BILLED_ON)
    assert not result.already and result.orders_waiting == 0
    assert Order.select().where(Order.billed_on == BILLED_ON).count() == ORDERS
    assert BillingBatch.get(BillingBatch.number == 1).acknowledged_at is not None
    assert billing.acknowledge(acct, 1, BILLED_ON).already


def test_each_step_is_its_own_transaction(desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five records in steps of two: open, three fill steps, seal; the acknowledgement: date, four order
    steps (the last finds none left), acknowledged_at."""
    acct = desk
    monkeypatch.setattr(billing, "EXPORT_STEP", 2)
    monkeypatch.setattr(billing, "ACK_STEP", 2)
    begun = crash_at_transaction(monkeypatch, 0)
    export(acct, tmp_path / "out")
    assert len(begun) == 5
    begun.clear()
    billing.acknowledge(acct, 1, BILLED_ON)
    assert len(begun) == 6
