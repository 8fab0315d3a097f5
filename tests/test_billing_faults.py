"""Billing batches are whole or absent: a crash at any step of an export leaves either no batch
(its records still in the outbox) or a batch the next export completes from its stored records,
saying so."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from console.jobs import billing_export
from console.jobs.billing_export import export
from models.billing import outbox as billing
from models.core import audit
from models.core.entities import BillingBatch, BillingRecord
from tests.support import factories as f
from tests.support.billing import completed_order, read_csv


class Crash(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even the cleanup."""


STEPS = ("write-csv", "write-json", "commit", "rename-csv", "rename-json", "mark-whole")


def _inject(monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    monkeypatch.setattr(billing_export.Staged, "discard", lambda self: None)  # a killed process cleans nothing

    def crash(*_args, **_kwargs):
        raise Crash(step)

    if step == "write-csv":
        monkeypatch.setattr(billing_export, "_write_csv", crash)
    elif step == "write-json":
        monkeypatch.setattr(billing_export, "_write_json", crash)
    elif step == "commit":
        real = audit.record

        def at_commit(actor, action, *rest, **kwargs):
            if action == "billing.export":
                raise Crash(step)
            return real(actor, action, *rest, **kwargs)

        monkeypatch.setattr(billing.audit, "record", at_commit)
    elif step in ("rename-csv", "rename-json"):
        real_replace, calls = billing_export.os.replace, []

        def replace(src, dst):
            calls.append(dst)
            if len(calls) == (1 if step == "rename-csv" else 2):
                raise Crash(step)
            real_replace(src, dst)

        monkeypatch.setattr(billing_export.os, "replace", replace)
    else:
        monkeypatch.setattr(billing, "files_in_place", crash)


def _assert_whole(out: Path) -> None:
    """Every recorded batch has both files, the CSV matching the stored checksum; no temp file."""
    for batch in BillingBatch.select():
        stem = billing_export.file_stem(batch.number)
        csv_path, json_path = out / f"{stem}.csv", out / f"{stem}.json"
        assert csv_path.exists() and json_path.exists(), f"batch {batch.number} without its files"
        assert hashlib.sha256(csv_path.read_bytes()).hexdigest() == batch.sha256
        refs = sorted(row[1] for row in read_csv(csv_path)[1:])
        assert refs == sorted(r.ref for r in BillingRecord.select().where(BillingRecord.batch == batch))
        assert batch.files_at is not None
    assert not list(out.glob(".*.tmp"))


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_each_step_leaves_the_batch_whole_or_absent_and_the_next_export_repairs(
    db, fixed_clock, tmp_path: Path, capsys, step: str
) -> None:
    tech = f.staff("tina", name="Tina Technik")
    me = f.staff(os_account(), roles="accounting technician", name="Olga Operator")
    customer = f.customer()
    completed_order(tech, "A-2026-0001", customer)
    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        _inject(patch, step)
        with pytest.raises(Crash):
            export(me, out)
    recorded = BillingBatch.select().where(BillingBatch.sha256 != "").exists()  # sealed: exported
    assert recorded == (step in ("rename-csv", "rename-json", "mark-whole"))
    if not recorded:
        assert billing.outbox_count() == 1  # the record waits for the next batch
    code = main(["billing", "export", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    if recorded:
        assert "batch 1 was recorded without its files" in err
    _assert_whole(out)
    assert billing.outbox_count() == 0 and BillingBatch.select().count() == 1
    completed_order(tech, "A-2026-0002", customer)  # and export goes on normally afterwards
    assert main(["billing", "export", "--out", str(out)]) == 0
    assert "without its files" not in capsys.readouterr().err
    _assert_whole(out)
