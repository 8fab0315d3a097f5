"""One lock order, audit events written at commit, and a purge checkpoint that never waits on readers."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from models.core import audit
from models.core.db import LockOrderError, current_target, database, is_postgres, is_sqlite, write_tx
from models.core.entities import AuditEvent, SchemaMeta


def test_a_lock_against_the_order_is_refused_before_it_is_taken(db: str) -> None:
    with pytest.raises(LockOrderError):
        with write_tx(serialize="purge_item"):
            with write_tx(serialize="billing"):
                pass
    with write_tx(serialize="billing"):  # the documented order, and a lock held already, are fine
        with write_tx(serialize="retention_due"):
            with write_tx(serialize="billing"):
                pass


def test_events_of_one_transaction_are_chained_with_one_head(db: str) -> None:
    with write_tx():
        for i in range(7):
            audit.record("mmueller", "chat.add", f"S-2026-{i:04d}")
        assert AuditEvent.select().count() == 0  # buffered until the commit
        audit.record_many([("mmueller", "activity.add", "S-2026-0100", None)] * 3)
    assert AuditEvent.select().count() == 10
    assert audit.head()[0] == 10
    assert audit.verify().ok


def test_a_rolled_back_savepoint_takes_its_events_with_it(db: str) -> None:
    with write_tx():
        audit.record("mmueller", "kept", "R-1")
        try:
            with write_tx():
                audit.record("mmueller", "dropped", "R-2")
                raise ValueError("inner failure")
        except ValueError:
            pass
    assert [e.action for e in AuditEvent.select().order_by(AuditEvent.id)] == ["kept"]
    with pytest.raises(ValueError):
        with write_tx():
            audit.record("mmueller", "never", "R-3")
            raise ValueError("outer failure")
    assert AuditEvent.select().count() == 1 and audit.verify().ok


def test_a_failed_transaction_writes_no_head(db: str) -> None:
    audit.record("mmueller", "one", "R-1")
    with pytest.raises(RuntimeError):
        with write_tx():
            audit.record("mmueller", "two", "R-2")
            raise RuntimeError("boom")
    assert SchemaMeta.get(SchemaMeta.key == audit.HEAD_KEY).value.startswith("1:")


def test_retention_due_and_audit_taken_in_opposite_code_order_do_not_deadlock(db: str) -> None:
    """Two writers: one locks retention_due then audits, the other audits then locks retention_due."""
    if not is_postgres():
        pytest.skip("advisory locks are PostgreSQL's; SQLite has one writer")
    barrier = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with write_tx(serialize="retention_due"):
                barrier.wait()
                audit.record("a", "first", "R-1")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            database.close()

    def second() -> None:
        try:
            with write_tx():
                audit.record("b", "second", "R-2")
                barrier.wait()
                with write_tx(serialize="retention_due"):
                    pass
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    database.connect(reuse_if_open=True)
    assert errors == []
    assert AuditEvent.select().count() == 2 and audit.verify().ok


def test_purge_checkpoint_does_not_wait_for_a_reader_and_truncates_once_it_is_gone(db: str) -> None:
    if not is_sqlite():
        pytest.skip("the WAL is SQLite's")
    from models.purge.run import checkpoint_wal

    for i in range(50):
        audit.record("mmueller", "chat.add", f"S-2026-{i:04d}")
    path = current_target().path
    assert path is not None
    reader = sqlite3.connect(str(path))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM audit_event").fetchone()  # a console in the middle of a read
    audit.record("mmueller", "after the reader began", None)
    try:
        outcome = checkpoint_wal(attempts=1)
        assert "PASSIVE" in outcome and "busy=1" in outcome
        audit.record("mmueller", "a writer right after", None)  # writers were not held
    finally:
        reader.rollback()
        reader.close()
    outcome = checkpoint_wal(attempts=1)
    assert outcome.startswith("wal_checkpoint(TRUNCATE) busy=0")
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_verify_handles_quotes_backslashes_control_characters_and_umlauts(db: str) -> None:
    for detail in ('a "quoted" word', "back\\slash", "line\nbreak\ttab\x01", "Bäckerei Müller", None):
        audit.record("mmueller", "chat.add", 'S-"1"', detail)
    assert audit.verify().ok and audit.verify().checked == 5
    AuditEvent.update(detail='a "quoted" Word').where(AuditEvent.id == 1).execute()
    result = audit.verify()
    assert not result.ok and result.first_bad_id == 1


def test_a_long_job_gives_way_after_each_step_on_sqlite(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's write lock has no queue: inside background_job a committed step is followed by a pause."""
    from models.core import db as db_module

    pauses: list[float] = []
    monkeypatch.setattr(db_module, "_give_way", pauses.append)
    with write_tx():
        audit.record("mmueller", "desk", "R-0")
    with db_module.background_job():
        for i in range(3):
            with write_tx():
                audit.record("purge", "step", f"R-{i}")
                with write_tx():  # a savepoint is no step of its own
                    pass
    with write_tx():
        audit.record("mmueller", "desk", "R-9")
    assert len(pauses) == (3 if is_sqlite() else 0)
