"""The accounting handoff (P9): batches as accounting's importers read them, never a record
twice, identical re-exports, and the acknowledgement that starts P8's 3-month clock."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from console.jobs import billing_export
from console.jobs.billing_export import COLUMNS, escape_cell, export
from models.billing import outbox as billing
from models.core import audit
from models.core.entities import AuditEvent, BillingBatch, BillingRecord, Customer, Order, RetentionDue
from models.core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from models.core.text import fold
from models.sessions import orders
from tests.support import factories as f
from tests.support.billing import T0, completed_order, read_csv


@pytest.fixture
def desk(db: str, fixed_clock):
    """A technician, an accountant and one customer."""
    tech = f.staff()
    accountant = f.staff("abuch", "accounting", name="Agnes Buch", signed=None)
    return tech, accountant, f.customer()


def test_csv_reads_back_with_the_csv_module_in_the_erp_format(desk, tmp_path: Path) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    result = export(acct, tmp_path / "out")
    assert result.batch is not None and result.batch.number == 1
    assert result.csv_path == tmp_path / "out" / "support24-billing-000001.csv"
    raw = result.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 2
    header, row = read_csv(result.csv_path)
    assert tuple(header) == COLUMNS
    cells = dict(zip(header, row, strict=True))
    assert cells == {
        "batch": "1",
        "record": "B-2026-0001",
        "order": "A-2026-0001",
        "session": "S-2026-0001",
        "customer_number": "K-10042",
        "customer_name": "Bäckerei Schmidt",
        "billing_class": "contract",
        "session_date": "24.11.2026",
        "start_time": "07:00",
        "end_date": "24.11.2026",
        "end_time": "07:40",
        "duration_minutes": "40",
        "workstation_or_employee": "EMPFANG-PC",
    }


def test_files_are_private_and_the_json_carries_the_csv_checksum(desk, tmp_path: Path) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer, spans=[(T0, 40), (T0 + timedelta(hours=1), 15)])
    result = export(acct, tmp_path / "out")
    for path in (result.csv_path, result.json_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    document = json.loads(result.json_path.read_text(encoding="utf-8"))
    csv_sha = hashlib.sha256(result.csv_path.read_bytes()).hexdigest()
    assert document["csv_sha256"] == csv_sha == BillingBatch.get(number=1).sha256
    assert document["batch"] == 1 and document["record_count"] == 2 and document["created_at"] == "2026-11-24T10:00:00Z"
    assert [r["session"] for r in document["records"]] == ["S-2026-0001", "S-2026-0002"]
    assert document["records"][1]["duration_minutes"] == 15 and document["records"][1]["start_time"] == "08:00"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "support24-billing-000001.csv",
        "support24-billing-000001.json",
    ]


def test_a_session_over_midnight_keeps_its_berlin_dates(desk, tmp_path: Path) -> None:
    tech, acct, customer = desk
    late = datetime(2026, 11, 23, 22, 30, tzinfo=timezone.utc)  # 23:30 in Berlin
    completed_order(tech, "A-2026-0001", customer, spans=[(late, 60)])
    cells = dict(zip(*read_csv(export(acct, tmp_path / "out").csv_path), strict=True))
    assert (cells["session_date"], cells["start_time"], cells["end_date"], cells["end_time"]) == (
        "23.11.2026",
        "23:30",
        "24.11.2026",
        "00:30",
    )


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+49 6181", "-2+3", "@SUM(A1)", "\tfoo", "\rbar"])
def test_formula_starts_are_escaped(value: str) -> None:
    assert escape_cell(value) == "'" + value
    assert escape_cell("Bäckerei " + value) == "Bäckerei " + value


def test_a_formula_in_a_name_reaches_the_csv_as_text_and_the_json_unchanged(desk, tmp_path: Path) -> None:
    tech, acct, _ = desk
    evil = Customer.create(number="K-2", name="=cmd|' /C calc'!A0", name_key=fold("=cmd"), created_at=T0)
    completed_order(tech, "A-2026-0002", evil, workstation="-1+1;@x")
    result = export(acct, tmp_path / "out")
    cells = dict(zip(*read_csv(result.csv_path), strict=True))
    assert cells["customer_name"] == "'=cmd|' /C calc'!A0"
    assert cells["workstation_or_employee"] == "'-1+1;@x"  # the semicolon stayed inside its cell
    record = json.loads(result.json_path.read_text(encoding="utf-8"))["records"][0]
    assert record["customer_name"] == "=cmd|' /C calc'!A0"


def test_a_record_is_never_exported_twice(desk, tmp_path: Path) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    first = export(acct, tmp_path / "out")
    assert billing.outbox_count() == 0
    again = export(acct, tmp_path / "out")
    assert again.batch is None and again.as_dict()["files"] == []
    completed_order(tech, "A-2026-0002", customer, spans=[(T0 + timedelta(hours=2), 20)])
    second = export(acct, tmp_path / "out")
    assert second.batch.number == 2 and second.batch.record_count == 1
    refs = [row[1] for path in (first.csv_path, second.csv_path) for row in read_csv(path)[1:]]
    assert refs == ["B-2026-0001", "B-2026-0002"]
    assert BillingBatch.select().count() == 2


def test_an_empty_outbox_creates_no_batch_and_writes_nothing(desk, tmp_path: Path) -> None:
    _tech, acct, _customer = desk
    result = export(acct, tmp_path / "out")
    assert result.batch is None and "empty" in result.as_dict()["message"]
    assert list((tmp_path / "out").iterdir()) == [] and BillingBatch.select().count() == 0


def test_reexport_writes_the_same_bytes_and_creates_no_batch(desk, tmp_path: Path) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    first = export(acct, tmp_path / "out" / "a")
    completed_order(tech, "A-2026-0002", customer, spans=[(T0 + timedelta(hours=2), 20)])  # must not join batch 1
    billing.acknowledge(acct, 1, "2026-11-24")  # acknowledgement does not change the content either
    again = export(acct, tmp_path / "out" / "b", reexport=1)
    assert again.reexport and again.identical and again.batch.number == 1
    assert again.csv_path.read_bytes() == first.csv_path.read_bytes()
    assert again.json_path.read_bytes() == first.json_path.read_bytes()
    assert BillingBatch.select().count() == 1 and billing.outbox_count() == 1
    over = export(acct, tmp_path / "out" / "a", reexport=1)  # over the original files is fine: same content
    assert over.identical
    with pytest.raises(NotFound):
        export(acct, tmp_path / "out", reexport=7)


def test_a_failed_write_leaves_no_batch_no_files_and_the_records_in_the_outbox(
    desk, tmp_path: Path, monkeypatch
) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)

    def disk_full(fd, chunks):  # the JSON is written after the CSV: half a batch on disk
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(billing_export, "_write_json", disk_full)
    with pytest.raises(ValidationError, match="No space left on device; nothing was exported"):
        export(acct, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    assert billing.list_batches(acct) == [] and billing.outbox_count() == 1
    assert not AuditEvent.select().where(AuditEvent.action == "billing.export").exists()
    monkeypatch.undo()
    assert export(acct, tmp_path / "out").batch.number == 1  # the number was not used up


def test_an_existing_file_of_the_next_number_is_not_overwritten(desk, tmp_path: Path) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    clash = tmp_path / "out" / "support24-billing-000001.csv"
    clash.parent.mkdir()
    clash.write_text("from another database")
    with pytest.raises(ValidationError, match="exists already"):
        export(acct, tmp_path / "out")
    assert clash.read_text() == "from another database" and len(list(clash.parent.iterdir())) == 1
    assert billing.list_batches(acct) == [] and billing.outbox_count() == 1


def test_acknowledgement_sets_the_billing_date_and_the_p8_due_date(desk, tmp_path: Path) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    export(acct, tmp_path / "out")
    result = billing.acknowledge(acct, 1, "2026-11-24")
    order = Order.get(Order.ref == "A-2026-0001")
    assert order.billed_on == date(2026, 11, 24)
    # 3 calendar months on the Berlin calendar: due at Berlin midnight of 24.02.2027.
    assert order.records_due_at == datetime(2027, 2, 23, 23, 0, tzinfo=timezone.utc)
    assert result.orders_billed == 1 and result.records_due_at == order.records_due_at
    # the retention queue sees the new clock at once (the order holds sessions and no chat)
    dues = {r.category: r.due_at for r in RetentionDue.select().where(RetentionDue.order == order)}
    assert dues == {"connection": order.records_due_at}
    batch = BillingBatch.get(number=1)
    assert batch.billed_on == date(2026, 11, 24) and batch.acknowledged_at is not None
    again = billing.acknowledge(acct, 1, date(2026, 11, 24))
    assert again.already and again.orders_billed == 0
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions.count("billing.export") == 1 and actions.count("billing.ack") == 1
    assert audit.verify().ok


def test_acknowledgement_refusals_change_nothing(desk, tmp_path: Path, fixed_clock) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    export(acct, tmp_path / "out")
    with pytest.raises(PermissionDenied):
        billing.acknowledge(tech, 1, "2026-11-24")
    with pytest.raises(ValidationError, match="billed_on: lies in the future"):
        billing.acknowledge(acct, 1, "2026-11-25")
    with pytest.raises(ValidationError, match="billed_on: lies before order A-2026-0001 was completed"):
        billing.acknowledge(acct, 1, "2026-11-23")
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        billing.acknowledge(acct, 1, "24.11.2026")
    with pytest.raises(NotFound, match="no billing batch 2"):
        billing.acknowledge(acct, 2, "2026-11-24")
    assert Order.get(Order.ref == "A-2026-0001").billed_on is None
    billing.acknowledge(acct, 1, "2026-11-24")
    fixed_clock.advance(days=3)
    with pytest.raises(RuleViolation, match="acknowledged with billing date 2026-11-24 already"):
        billing.acknowledge(acct, 1, "2026-11-26")
    assert Order.get(Order.ref == "A-2026-0001").billed_on == date(2026, 11, 24)
    assert BillingBatch.get(number=1).billed_on == date(2026, 11, 24)


def test_only_accounting_or_admin_see_and_export_the_outbox(desk, tmp_path: Path, admin) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    with pytest.raises(PermissionDenied):
        billing.outbox(tech)
    with pytest.raises(PermissionDenied):
        export(tech, tmp_path / "out")
    assert not (tmp_path / "out").exists() and billing.outbox_count() == 1
    assert [row.session_ref for row in billing.outbox(admin)] == ["S-2026-0001"]
    assert AuditEvent.select().where(AuditEvent.action == "billing.outbox.read").count() == 1


def test_outbox_and_batch_pages_follow_the_keyset(desk, tmp_path: Path) -> None:
    tech, acct, customer = desk
    spans = [(T0 + timedelta(minutes=30 * i), 10) for i in range(5)]
    completed_order(tech, "A-2026-0001", customer, spans=spans)
    first = billing.outbox(acct, limit=2)
    rest = billing.outbox(acct, after=first[-1].id, limit=10)
    assert [r.session_ref for r in first + rest] == [f"S-2026-000{i}" for i in range(1, 6)]
    with pytest.raises(ValidationError, match="limit"):
        billing.outbox(acct, limit=0)
    export(acct, tmp_path / "out")
    page = billing.batch_records(acct, 1, after=first[-1].id, limit=2)
    assert [r.session_ref for r in page] == ["S-2026-0003", "S-2026-0004"] and page[0].batch == 1
    assert [b.number for b in billing.list_batches(acct)] == [1]


def test_orders_billed_outside_the_outbox_are_not_sent_again(desk, tmp_path: Path, admin) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    orders.mark_billed(admin, "A-2026-0001", "2026-11-24")  # as an import with billed_at does
    assert billing.outbox_count() == 0 and export(acct, tmp_path / "out").batch is None


def test_an_order_spread_over_two_batches_is_billed_when_both_are_acknowledged(
    desk, tmp_path: Path, fixed_clock
) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer, spans=[(T0, 10), (T0 + timedelta(hours=1), 10)])
    export(acct, tmp_path / "out")
    # Not reachable through the domain today (an order's records leave together); guard it anyway.
    BillingRecord.update(batch=None).where(BillingRecord.session_ref == "S-2026-0002").execute()
    BillingBatch.update(record_count=1).where(BillingBatch.number == 1).execute()
    export(acct, tmp_path / "out")
    fixed_clock.advance(days=10)
    first = billing.acknowledge(acct, 1, "2026-12-01")
    assert first.orders_billed == 0 and first.orders_waiting == 1
    assert Order.get(Order.ref == "A-2026-0001").billed_on is None
    second = billing.acknowledge(acct, 2, "2026-11-28")
    order = Order.get(Order.ref == "A-2026-0001")
    assert second.orders_billed == 1 and order.billed_on == date(2026, 12, 1)  # the later invoice keeps proof longest
    assert order.records_due_at == datetime(2027, 2, 28, 23, 0, tzinfo=timezone.utc)


def test_when_the_files_cannot_be_put_in_place_after_the_commit_reexport_recovers_them(
    desk, tmp_path: Path, monkeypatch
) -> None:
    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)

    def refuse(src, dst):  # e.g. the folder was made read-only between writing and renaming
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(billing_export.os, "replace", refuse)
    with pytest.raises(ValidationError, match="batch 1 is recorded .* write them with --reexport 1"):
        export(acct, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []  # no temporary file left behind
    monkeypatch.undo()
    again = export(acct, tmp_path / "out", reexport=1)
    assert again.identical and [row[3] for row in read_csv(again.csv_path)[1:]] == ["S-2026-0001"]


def test_two_exports_at_once_never_share_a_record_or_a_number(desk, tmp_path: Path) -> None:
    """The second console's export starts while the first holds its transaction open."""
    import threading

    from models.core.db import database

    tech, acct, customer = desk
    completed_order(tech, "A-2026-0001", customer)
    outcome: dict[str, object] = {}

    def second_console() -> None:
        try:
            outcome["second"] = export(acct, tmp_path / "other")
        except Exception as exc:
            outcome["error"] = exc
        finally:
            database.close()  # this thread's own connection

    other = threading.Thread(target=second_console)
    original = billing_export.stage_files

    def first_console_writes(directory, content, staged):  # type: ignore[no-untyped-def]
        other.start()
        other.join(timeout=1.0)  # give it every chance to run inside our transaction
        return original(directory, content, staged)

    billing_export.stage_files = first_console_writes
    try:
        first = export(acct, tmp_path / "out")
    finally:
        billing_export.stage_files = original
    other.join()
    assert "error" not in outcome, outcome.get("error")
    assert first.batch.number == 1 and first.batch.record_count == 1
    assert outcome["second"].batch is None  # it waited, then found the outbox empty
    assert BillingBatch.select().count() == 1
