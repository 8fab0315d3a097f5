"""`support24 billing correct-date`: a wrong billing date of an acknowledged batch corrected from the
command line, by the rule the accounting screen uses, with its audit event and exit codes 0/2/3."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core.entities import AuditEvent, BillingBatch, Order, Staff
from tests.support import factories as f
from tests.support.billing import T0, completed_order

ME = os_account()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses bad usage this way
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def acknowledged(db: str, fixed_clock, capsys, tmp_path: Path) -> None:
    """Two orders completed a week ago, exported as batch 1 and acknowledged as billed on 20.11.2026."""
    me = f.staff(ME, roles="accounting technician", name="Olga Operator")
    customer = f.customer("K-10042", "Bäckerei Schmidt")
    completed_order(me, "A-2026-0001", customer, spans=[(T0 - timedelta(days=7), 40)])
    completed_order(me, "A-2026-0002", customer, spans=[(T0 - timedelta(days=6), 25)])
    assert run(capsys, "billing", "export", "--out", str(tmp_path / "erp"))[0] == 0
    assert run(capsys, "billing", "ack", "1", "--billed-on", "2026-11-20")[0] == 0


def changes() -> list[str]:
    return [e.detail for e in AuditEvent.select().where(AuditEvent.action == "billing.date_changed")]


def test_the_orders_and_their_deletion_dates_follow_the_corrected_date(acknowledged, capsys) -> None:
    due_before = Order.get(Order.ref == "A-2026-0001").records_due_at
    code, out, err = run(capsys, "billing", "correct-date", "1", "--billed-on", "22.11.2026", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert {k: document[k] for k in ("batch", "old_billed_on", "billed_on", "orders_changed", "changed")} == {
        "batch": 1,
        "old_billed_on": "2026-11-20",
        "billed_on": "2026-11-22",
        "orders_changed": 2,
        "changed": True,
    }
    assert document["audit_head"] is not None
    order = Order.get(Order.ref == "A-2026-0001")
    assert order.billed_on == date(2026, 11, 22) and order.records_due_at == due_before + timedelta(days=2)
    assert changes() == ["billed_on=2026-11-20->2026-11-22 orders=2"]
    code, out, _err = run(capsys, "billing", "correct-date", "1", "--billed-on", "2026-11-22")
    assert code == 0 and "nothing changed" in out and len(changes()) == 1


def test_a_dry_run_shows_old_and_new_and_changes_nothing(acknowledged, capsys) -> None:
    code, out, _err = run(capsys, "billing", "correct-date", "1", "--billed-on", "2026-11-21", "--dry-run")
    assert code == 0 and "2026-11-20" in out and "2026-11-21" in out and "2 orders" in out
    assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 20) and changes() == []


def test_bad_input_exits_2_naming_the_option(acknowledged, capsys, fixed_clock) -> None:
    cases = [
        (["1", "--billed-on", "2026-11-25"], "--billed-on: lies in the future"),
        (["1", "--billed-on", "2026-11-10"], "--billed-on: lies before order A-2026-0001 was completed"),
        (["1", "--billed-on", "24/11/2026"], "YYYY-MM-DD"),
        (["2", "--billed-on", "2026-11-22"], "no billing batch 2"),
        (["x", "--billed-on", "2026-11-22"], "positive whole number"),
    ]
    for argv, problem in cases:
        code, out, err = run(capsys, "billing", "correct-date", *argv)
        assert (code, out) == (2, ""), argv
        assert problem in err and "Traceback" not in err, (argv, err)
    fixed_clock.advance(days=100)  # past the P8 due date: the records may be purged already
    code, _out, err = run(capsys, "billing", "correct-date", "1", "--billed-on", "2026-11-21")
    assert code == 2 and "due for deletion already" in err
    assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 20) and changes() == []


def test_an_unacknowledged_batch_is_refused(db, fixed_clock, capsys, tmp_path: Path) -> None:
    me = f.staff(ME, roles="accounting technician", name="Olga Operator")
    completed_order(me, "A-2026-0001", f.customer(), spans=[(T0 - timedelta(days=7), 40)])
    run(capsys, "billing", "export", "--out", str(tmp_path / "erp"))
    code, out, err = run(capsys, "billing", "correct-date", "1", "--billed-on", "2026-11-20")
    assert (code, out) == (2, "") and "not acknowledged yet" in err


def test_without_the_accounting_role_exit_3(acknowledged, capsys) -> None:
    Staff.update(roles="technician privacy_officer").where(Staff.username == ME).execute()
    for extra in ([], ["--dry-run"], ["--json"]):
        code, out, err = run(capsys, "billing", "correct-date", "1", "--billed-on", "2026-11-22", *extra)
        assert (code, out) == (3, "") and "accounting" in err, extra
    assert BillingBatch.get(BillingBatch.number == 1).billed_on == date(2026, 11, 20) and changes() == []
