"""The keys onto remote_session, consent and purge_run hold on both backends: SQLite's foreign keys and PostgreSQL's
statement triggers (models/core/statement_keys.py) refuse rows naming no session, take a deleted
session's rows with it (billing records keep theirs without the session), and leave no row
pointing at a purged session."""

from __future__ import annotations

import pytest
from peewee import IntegrityError

from models.core.db import database, is_postgres, write_tx
from models.core.entities import ActivityEvent, BillingRecord, ChatMessage, Consent, DeletionRecord, RemoteSession
from models.purge import run as purge
from tests.support import purge_world
from tests.support.env import BACKEND
from tests.support.purge_world import order_id

# every table with a session_id column that names a remote session
CHILDREN = (
    "activity_event",
    "chat_message",
    "system_info",
    "gathered_file",
    "recording",
    "consent",
    "participant",
    "disclosure",
    "billing_record",
    "logged_connection",
)


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    return purge_world.build(isolated_dirs)


def _orphans() -> dict[str, int]:
    found = {}
    for table in CHILDREN:
        (count,) = database.execute_sql(
            f'SELECT COUNT(*) FROM "{table}" t WHERE t.session_id IS NOT NULL '
            "AND NOT EXISTS (SELECT 1 FROM remote_session s WHERE s.id = t.session_id)"
        ).fetchone()
        if count:
            found[table] = count
    return found


def _a_session(ref: str) -> RemoteSession:
    return RemoteSession.get(RemoteSession.order == order_id(ref))


def test_after_a_purge_no_row_points_at_a_purged_session(world) -> None:
    before = RemoteSession.select().count()
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert RemoteSession.select().count() < before  # sessions went
    assert _orphans() == {}


def test_a_row_naming_no_session_is_refused(world) -> None:
    session = _a_session("A-2026-0002")
    missing = RemoteSession.select(RemoteSession.id).order_by(RemoteSession.id.desc()).scalar() + 1000
    with pytest.raises(IntegrityError), write_tx():
        ActivityEvent.insert(session=missing, at=session.started_at, action="note", detail="x").execute()
    with pytest.raises(IntegrityError), write_tx():
        ChatMessage.update(session=missing).where(ChatMessage.session == session.id).execute()
    assert _orphans() == {}
    with write_tx():  # a row naming an existing session is taken
        ActivityEvent.insert(session=session.id, at=session.started_at, action="note", detail="x").execute()


def test_deleting_a_session_takes_its_rows_and_keeps_its_billing_record_without_it(world) -> None:
    session = _a_session("A-2026-0002")
    assert ActivityEvent.select().where(ActivityEvent.session == session.id).exists()
    assert Consent.select().where(Consent.session == session.id).exists()
    with write_tx():
        RemoteSession.delete().where(RemoteSession.id == session.id).execute()
    assert not ActivityEvent.select().where(ActivityEvent.session == session.id).exists()
    assert not Consent.select().where(Consent.session == session.id).exists()
    kept = BillingRecord.get(BillingRecord.order == order_id("A-2026-0002"))
    assert kept.session is None
    assert _orphans() == {}


def test_a_session_with_rows_keeps_its_id(world) -> None:
    session = _a_session("A-2026-0002")
    with pytest.raises(IntegrityError), write_tx():
        RemoteSession.update(id=session.id + 100_000).where(RemoteSession.id == session.id).execute()
    assert RemoteSession.get_by_id(session.id).ref == session.ref


def test_a_deletion_record_naming_no_purge_run_is_refused(world) -> None:
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    record = DeletionRecord.select().first()
    with pytest.raises(IntegrityError), write_tx():
        DeletionRecord.insert(
            run=record.run_id + 1000,
            category=record.category,
            item_id=record.item_id,
            ref=record.ref,
            due_at=record.due_at,
            deleted_at=record.deleted_at,
            policy_version=record.policy_version,
            method=record.method,
        ).execute()


def test_a_consent_naming_no_consent_it_corrects_is_refused(world) -> None:
    consent = Consent.select().first()
    with pytest.raises(IntegrityError), write_tx():
        Consent.update(corrects=consent.id + 100_000).where(Consent.id == consent.id).execute()


def test_postgresql_keeps_the_keys_as_statement_triggers(db) -> None:
    if not is_postgres():
        pytest.skip("PostgreSQL's own way of keeping the keys")
    cursor = database.execute_sql(
        "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = ANY(%s::regclass[])",
        (["remote_session", "consent", "purge_run"],),
    )
    assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(BACKEND != "postgresql", reason="the statement triggers are PostgreSQL's")
def test_a_key_added_later_keeps_the_keys_replaced_before(world) -> None:
    """A table made again with its foreign key (an upgrade that adds one) is taken over with the others kept:
    the parent's trigger was once rewritten with the new key alone, and deleting a session left its activity."""
    from models.core import statement_keys
    from models.sessions.registers import REGISTER_MODELS

    database.drop_tables(list(reversed(REGISTER_MODELS)))
    database.create_tables(REGISTER_MODELS)
    statement_keys.install()
    session = _a_session("A-2026-0002")
    with write_tx():
        RemoteSession.delete().where(RemoteSession.id == session.id).execute()
    assert not ActivityEvent.select().where(ActivityEvent.session == session.id).exists()
    assert _orphans() == {}
