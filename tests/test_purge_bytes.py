"""Irrecoverable (DESIGN.md §5): after a purge the purged text is in no byte of the database
file, its WAL or the data folder, while the text of kept data is still found there."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.core.db import is_sqlite
from models.purge import run as purge
from models.retention import holds
from tests.support import purge_world
from tests.support.purge_world import marker

SCANNED = ("chat", "activity", "system_info", "video", "gathered_files", "connection")


def _scan(folder: Path) -> bytes:
    """Every byte of every file under the data folder (database, WAL, journal, files, backups)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    if not is_sqlite():
        pytest.skip("scans the SQLite file and its WAL; PostgreSQL storage is covered by docs/retention.md")
    w = purge_world.build(isolated_dirs)
    holds.place_hold(w.officer, "A-2026-0003", "Rechnung bestritten")
    return w


def test_purged_markers_are_gone_from_every_byte_and_kept_ones_remain(world) -> None:
    before = _scan(world.data_dir)
    for name in ("old", "recent", "held"):
        for category in SCANNED:
            assert marker(name, category).encode() in before, (name, category)
    assert (world.data_dir / "support24.db-wal").exists()
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    after = _scan(world.data_dir)
    for category in SCANNED:
        assert marker("old", category).encode() not in after, category
        assert marker("ancient", category).encode() not in after, category
        assert marker("recent", category).encode() in after, category
        assert marker("held", category).encode() in after, category
    for category in ("system_info", "gathered_files"):
        assert marker("unbilled", category).encode() not in after
    for category in ("chat", "activity", "video", "connection"):
        assert marker("unbilled", category).encode() in after
    wal = world.data_dir / "support24.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
