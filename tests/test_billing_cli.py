"""`support24 billing …` as cron jobs and accounting scripts call it: one JSON document with
--json, exit codes 0/1/2/3 (DESIGN.md §10), and the whole P9 path from import to P8 clock."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core.entities import BillingBatch, BillingRecord, Order, Staff
from tests.support import factories as f
from tests.support.billing import completed_order, read_csv
from tests.support.importing import place_sample_files, sample, write_jsonl

ME = os_account()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses bad usage this way
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def me(db: str, fixed_clock) -> Staff:
    """The OS account running the tests, as accountant (and technician, to capture sessions)."""
    return f.staff(ME, roles="accounting technician", name="Olga Operator")


@pytest.fixture
def one_order(me: Staff) -> Order:
    return completed_order(me, "A-2026-0001", f.customer())


def test_the_p9_path_end_to_end_from_import_to_the_p8_due_date(
    db, fixed_clock, capsys, tmp_path: Path, isolated_dirs: Path
) -> None:
    f.staff(ME, roles="accounting admin technician", name="Olga Operator")  # admin: the import adds staff
    place_sample_files(isolated_dirs)
    lines = [dict(line) for line in sample()]
    del lines[4]["billed_at"]  # completed, not yet billed: accounting has not seen it
    code, _out, err = run(capsys, "import", str(write_jsonl(tmp_path / "in.jsonl", lines)))
    assert code == 0, err
    code, out, _err = run(capsys, "billing", "outbox", "--json")
    assert code == 0 and [r["session"] for r in json.loads(out)["records"]] == ["S-2026-0001"]

    code, out, _err = run(capsys, "billing", "export", "--out", str(tmp_path / "erp"), "--json")
    exported = json.loads(out)
    assert code == 0 and exported["batch"] == 1 and exported["record_count"] == 1
    header, row = read_csv(Path(exported["files"][0]))
    cells = dict(zip(header, row, strict=True))
    assert (cells["session_date"], cells["start_time"], cells["end_time"], cells["duration_minutes"]) == (
        "02.03.2026",
        "10:00",
        "10:40",
        "40",
    )
    assert (cells["customer_number"], cells["workstation_or_employee"]) == ("K-10042", "EMPFANG-PC")

    code, out, _err = run(capsys, "billing", "ack", "1", "--billed-on", "2026-03-31", "--json")
    acked = json.loads(out)
    assert code == 0 and acked["orders_billed"] == 1 and acked["records_due_on"] == "2026-06-30"
    order = Order.get(Order.ref == "A-2026-0001")
    assert order.billed_on == date(2026, 3, 31)
    # billed_on + 3 calendar months (31.03. → 30.06., the month end clamps), Berlin midnight.
    assert order.records_due_at == datetime(2026, 6, 29, 22, 0, tzinfo=timezone.utc)
    code, out, _err = run(capsys, "billing", "export", "--out", str(tmp_path / "erp"))
    assert code == 0 and "empty" in out


def test_export_text_and_json_and_an_empty_outbox(one_order, capsys, tmp_path: Path) -> None:
    code, out, _err = run(capsys, "billing", "export", "--out", str(tmp_path / "erp"))
    assert code == 0 and "Exported batch 1: 1 record" in out and "support24-billing-000001.csv" in out
    code, out, _err = run(capsys, "billing", "export", "--out", str(tmp_path / "erp2"), "--json")
    assert code == 0 and json.loads(out)["batch"] is None
    assert not any((tmp_path / "erp2").iterdir())
    code, out, _err = run(capsys, "billing", "export", "--out", str(tmp_path / "erp2"))
    assert code == 0 and out.startswith("The outbox is empty: no batch was created and nothing was written.")


def test_reexport_is_identical_and_a_changed_record_exits_1(one_order, capsys, tmp_path: Path) -> None:
    run(capsys, "billing", "export", "--out", str(tmp_path / "a"))
    code, out, _err = run(capsys, "billing", "export", "--out", str(tmp_path / "b"), "--reexport", "1", "--json")
    again = json.loads(out)
    assert code == 0 and again["identical"] and again["reexport"]
    assert (tmp_path / "a" / "support24-billing-000001.csv").read_bytes() == (
        tmp_path / "b" / "support24-billing-000001.csv"
    ).read_bytes()
    BillingRecord.update(customer_name="Bäckerei Schmidt GmbH").execute()
    code, _out, err = run(capsys, "billing", "export", "--out", str(tmp_path / "c"), "--reexport", "1")
    assert code == 1 and "no longer matches its stored checksum" in err
    code, _out, err = run(capsys, "billing", "export", "--out", str(tmp_path / "c"), "--reexport", "x")
    assert code == 2 and "positive whole number" in err
    code, _out, err = run(capsys, "billing", "export", "--out", str(tmp_path / "c"), "--reexport", "9")
    assert code == 2 and "no billing batch 9" in err


def test_ack_exit_codes_and_messages(one_order, capsys, tmp_path: Path, fixed_clock) -> None:
    run(capsys, "billing", "export", "--out", str(tmp_path / "erp"))
    code, out, err = run(capsys, "billing", "ack", "1", "--billed-on", "2026-11-25")
    assert code == 2 and out == "" and "--billed-on: lies in the future" in err
    code, _out, err = run(capsys, "billing", "ack", "2", "--billed-on", "2026-11-24")
    assert code == 2 and "no billing batch 2" in err
    code, _out, err = run(capsys, "billing", "ack", "1", "--billed-on", "24/11/2026")
    assert code == 2 and "YYYY-MM-DD" in err
    code, out, _err = run(capsys, "billing", "ack", "1", "--billed-on", "2026-11-24")
    assert code == 0 and "1 order billed" in out and "2027-02-24" in out
    code, out, _err = run(capsys, "billing", "ack", "1", "--billed-on", "2026-11-24")
    assert code == 0 and "nothing changed" in out
    fixed_clock.advance(days=2)
    code, _out, err = run(capsys, "billing", "ack", "1", "--billed-on", "2026-11-25")
    assert code == 2 and "already" in err
    assert BillingBatch.get(number=1).billed_on == date(2026, 11, 24)


def test_without_the_accounting_role_everything_is_refused_with_exit_3(db, fixed_clock, capsys, tmp_path: Path) -> None:
    tech = f.staff(ME, roles="technician", name="Olga Operator")
    completed_order(tech, "A-2026-0001", f.customer())
    for argv in (
        ["billing", "export", "--out", str(tmp_path / "erp")],
        ["billing", "ack", "1", "--billed-on", "2026-11-24"],
        ["billing", "outbox"],
        ["billing", "batches", "--json"],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 3 and out == "" and "lacks the role accounting or admin" in err
    assert not (tmp_path / "erp").exists() and BillingBatch.select().count() == 0


def test_batches_and_outbox_listings(one_order, capsys, tmp_path: Path) -> None:
    code, out, _err = run(capsys, "billing", "batches")
    assert code == 0 and "No batches yet." in out
    code, out, _err = run(capsys, "billing", "outbox")
    assert code == 0 and "1 record waits" in out and "Bäckerei Schmidt" in out
    run(capsys, "billing", "export", "--out", str(tmp_path / "erp"))
    code, out, _err = run(capsys, "billing", "batches", "--json")
    document = json.loads(out)
    assert code == 0 and document["count"] == 1 and document["batches"][0]["billed_on"] is None
    assert len(document["batches"][0]["sha256"]) == 64
    code, out, _err = run(capsys, "billing", "outbox", "--json")
    assert code == 0 and json.loads(out) == {"records": [], "count": 0}
    code, out, _err = run(capsys, "billing", "batches")
    assert code == 0 and "not acknowledged" in out


def test_ack_takes_the_billing_date_as_germans_write_it(one_order, capsys, tmp_path: Path, fixed_clock) -> None:
    run(capsys, "billing", "export", "--out", str(tmp_path / "erp"))
    code, out, _err = run(capsys, "billing", "ack", "1", "--billed-on", "24.11.2026")
    assert code == 0 and "billed on 2026-11-24" in out


def test_a_folder_that_is_a_file_is_refused_by_its_option(one_order, capsys, tmp_path: Path) -> None:
    """The export names its field `out_dir`; the CLI says which option that was."""
    taken = tmp_path / "erp.txt"
    taken.write_text("x", encoding="utf-8")
    code, out, err = run(capsys, "billing", "export", "--out", str(taken))
    assert (code, out) == (2, "") and f"support24: --out: {taken} is not a folder" in err
