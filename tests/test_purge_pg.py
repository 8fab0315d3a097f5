"""The PostgreSQL purge's own path (models/purge/chunks_pg.py): the same deletions, records and
kept billing records as SQLite (tests/test_purge.py runs on both), and tables without statistics
analyzed before the first chunk so the planner does not scan whole tables per chunk."""

from __future__ import annotations

import pytest

from models.core.db import database, is_postgres
from models.core.entities import BillingRecord, DeletionRecord, RemoteSession
from models.purge import chunks_pg
from models.purge import run as purge
from tests.support import purge_world
from tests.support.purge_world import order_id


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    if not is_postgres():
        pytest.skip("PostgreSQL's statistics and chunk path")
    chunks_pg._checked_at.clear()
    yield purge_world.build(isolated_dirs)
    chunks_pg._checked_at.clear()


def _unanalyzed() -> set[str]:
    cursor = database.execute_sql(
        "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
        "AND relkind = 'r' AND reltuples < 0 AND relname = ANY(%s)",
        (["remote_session", "activity_event", "billing_record", "retention_due"],),
    )
    return {name for (name,) in cursor.fetchall()}


def test_tables_without_statistics_are_analyzed_once_then_left_alone(world) -> None:
    if not _unanalyzed():
        pytest.skip("the server kept statistics of this schema's tables")
    analyzed = chunks_pg.fresh_statistics()
    assert "remote_session" in analyzed and _unanalyzed() == set()
    assert chunks_pg.fresh_statistics() == []  # checked again only after ten minutes


def test_the_connection_chunk_takes_sessions_and_children_and_keeps_billing_without_session(world) -> None:
    old = order_id("A-2026-0001")
    assert RemoteSession.select().where(RemoteSession.order == old).exists()
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert not RemoteSession.select().where(RemoteSession.order == old).exists()
    kept = BillingRecord.get(BillingRecord.order == old)
    assert kept.session is None and kept.session_ref
    categories = {r.category for r in DeletionRecord.select().where(DeletionRecord.item_id == old)}
    assert {"connection", "activity", "chat"} <= categories


def test_the_vacuum_takes_the_tables_the_run_deleted_from_with_their_cascades_and_no_other(world) -> None:
    result = purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert {"connection", "billing"} <= set(result.deleted) and "access_requests" not in result.deleted
    vacuumed = set(str(result.checkpoint).removeprefix("vacuum ").split(", "))
    # a session's logged connections go with it (its key's cascade): their partner names must not stay readable
    assert {"remote_session", "activity_event", "consent", "logged_connection", "billing_record"} <= vacuumed
    assert "access_request" not in vacuumed  # nothing of it was deleted
