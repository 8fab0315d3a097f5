"""Backups (P10): catalogued, private, rotated by the purge; a restored old backup comes back
without the data purged since it was made (journal replay), also via `deletions reapply`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from console.jobs.backup import make_backup, restore
from models.core.db import current_target, is_sqlite
from models.core.entities import BackupEntry, ChatMessage, DeletionRecord, RemoteSession
from models.core.errors import RuleViolation, ValidationError
from models.purge import journal as purge_journal
from models.purge import run as purge
from models.purge.items import count_rows
from models.retention import holds
from tests.support import factories as f
from tests.support import purge_world
from tests.support.purge_world import marker, order_id


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    w = purge_world.build(isolated_dirs)
    holds.place_hold(w.officer, "A-2026-0003", "Rechnung bestritten")
    return w


def _sqlite_only() -> None:
    if not is_sqlite():
        pytest.skip("the console's own backups are of SQLite; PostgreSQL uses pg_dump (deletions reapply is tested)")


def test_backup_is_private_catalogued_and_a_restore_replays_the_deletions_made_since(world) -> None:
    _sqlite_only()
    entry = make_backup("dora", world.data_dir / "backups")
    path = Path(entry.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and entry.size == path.stat().st_size and len(entry.sha256) == 64
    assert marker("old", "chat").encode() in path.read_bytes()
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    kept_ids = {r.id for r in DeletionRecord.select()}
    assert result.total == len(kept_ids) > 0
    restored = restore("admin1", path, world.data_dir)
    assert restored.replay.applied == len(kept_ids) and restored.replay.already == 0
    old = order_id("A-2026-0001")
    for category in ("chat", "activity", "system_info", "video", "gathered_files", "connection"):
        assert count_rows(category, old) == 0
    assert count_rows("chat", order_id("A-2026-0002")) == 1 and count_rows("chat", order_id("A-2026-0003")) == 1
    assert {r.id for r in DeletionRecord.select()} == kept_ids
    db_file = current_target().path
    assert db_file is not None
    scanned = db_file.read_bytes() + (
        db_file.with_name(db_file.name + "-wal").read_bytes()
        if db_file.with_name(db_file.name + "-wal").exists()
        else b""
    )
    assert marker("old", "chat").encode() not in scanned and marker("recent", "chat").encode() in scanned
    # nothing left to do, nothing twice
    assert purge.run_purge(purge_world.officer(), data_dir=world.data_dir).total == 0
    again = restore("admin1", path, world.data_dir)
    assert again.replay.applied == len(kept_ids)  # the backup is still old; the replay is the same


def test_the_purge_shreds_backups_past_the_rotation_period(world, fixed_clock) -> None:
    _sqlite_only()
    first = make_backup("dora", world.data_dir / "backups")
    fixed_clock.advance(days=29)
    second = make_backup("dora", world.data_dir / "backups")
    fixed_clock.advance(days=1, seconds=1)
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert result.deleted["backup"] == 1
    assert not Path(first.path).exists() and Path(second.path).exists()
    assert BackupEntry.get_by_id(first.id).deleted_at is not None
    record = DeletionRecord.get(DeletionRecord.category == "backup")
    assert record.ref == Path(first.path).name and record.item_id == first.id


def test_restore_refuses_a_file_that_is_not_a_backup(world, tmp_path) -> None:
    _sqlite_only()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ValidationError) as err:
        restore("admin1", junk, world.data_dir)
    assert err.value.field == "FILE"
    assert ChatMessage.select().count() == 5  # the database is untouched


def test_deletions_reapply_after_a_restore_made_with_other_tools(world, db_url) -> None:
    """Simulates a pg_dump restore: the data comes back, the journal says what to delete again."""
    journal = purge_journal.journal_path(world.data_dir)
    old = order_id("A-2026-0001")
    sessions = list(RemoteSession.select().where(RemoteSession.order == old).dicts())
    chats = list(ChatMessage.select().where(ChatMessage.session.in_([s["id"] for s in sessions])).dicts())
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    entries = list(purge_journal.read(journal))
    assert entries and count_rows("chat", old) == 0
    # "restore" an older dump: the old order's session and chat are back, the deletion records are not
    RemoteSession.insert_many(sessions).execute()
    ChatMessage.insert_many(chats).execute()
    DeletionRecord.delete().execute()
    assert count_rows("chat", old) == 1
    purge_world.add_order(
        world,
        purge_world.Customer.get(),
        "again",
        "A-2026-0099",
        purge_world.ORDERS["old"][1],
        purge_world.ORDERS["old"][2],
    )
    f.staff(os_account(), roles="privacy_officer admin", name="Olga Operator")
    code = main(["deletions", "reapply", "--json"])
    assert code == 0
    assert DeletionRecord.select().count() == len(entries)
    assert {r.id for r in DeletionRecord.select()} == {e["id"] for e in entries}
    assert count_rows("chat", old) == 0 and count_rows("connection", old) == 0
    assert count_rows("chat", order_id("A-2026-0099")) == 1  # not in the journal: untouched
    assert main(["deletions", "reapply", "--json"]) == 0  # idempotent


def test_backup_on_postgresql_is_refused_with_a_pointer_to_the_docs(world) -> None:
    if is_sqlite():
        pytest.skip("PostgreSQL only")
    with pytest.raises(RuleViolation, match="pg_dump"):
        make_backup("dora", world.data_dir / "backups")


def test_a_restore_that_fails_during_the_replay_leaves_the_database_as_it_was(world, monkeypatch) -> None:
    _sqlite_only()
    import console.jobs.backup as backup_module

    entry = make_backup("dora", world.data_dir / "backups")
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    records = DeletionRecord.select().count()

    def broken(entries, data_dir):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(backup_module, "reapply", broken)
    with pytest.raises(OSError):
        restore("admin1", Path(entry.path), world.data_dir)
    assert count_rows("chat", order_id("A-2026-0001")) == 0  # never the restored-but-not-replayed state
    assert DeletionRecord.select().count() == records
    assert not list(world.data_dir.glob(".restore-*"))  # the scratch copy is shredded
    assert purge.run_purge(purge_world.officer(), data_dir=world.data_dir).total == 0  # the lease was released
