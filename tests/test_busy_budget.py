"""A write that meets a lock held elsewhere waits within the busy budget; past it the form keeps what was typed."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any
from urllib.parse import urlparse

import pytest

from models.core import audit
from models.core import db as db_module
from models.core.db import current_target, is_sqlite, lock_key, write_tx
from models.core.entities import AccessRequest, AuditEvent
from models.core.errors import Busy
from tests.support import access_seed
from tests.support.screens import aio, console, fill, screen_text, settle

SMALL_BUDGET = db_module.BusyBudget(total=0.4, first_wait=0.05, longest_wait=0.1, first_pause=0.01)


class Holder:
    """Another connection holding what every write needs: SQLite's write lock, PostgreSQL's audit lock."""

    def __init__(self) -> None:
        target = current_target()
        self.conn: Any
        if is_sqlite():
            assert target.path is not None
            self.conn = sqlite3.connect(str(target.path), isolation_level=None, check_same_thread=False)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            import psycopg

            parsed = urlparse(target.url)
            self.conn = psycopg.connect(
                host=parsed.hostname, port=parsed.port or 5432, dbname=parsed.path.lstrip("/"),
                user=parsed.username, options=f"-c search_path={target.schema}", application_name="the holder",
            )  # fmt: skip
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("audit"),))
        self.held = True

    def release(self) -> None:
        if self.held:
            self.conn.rollback() if not is_sqlite() else self.conn.execute("ROLLBACK")
            self.conn.close()
            self.held = False


@pytest.fixture
def holder(db: str) -> Any:
    held = Holder()
    yield held
    held.release()


def release_after_first_attempt(monkeypatch: pytest.MonkeyPatch, holder: Holder) -> list[int]:
    """The holder lets go once the first attempt has met its lock: longer than one attempt, shorter than the budget."""
    attempts: list[int] = []

    def failed(attempt: int, what: str) -> None:
        attempts.append(attempt)
        holder.release()

    monkeypatch.setattr(db_module, "_attempt_failed", failed)
    return attempts


def test_a_write_waits_out_a_lock_held_longer_than_one_attempt(
    db: str, holder: Holder, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = release_after_first_attempt(monkeypatch, holder)
    with write_tx():
        audit.record("mmueller", "chat.add", "S-2026-0001")
    assert attempts == [1]
    assert AuditEvent.select().count() == 1 and audit.verify().ok


def test_past_the_budget_the_write_is_busy_saves_nothing_and_the_holder_is_logged(
    db: str, holder: Holder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import os

    monkeypatch.setattr(db_module, "BUSY_BUDGET", SMALL_BUDGET)
    with caplog.at_level(logging.WARNING, logger="support24.locks"):
        with pytest.raises(Busy, match="database is busy"):
            with write_tx():
                audit.record("mmueller", "chat.add", "S-2026-0001")
    holder.release()
    assert AuditEvent.select().count() == 0
    logged = caplog.text
    assert "gave up" in logged
    if is_sqlite():
        assert f"pid {os.getpid()}" in logged  # this test process holds the lock through its second connection
    else:
        assert "the holder" in logged and "pg_advisory_xact_lock" in logged


@aio
async def test_a_form_saves_when_the_lock_is_freed_within_the_budget(
    db: str, fixed_clock, isolated_dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = access_seed.seed()
    holder = Holder()
    attempts = release_after_first_attempt(monkeypatch, holder)
    app = console(world.officer, isolated_dirs, "access")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await fill(pilot, name="Erika Weber", email="e.weber@mueller.example")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert attempts[:1] == [1]
            assert AccessRequest.select().where(AccessRequest.name == "Erika Weber").count() == 1
            assert "busy" not in screen_text(app).lower()
    finally:
        holder.release()


@aio
async def test_past_the_budget_the_form_stays_open_with_what_was_typed(
    db: str, fixed_clock, isolated_dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screens.access.forms import OpenRequestForm

    world = access_seed.seed()
    monkeypatch.setattr(db_module, "BUSY_BUDGET", SMALL_BUDGET)
    app = console(world.officer, isolated_dirs, "access")
    holder = Holder()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await fill(pilot, name="Erika Weber", email="e.weber@mueller.example")
            await pilot.press("ctrl+s")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, OpenRequestForm)
            assert form.value("name") == "Erika Weber" and form.value("email") == "e.weber@mueller.example"
            assert "database is busy" in screen_text(app)
            assert AccessRequest.select().where(AccessRequest.name == "Erika Weber").count() == 0
            holder.release()
            await pilot.press("ctrl+s")  # the lock is free again: the same values save
            await settle(pilot)
            assert not isinstance(app.screen, OpenRequestForm)
            assert AccessRequest.select().where(AccessRequest.name == "Erika Weber").count() == 1
    finally:
        holder.release()


def test_on_sqlite_a_running_purge_is_named_as_the_likely_holder(
    db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    if not is_sqlite():
        pytest.skip("PostgreSQL names the holder from pg_locks")
    from models.purge.lease import Lease

    lease = Lease("privacy@desk-3 pid 4711 (purge)")
    lease.acquire()
    holder = Holder()
    monkeypatch.setattr(db_module, "BUSY_BUDGET", SMALL_BUDGET)
    try:
        with caplog.at_level(logging.WARNING, logger="support24.locks"):
            with pytest.raises(Busy):
                with write_tx():
                    audit.record("mmueller", "chat.add", "S-2026-0001")
    finally:
        holder.release()
        lease.release()
    assert "purge lease of privacy@desk-3 pid 4711 (purge)" in caplog.text


def test_a_long_job_waits_out_a_lock_a_desk_would_give_up_on(
    db: str, holder: Holder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "BUSY_BUDGET", SMALL_BUDGET)
    monkeypatch.setattr(db_module, "JOB_BUSY_BUDGET_SECONDS", 30.0)
    with pytest.raises(Busy):  # a desk: past its budget of 0.4 s
        with write_tx():
            audit.record("mmueller", "chat.add", "S-2026-0001")
    attempts: list[int] = []
    # SQLite: the eighth short attempt is well past the desk's budget. PostgreSQL: after the
    # immediate try the job waits in the server's queue with the job's budget as lock_timeout.
    release_at = 8 if is_sqlite() else 1

    def failed(attempt: int, what: str) -> None:
        attempts.append(attempt)
        if len(attempts) == release_at:
            holder.release()

    monkeypatch.setattr(db_module, "_attempt_failed", failed)
    with db_module.background_job():
        with write_tx():
            audit.record("purge", "step", "R-1")
    assert len(attempts) == release_at and AuditEvent.select().count() == 1


def test_on_postgresql_a_write_that_meets_a_row_another_connection_holds_is_busy_within_the_budget(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if is_sqlite():
        pytest.skip("SQLite has one write lock for the whole file; the tests above cover it")
    import psycopg

    from models.core import clock
    from models.core.entities import Customer

    with write_tx():
        Customer.create(number="K-1", name="Bäckerei Schmidt", name_key="backerei schmidt", created_at=clock.now())
    monkeypatch.setattr(db_module, "BUSY_BUDGET", SMALL_BUDGET)
    target = current_target()
    parsed = urlparse(target.url)
    other = psycopg.connect(
        host=parsed.hostname, port=parsed.port or 5432, dbname=parsed.path.lstrip("/"),
        user=parsed.username, options=f"-c search_path={target.schema}",
    )  # fmt: skip
    try:
        other.execute("UPDATE customer SET name = 'Held' WHERE number = 'K-1'")  # its transaction stays open
        db_module.database.execute_sql("SET statement_timeout = '10s'")  # a hang fails the test instead
        with pytest.raises(Busy, match="database is busy"):
            with write_tx():
                Customer.update(name="Mine").where(Customer.number == "K-1").execute()
    finally:
        other.rollback()
        other.close()
        db_module.database.execute_sql("SET statement_timeout = 0")
    assert Customer.get(Customer.number == "K-1").name == "Bäckerei Schmidt"
