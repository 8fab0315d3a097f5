"""Storage, schema versions and the audit chain."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from models.core import audit, schema
from models.core.db import database, is_sqlite, table_exists
from models.core.entities import AuditEvent, SchemaMeta
from models.core.errors import SchemaError, ValidationError


def test_models_never_import_textual() -> None:
    """The core has no UI (DESIGN.md §8): importing every models module pulls in no textual."""
    code = (
        "import importlib, pkgutil, sys, models\n"
        "for m in pkgutil.walk_packages(models.__path__, 'models.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(bad); raise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    sources = list(Path(__file__).parent.parent.joinpath("models").rglob("*.py"))
    assert sources
    for source in sources:
        for line in source.read_text().splitlines():
            assert not line.lstrip().startswith(("import textual", "from textual")), f"{source}: {line}"


def test_audit_chain_detects_edit_removal_and_truncation(db: str) -> None:
    for i in range(5):
        audit.record("mmueller", "session.start", f"S-2026-000{i}")
    assert audit.verify().ok and audit.verify().checked == 5

    AuditEvent.update(actor="someone").where(AuditEvent.id == 3).execute()
    result = audit.verify()
    assert not result.ok and result.first_bad_id == 3

    AuditEvent.update(actor="mmueller").where(AuditEvent.id == 3).execute()
    assert audit.verify().ok
    AuditEvent.delete().where(AuditEvent.id == 2).execute()
    result = audit.verify()
    assert not result.ok and result.first_bad_id == 2


def test_audit_chain_detects_removed_last_event(db: str) -> None:
    for i in range(3):
        audit.record("mmueller", "chat.read", f"S-2026-000{i}")
    AuditEvent.delete().where(AuditEvent.id == 3).execute()
    result = audit.verify()
    assert not result.ok and result.checked == 2 and result.first_bad_id == 3  # the removed one, not an earlier
    assert result.problem == "the chain ends at event 2 but its recorded head is event 3"


def test_audit_chain_detects_swapped_events(db: str) -> None:
    audit.record("a", "one", "R-1")
    audit.record("b", "two", "R-2")
    audit.record("c", "three", "R-3")
    first, second = AuditEvent.get_by_id(1), AuditEvent.get_by_id(2)
    AuditEvent.update(
        actor=second.actor, action=second.action, ref=second.ref, hash=second.hash, prev_hash=second.prev_hash
    ).where(AuditEvent.id == 1).execute()
    AuditEvent.update(
        actor=first.actor, action=first.action, ref=first.ref, hash=first.hash, prev_hash=first.prev_hash
    ).where(AuditEvent.id == 2).execute()
    assert audit.verify().first_bad_id == 1


def test_newer_schema_is_refused(db: str) -> None:
    SchemaMeta.update(value=str(schema.SCHEMA_VERSION + 1)).where(SchemaMeta.key == schema.VERSION_KEY).execute()
    with pytest.raises(SchemaError, match="newer support24"):
        schema.ensure_schema()


def test_table_exists_sees_the_tables_of_this_database_only(db: str) -> None:
    assert table_exists(SchemaMeta._meta.table_name)
    assert not table_exists("no_such_table")
    database.execute_sql('CREATE TABLE "Odd Name" (x INTEGER)')
    assert table_exists("Odd Name")


def test_older_schema_is_copied_aside_then_migrated(db: str) -> None:
    calls: list[tuple[int, int]] = []

    def add_column(database_obj: object) -> None:
        database.execute_sql("CREATE TABLE migration_probe (id INTEGER PRIMARY KEY)")

    result = schema.ensure_schema(
        lambda old, new: calls.append((old, new)),
        target_version=schema.SCHEMA_VERSION + 1,
        migrations={schema.SCHEMA_VERSION + 1: add_column},
    )
    assert result == "migrated"
    assert calls == [(schema.SCHEMA_VERSION, schema.SCHEMA_VERSION + 1)]
    assert schema.installed_version() == schema.SCHEMA_VERSION + 1
    assert database.table_exists("migration_probe")
    database.execute_sql("DROP TABLE migration_probe")


def test_sqlite_file_is_private_and_secure_delete_on(db: str, isolated_dirs: Path) -> None:
    if not is_sqlite():
        pytest.skip("SQLite only")
    path = isolated_dirs / "support24.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert database.execute_sql("PRAGMA secure_delete").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_sqlite_urls_are_relative_with_three_slashes_and_absolute_with_four(tmp_path, monkeypatch) -> None:
    from models.core.db import parse_url

    monkeypatch.chdir(tmp_path)
    assert parse_url("sqlite:///data/x.db").path == tmp_path / "data" / "x.db"
    assert parse_url("sqlite:////srv/support24/x.db").path == Path("/srv/support24/x.db")
    with pytest.raises(ValidationError) as err:
        parse_url("sqlite:///")
    assert err.value.field == "database_url"


def test_a_lock_held_elsewhere_is_errors_busy(db: str, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another connection holds the write lock: the db layer raises errors.Busy, nothing is written."""
    from urllib.parse import urlparse

    from models.core import clock
    from models.core import db as db_module
    from models.core.entities import Staff
    from models.core.errors import Busy

    if is_sqlite():
        import sqlite3

        monkeypatch.setattr(db_module, "BUSY_TIMEOUT_SECONDS", 0.05)
        db_module.open_database(db_url)  # reconnect with the short busy timeout
        other = sqlite3.connect(str(db_module.current_target().path), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        target = db_module.current_target()
        parsed = urlparse(target.url)
        other = psycopg.connect(
            host=parsed.hostname, port=parsed.port or 5432, dbname=parsed.path.lstrip("/"),
            user=parsed.username, options=f"-c search_path={target.schema}",
        )  # fmt: skip
        other.execute("LOCK TABLE staff IN ACCESS EXCLUSIVE MODE")
        database.execute_sql("SET lock_timeout = '50ms'")
    try:
        with pytest.raises(Busy, match="database is busy"):
            with db_module.write_tx():
                Staff.create(username="busy1", name="Busy One", roles="technician", created_at=clock.now())
    finally:
        other.rollback()
        other.close()
    if not is_sqlite():
        database.execute_sql("SET lock_timeout = 0")
    assert not Staff.select().where(Staff.username == "busy1").exists()


def test_worker_connection_closes_the_threads_connection(db: str) -> None:
    from models.core.db import worker_connection

    database.connect(reuse_if_open=True)
    with pytest.raises(KeyError):
        with worker_connection():
            assert not database.is_closed()
            raise KeyError("the body fails")
    assert database.is_closed()
