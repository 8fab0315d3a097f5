"""The purge (DESIGN.md §5, issue 4): exactly what is due, with proof, never held data, once."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest

from models.core.entities import (
    BillingRecord,
    ChatMessage,
    DeletionRecord,
    LegalHold,
    PurgeLease,
    PurgeRun,
)
from models.core.errors import Busy
from models.purge import journal as purge_journal
from models.purge import run as purge
from models.purge.items import count_rows
from models.purge.lease import Lease
from models.retention import holds
from models.retention import queue as retention
from tests.support import purge_world
from tests.support.purge_world import order_id

ORDER_CATEGORIES = ("system_info", "gathered_files", "activity", "chat", "video", "connection")


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    w = purge_world.build(isolated_dirs)
    holds.place_hold(w.officer, "A-2026-0003", "Rechnung bestritten")
    return w


def _expected_due() -> set[tuple[str, str]]:
    return {(i.category, i.ref) for i in retention.queue_items(limit=1000) if i.state in ("due", "overdue")}


def test_purge_deletes_exactly_what_the_queue_lists_as_due_and_records_each(world) -> None:
    expected = _expected_due()
    assert ("chat", "A-2026-0001") in expected and ("billing", "B-2015-0001") in expected
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    records = {(r.category, r.ref) for r in DeletionRecord.select()}
    assert records == expected
    assert result.total == len(expected) and not result.dry_run
    assert {i.state for i in retention.queue_items(limit=1000)} <= {"scheduled", "held", "blocked"}
    old, recent, held = (order_id(r) for r in ("A-2026-0001", "A-2026-0002", "A-2026-0003"))
    for category in ORDER_CATEGORIES:
        assert count_rows(category, old) == 0
        assert count_rows(category, recent) == 1 and count_rows(category, held) == 1
    unbilled = order_id("A-2026-0004")
    assert count_rows("system_info", unbilled) == 0 and count_rows("chat", unbilled) == 1
    assert not any(p.exists() for p in world.files["old"]) and all(p.exists() for p in world.files["held"])
    # the billing record of the old order stays 11 years, without its session
    kept = BillingRecord.get(BillingRecord.order == old)
    assert kept.session is None and kept.session_ref and kept.started_at
    assert not BillingRecord.select().where(BillingRecord.ref == "B-2015-0001").exists()
    run = PurgeRun.get(PurgeRun.id == result.run_id)
    assert run.state == "done" and run.deleted_count == len(expected) and run.policy_version


def test_deletion_records_hold_no_personal_data_and_the_journal_has_them_all(world) -> None:
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    path = purge_journal.journal_path(world.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    journal = path.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in journal.splitlines()]
    assert [line["id"] for line in lines] == [r.id for r in DeletionRecord.select().order_by(DeletionRecord.id)]
    assert "Erika" not in journal and "203.0.113" not in journal and "MK-" not in journal
    assert set(lines[0]) == {
        "id",
        "run",
        "category",
        "item_id",
        "ref",
        "due_at",
        "deleted_at",
        "policy_version",
        "method",
    }


def test_a_second_purge_deletes_nothing(world) -> None:
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    before = DeletionRecord.select().count()
    second = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert second.total == 0 and DeletionRecord.select().count() == before


def test_dry_run_reports_the_plan_and_deletes_nothing(world) -> None:
    expected = _expected_due()
    chats = ChatMessage.select().count()
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir, dry_run=True)
    assert result.dry_run and result.total == len(expected)
    assert ChatMessage.select().count() == chats and DeletionRecord.select().count() == 0
    assert all(p.exists() for p in world.files["old"])


def test_released_hold_lets_the_next_run_delete_what_is_past_due(world, fixed_clock) -> None:
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    held = order_id("A-2026-0003")
    assert count_rows("chat", held) == 1
    hold = LegalHold.get(LegalHold.order == held)
    holds.release_hold(world.officer, hold.id)
    fixed_clock.advance(hours=1)
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert result.deleted == {c: 1 for c in ORDER_CATEGORIES}
    assert count_rows("connection", held) == 0


def test_a_purge_refuses_while_another_holds_the_lease_and_names_it(world) -> None:
    other = Lease("kurt@server2 pid 4711 (scheduler)")
    other.acquire()
    try:
        with pytest.raises(Busy) as err:
            purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
        assert "kurt@server2 pid 4711 (scheduler)" in str(err.value) and err.value.exit_code == 3
    finally:
        other.release()
    assert purge.run_purge(purge_world.officer(), data_dir=world.data_dir).total > 0


def test_an_expired_lease_of_a_crashed_holder_does_not_block(world, fixed_clock, db) -> None:
    from models.core.db import is_postgres

    if is_postgres():
        pytest.skip("PostgreSQL frees the advisory lock when the holder's connection dies; no expiry there")
    now = fixed_clock()  # another process took the lease and died without releasing it
    PurgeLease.create(
        name="purge", holder="ghost@host pid 1 (purge)", acquired_at=now, expires_at=now + timedelta(minutes=10)
    )
    with pytest.raises(Busy, match="ghost@host"):
        purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    fixed_clock.advance(minutes=11)
    assert purge.run_purge(purge_world.officer(), data_dir=world.data_dir).total > 0


def test_p8_items_stay_until_three_months_after_billing_to_the_day(db, fixed_clock, isolated_dirs) -> None:
    from datetime import datetime, timezone

    world = purge_world.build(isolated_dirs, names=("recent",))
    oid = order_id("A-2026-0002")
    fixed_clock.set(datetime(2027, 2, 22, 22, 59, tzinfo=timezone.utc))  # 22.02.2027 23:59 Berlin
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert count_rows("chat", oid) == 1 and count_rows("system_info", oid) == 0
    fixed_clock.set(datetime(2027, 2, 22, 23, 0, tzinfo=timezone.utc))  # 23.02.2027 00:00 Berlin
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert count_rows("chat", oid) == 0 and count_rows("connection", oid) == 0


def test_p7_items_go_exactly_48_hours_after_completion(db, fixed_clock, isolated_dirs) -> None:
    from datetime import datetime, timezone

    world = purge_world.build(isolated_dirs, names=("recent",))
    oid = order_id("A-2026-0002")
    completed = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    fixed_clock.set(completed + timedelta(hours=48) - timedelta(seconds=1))
    assert purge.run_purge(purge_world.officer(), data_dir=world.data_dir).total == 0
    assert all(p.exists() for p in world.files["recent"])
    fixed_clock.set(completed + timedelta(hours=48))
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert result.deleted == {"system_info": 1, "gathered_files": 1}
    assert count_rows("system_info", oid) == 0 and count_rows("gathered_files", oid) == 0
    assert count_rows("chat", oid) == 1 and count_rows("video", oid) == 1 and count_rows("activity", oid) == 1
    recording, screenshot = world.files["recent"]
    assert recording.exists() and not screenshot.exists()


def test_billing_records_go_eleven_years_after_the_session_date(db, fixed_clock, isolated_dirs) -> None:
    from datetime import datetime, timezone

    world = purge_world.build(isolated_dirs, names=("ancient",))
    record = BillingRecord.get()
    assert record.due_at == datetime(2026, 3, 1, 23, 0, tzinfo=timezone.utc)  # 02.03.2026 00:00 Berlin
    fixed_clock.set(datetime(2026, 3, 1, 22, 59, tzinfo=timezone.utc))
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert BillingRecord.select().count() == 1
    fixed_clock.set(datetime(2026, 3, 1, 23, 0, tzinfo=timezone.utc))
    assert purge.run_purge(purge_world.officer(), data_dir=world.data_dir).deleted.get("billing") == 1
    assert BillingRecord.select().count() == 0
    assert DeletionRecord.get(DeletionRecord.category == "billing").ref == record.ref


def test_closed_access_requests_go_with_their_exclusions_when_due(db, fixed_clock, isolated_dirs) -> None:
    from models.access import requests as access
    from models.core.entities import AccessRequest, AccessRequestExclusion
    from tests.support import factories as f

    officer = f.staff("dora", "privacy_officer", name="Dora Datenschutz")
    old = access.open_request(officer, name="Erika Weber", received_on="2026-11-02", channel="letter")
    access.reject(officer, old.ref, "Identität nicht nachweisbar")
    AccessRequestExclusion.create(
        request=old.id, record_kind="chat", record_id=1, reason="Namensvetter", excluded_by="dora", at=fixed_clock()
    )
    kept = access.open_request(officer, name="Hans Meier", received_on="2026-11-03", channel="email")
    fixed_clock.advance(days=1)
    access.reject(officer, kept.ref, "zurückgezogen")
    due = AccessRequest.get_by_id(old.id).due_at
    assert due.year == 2029 and AccessRequest.get_by_id(kept.id).due_at > due
    fixed_clock.set(due)
    result = purge.run_purge(purge_world.officer(), data_dir=isolated_dirs)
    assert result.deleted == {"access_requests": 1}
    assert [r.ref for r in AccessRequest.select()] == [kept.ref]
    assert AccessRequestExclusion.select().count() == 0
    assert DeletionRecord.get().ref == old.ref


def test_a_torn_journal_line_is_cut_and_missing_records_are_caught_up(world) -> None:
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    path = purge_journal.journal_path(world.data_dir)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3]) + lines[3][:20], encoding="utf-8")  # a crash mid-append, after the commit
    assert purge_journal.catch_up(world.data_dir) == len(lines) - 3
    assert path.read_text(encoding="utf-8").splitlines(keepends=True) == lines


def test_the_purge_waits_for_the_lock_as_a_long_job(world, monkeypatch) -> None:
    """Each of the purge's write transactions is a step of a long job: behind another job (an
    import) it waits as long as a job may, instead of failing after a desk's five seconds."""
    from models.core import db as db_module

    as_job: list[bool] = []
    begin = db_module._begin_within_budget

    def noting(stack):  # type: ignore[no-untyped-def]
        as_job.append(db_module._job.active)
        begin(stack)

    monkeypatch.setattr(db_module, "_begin_within_budget", noting)
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert result.total > 0
    assert as_job.count(True) >= 2  # the run's record and at least one chunk of deletions
