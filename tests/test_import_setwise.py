"""The set-wise import write: the audit trail says what an import did per kind, not per line,
a refusal at write time still names its line, and refs handed out in bulk skip taken ones."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from console.importing.importer import run_import
from models.core import audit, stats
from models.core.entities import ActivityEvent, AuditEvent, BillingRecord, Consent, RemoteSession, Staff
from models.core.refs import next_refs
from models.retention import due as retention_due
from tests.support import factories as f
from tests.support.importing import sample, write_jsonl


@pytest.fixture
def operator(db: str, fixed_clock) -> Staff:
    return f.staff("root", roles="admin technician accounting", name="Rita Root")


def _orders(count: int) -> list[dict]:
    """The sample file with `count` orders of one session each and the many-row kinds of line
    (participants, recordings, gathered files and disclosures are written one at a time)."""
    base = sample()
    lines = base[:4]
    rare = {"participant", "recording", "gathered_file", "disclosure"}
    template = [line for line in base[4:] if line["type"] not in rare]
    for n in range(count):
        for line in copy.deepcopy(template):
            if line["type"] == "order":
                line["ref"] = f"A-2026-{n + 1:04d}"
            elif line["type"] == "session":
                line["ref"], line["order"], line["external_id"] = f"S-2026-{n + 1:04d}", f"A-2026-{n + 1:04d}", f"x{n}"
            else:
                line["session"] = f"S-2026-{n + 1:04d}"
            lines.append(line)
    return lines


def _events_of(operator: Staff, tmp_path: Path, count: int) -> int:
    before = AuditEvent.select().count()
    result = run_import(operator, write_jsonl(tmp_path / f"in{count}.jsonl", _orders(count)))
    assert result.ok, result.problems
    return AuditEvent.select().count() - before


def test_twenty_orders_write_as_many_audit_events_as_one(operator, tmp_path: Path) -> None:
    twenty = _events_of(operator, tmp_path, 20)
    assert RemoteSession.select().count() == 20 and BillingRecord.select().count() == 20
    assert ActivityEvent.select().count() == 20 and Consent.select().count() == 60
    # staff, customer and contacts, orders, sessions, consents, each captured kind, ends,
    # completion, billing and the run itself: bounded, whatever the length
    assert twenty < 20, twenty
    actions = [e.action for e in AuditEvent.select(AuditEvent.action)]
    assert actions.count("session.start") == 1 and actions.count("billing.create") == 1
    assert audit.verify().ok


def test_same_event_count_for_one_and_twenty_orders(db: str, fixed_clock, tmp_path: Path) -> None:
    operator = f.staff("root", roles="admin technician accounting", name="Rita Root")
    one = _events_of(operator, tmp_path, 1)
    # a second, disjoint file of twenty orders in the same database
    lines = _orders(21)[len(_orders(1)) :]  # orders 2..21 only (the first one is stored)
    before = AuditEvent.select().count()
    result = run_import(operator, write_jsonl(tmp_path / "more.jsonl", sample()[:4] + lines))
    assert result.ok, result.problems
    assert AuditEvent.select().count() - before <= one


def test_a_refusal_at_write_time_names_the_line_of_the_item(operator, tmp_path: Path, monkeypatch) -> None:
    """The set-wise functions refuse an item the checks let through; its own line is reported."""
    from console.importing.plan import Plan

    monkeypatch.setattr(Plan, "_session_rules", lambda self: None)
    lines = _orders(3)
    third = next(i for i, line in enumerate(lines) if line.get("ref") == "S-2026-0003")
    lines[third]["started_at"] = "2026-03-02T07:00:00Z"  # before its order was opened
    before = stats.counts()
    result = run_import(operator, write_jsonl(tmp_path / "bad.jsonl", lines))
    assert [(n, field) for n, field, _p in result.problems] == [(third + 1, "started_at")]
    assert stats.counts() == before


def test_bulk_refs_skip_refs_taken_by_hand(operator) -> None:
    order = f.order("A-2026-0001", f.customer("K-10042"))
    assert order is not None
    from models.core.entities import Order

    Order.update(ref="A-2026-0002").where(Order.id == order.id).execute()
    assert next_refs(Order, "A", 2026, 3) == ["A-2026-0001", "A-2026-0003", "A-2026-0004"]
    assert next_refs(Order, "A", 2026, 1) == ["A-2026-0005"]


def test_sync_recomputes_only_orders_whose_anchors_changed(operator, tmp_path: Path) -> None:
    """A writer that sets a billing date without the domain functions still gets its due dates;
    the next sync has nothing to do."""
    from datetime import date

    from models.core.entities import Order, RetentionDue

    assert run_import(operator, write_jsonl(tmp_path / "in.jsonl", _orders(5))).ok
    assert retention_due.sync() == 0
    order = Order.get(Order.ref == "A-2026-0003")
    Order.update(billed_on=date(2026, 4, 30), records_due_at=None).where(Order.id == order.id).execute()
    assert retention_due.sync() == 1
    row = RetentionDue.get((RetentionDue.order == order.id) & (RetentionDue.category == "activity"))
    assert row.billed_on == date(2026, 4, 30) and row.due_at.month == 7
    assert retention_due.sync() == 0


def test_day_counts_match_the_queue_rows_after_a_set_wise_import_and_acknowledgement(operator, tmp_path) -> None:
    """The summary's per-day counts, kept set-wise by the bulk writers, equal a recount."""
    from models.billing import outbox
    from models.core.db import write_tx
    from models.core.entities import DueCount
    from models.retention import due_counts

    lines = _orders(6)
    for line in lines:
        if line["type"] == "order":
            line.pop("billed_at", None)
    assert run_import(operator, write_jsonl(tmp_path / "in.jsonl", lines)).ok
    batch = outbox.create_batch(operator, deliver=lambda content: "0" * 64)
    assert batch is not None
    outbox.acknowledge(operator, batch.batch.number, "2026-04-30")

    def counts() -> dict[tuple[str, str], int]:
        return {(c.category, c.day): c.n for c in DueCount.select() if c.n}

    kept = counts()
    with write_tx():
        due_counts.rebuild()
    assert kept == counts() and kept


def test_deferred_numbering_hands_out_the_refs_numbering_at_once_would(operator) -> None:
    """Rows numbered at the end of a long job get the same gapless refs, in the same order, as
    numbering each batch at once: refs taken by hand are skipped, years counted apart."""
    from models.core import refs
    from models.core.db import write_tx
    from models.core.entities import Customer, Order

    customer = f.customer("K-10042")
    f.order("A-2026-0002", customer)
    got: list[list[str]] = []
    names = ("customer", "opened_at", "billing_class", "created_at")
    at = "2026-03-02T08:00:00+00:00"
    row = [Customer.get(Customer.number == "K-10042").id, at, "contract", at]
    with write_tx(serialize="import"), refs.numbering_deferred():
        refs.insert_numbered(Order, "A", [2026, 2025, 2026], names, [row] * 3, got.append)
        refs.insert_numbered(Order, "A", [2026], names, [row], got.append)
        refs.insert_numbered(Order, "A", [2025, 2026], names, [row] * 2, got.append)
        assert got == []  # nothing numbered before the block ends
    assert got == [
        ["A-2026-0001", "A-2025-0001", "A-2026-0003"],
        ["A-2026-0004"],
        ["A-2025-0002", "A-2026-0005"],
    ]
    assert Order.select().count() == 7
    assert next_refs(Order, "A", 2026, 1) == ["A-2026-0006"]
