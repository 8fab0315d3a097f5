"""An import holds the locks other writers need only for its short last part, and stays all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from console.importing import importer
from console.importing.importer import run_import
from models.core import audit
from models.core.db import current_target, is_sqlite, lock_key
from models.core.entities import (
    ActivityEvent,
    AuditEvent,
    BillingRecord,
    ChatMessage,
    Consent,
    Order,
    Participant,
    RemoteSession,
)
from models.sessions import batch
from tests.support import factories as f
from tests.support.importing import sample, write_jsonl


@pytest.fixture
def operator(db: str, fixed_clock) -> Any:
    return f.staff("root", roles="admin technician accounting", name="Rita Root")


def foreign_refs() -> list[dict[str, Any]]:
    """The sample file with refs of another tool, which the console's numbering never hands out."""
    text = json.dumps(sample()).replace("A-2026-", "A-TV-").replace("S-2026-", "S-TV-")
    return json.loads(text)


def ref_lock_free_elsewhere() -> bool:
    """Whether another connection could take the `ref` lock right now (PostgreSQL)."""
    import psycopg

    target = current_target()
    parsed = urlparse(target.url)
    with psycopg.connect(
        host=parsed.hostname, port=parsed.port or 5432, dbname=parsed.path.lstrip("/"),
        user=parsed.username, options=f"-c search_path={target.schema}",
    ) as other:  # fmt: skip
        return bool(other.execute("SELECT pg_try_advisory_xact_lock(%s)", (lock_key("ref"),)).fetchone()[0])


def watch_early_part(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], bool | None]]:
    """Per call of the part written before the locks: its new orders, and whether a desk could number meanwhile."""
    seen: list[tuple[list[str], bool | None]] = []
    original = importer.write_early

    def watched(plan: Any, actor: Any, prepared: Any) -> None:
        original(plan, actor, prepared)
        orders = [r.ref for r in plan.to_write(importer.OrderRec)]
        seen.append((orders, None if is_sqlite() else ref_lock_free_elsewhere()))

    monkeypatch.setattr(importer, "write_early", watched)
    return seen


def test_a_file_of_another_tools_refs_is_stored_whole_and_a_desk_may_number_while_its_bulk_is_written(
    operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = watch_early_part(monkeypatch)
    result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", foreign_refs()))
    assert result.ok, result.problems
    if is_sqlite():
        assert seen == []  # one pass: SQLite's one write lock is held from the start, an early part gains nothing
    else:
        assert ["A-TV-0001"] in [orders for orders, _free in seen]
        assert all(free for _orders, free in seen)  # the ref lock was free while sessions and activity were stored
    session = RemoteSession.get(RemoteSession.ref == "S-TV-0001")
    assert session.ended_at is not None and ActivityEvent.select().count() >= 1 and ChatMessage.select().count() >= 1
    assert Consent.select().count() == result.counts["consent"]["created"] == 3
    assert BillingRecord.get().session_ref == "S-TV-0001" and Order.get().billed_on is not None
    assert Participant.get().left_at == session.ended_at
    assert audit.verify().ok
    again = run_import(operator, write_jsonl(tmp_path / "again.jsonl", foreign_refs()))
    assert again.ok and again.changed() == 0 and Consent.select().count() == 3


def test_refs_the_console_could_hand_out_are_stored_only_under_the_ref_lock(
    operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = watch_early_part(monkeypatch)
    result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", sample()))
    assert result.ok, result.problems
    assert all(orders == [] for orders, _free in seen)  # staff and customers only
    assert Order.get().ref == "A-2026-0001"


def test_a_refusal_under_the_locks_takes_back_what_was_stored_before_them(
    operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settle = batch.settle_orders

    def refuse(actor: Any, completions: list[Any], billings: list[Any]) -> Any:
        if completions:  # the order's chunk, after its sessions and activity were stored early
            raise batch.ItemRefused(0, batch.ValidationError("completed_at", "refused for the test"))
        return settle(actor, completions, billings)

    monkeypatch.setattr(batch, "settle_orders", refuse)
    result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", foreign_refs()))
    assert not result.ok and result.problems[0][1:] == ("completed_at", "refused for the test")
    assert Order.select().count() == RemoteSession.select().count() == ActivityEvent.select().count() == 0
    assert Consent.select().count() == 0


def test_the_import_waits_for_the_lock_as_a_long_job(operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a purge's step or another job the import waits as long as a job may, not a desk's five seconds."""
    from models.core import db as db_module

    as_job: list[bool] = []
    begin = db_module._begin_within_budget

    def noting(stack):  # type: ignore[no-untyped-def]
        as_job.append(db_module._job.active)
        begin(stack)

    monkeypatch.setattr(db_module, "_begin_within_budget", noting)
    result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", sample()))
    assert result.ok, result.problems
    assert as_job and all(as_job)


def test_a_desk_may_number_while_the_import_completes_and_bills_its_orders(
    operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The consents and billing records an import numbers are numbered at its very end: the `ref`
    lock a desk's numbering waits for is free while the orders are completed and billed."""
    free: list[bool] = []
    settle = batch.settle_orders

    def watched(actor: Any, completions: list[Any], billings: list[Any]) -> Any:
        done = settle(actor, completions, billings)
        if completions and not is_sqlite():
            free.append(ref_lock_free_elsewhere())
        return done

    monkeypatch.setattr(batch, "settle_orders", watched)
    records = [
        r for r in foreign_refs() if r["type"] not in ("participant", "recording", "gathered_file", "disclosure")
    ]
    result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", records))
    assert result.ok, result.problems
    if not is_sqlite():
        assert free == [True]
    assert BillingRecord.get().ref.startswith("B-") and result.billing_records == 1
    assert [c.ref for c in Consent.select().order_by(Consent.ref)] == ["C-2026-0001", "C-2026-0002", "C-2026-0003"]
    assert {"consent.record", "billing.create"} <= {e.action for e in AuditEvent.select()}
    assert audit.verify().ok
