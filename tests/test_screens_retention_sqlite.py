"""Snapshot of the purge runs with their deletion records, on SQLite only.

The deletion method shown names the backend's way of making data unrecoverable
(secure_delete+wal-truncate on SQLite, vacuum on PostgreSQL). A module skipped as a whole
on PostgreSQL keeps the snapshot tool from calling this file's snapshots unused there.
"""

from __future__ import annotations

import os

import pytest

from models.purge import run as purge
from tests.support.screens import SIZES, build_world, retention_app, settle

if os.environ.get("SUPPORT24_TEST_BACKEND", "sqlite") != "sqlite":
    pytest.skip("the deletion method shown names the backend", allow_module_level=True)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_runs_with_deletion_records(snap_compare, db, fixed_clock, isolated_dirs, size: str) -> None:
    world = build_world(isolated_dirs)
    purge.run_purge(world.officer, data_dir=isolated_dirs)
    app = retention_app(world.tech, isolated_dirs)

    async def show_runs(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=show_runs)
