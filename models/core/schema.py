"""Schema version and numbered migrations (DESIGN.md §7).

A new database gets every table at the current version. An older one is handed to
`before_migrate` (the console copies it aside) and then upgraded step by step; a newer one
is refused, since this version cannot know what it would break.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database

from models.core import statement_keys
from models.core.db import database, is_sqlite, table_exists, write_tx
from models.core.entities import ALL_MODELS, DueCount, PurgeProblem, SchemaMeta
from models.core.errors import SchemaError
from models.core.i18n import _
from models.retention import due_counts, stale

SCHEMA_VERSION = 8
VERSION_KEY = "schema_version"


def _sparse_retention_due(_db: Database) -> None:
    from models.retention.due import drop_rows_without_data  # the domain, only when a migration runs

    drop_rows_without_data()


def _due_counts(_db: Database) -> None:
    database.create_tables([DueCount], safe=True)
    due_counts.install()
    due_counts.rebuild()


def _retention_stale(_db: Database) -> None:
    from models.core.entities import RetentionStale
    from models.retention.due import mark_stale  # the domain, only when a migration runs

    database.create_tables([RetentionStale], safe=True)
    stale.install()
    due_counts.install()  # PostgreSQL: the counting function learns to leave set-wise writers to count
    mark_stale()  # what the scan on every sync found until now, once


def _append_only(_db: Database) -> None:
    from models.core import pg_roles

    pg_roles.install_append_only()  # PostgreSQL only; SQLite has no roles to refuse


UNSTORED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS recording_unstored ON recording (id) WHERE stored IS NULL",
    "CREATE INDEX IF NOT EXISTS gathered_file_unstored ON gathered_file (id) WHERE stored IS NULL",
)


def _file_store(_db: Database) -> None:
    """Files of the console's own: the stored copy of each recording and gathered file (taken in
    at the next command start, see models/purge/files.py), problems that block a purge, and
    billing batches that know whether their files were put in place."""
    columns = [c.name for c in database.get_columns("recording")]
    if "stored" not in columns:
        database.execute_sql("ALTER TABLE recording ADD COLUMN stored VARCHAR(200)")
    if "stored" not in [c.name for c in database.get_columns("gathered_file")]:
        database.execute_sql("ALTER TABLE gathered_file ADD COLUMN stored VARCHAR(200)")
    if "files_at" not in [c.name for c in database.get_columns("billing_batch")]:
        kind = "DATETIME" if is_sqlite() else "TIMESTAMP"
        database.execute_sql(f"ALTER TABLE billing_batch ADD COLUMN files_at {kind}")
        database.execute_sql("UPDATE billing_batch SET files_at = created_at")
    database.create_tables([PurgeProblem], safe=True)
    for statement in UNSTORED_INDEXES:
        database.execute_sql(statement)


def _remote_tool_logs(_db: Database) -> None:
    from models.sessions.registers import REGISTER_MODELS

    database.create_tables(REGISTER_MODELS, safe=True)


# MIGRATIONS[n] upgrades a database from version n-1 to n. Version 1 is the first release.
MIGRATIONS: dict[int, Callable[[Database], None]] = {
    2: _sparse_retention_due,  # retention_due keeps a row only while its category holds data
    3: _due_counts,  # per-day counts of the queue, kept by triggers, for the summary
    4: _file_store,  # recordings and gathered files taken into the console's own folders
    5: _append_only,  # PostgreSQL: audit events, deletion records and consents refuse UPDATE/DELETE by non-owners
    6: _remote_tool_logs,  # registers of tool identities and devices, connections read from tool logs
    7: _retention_stale,  # orders whose retention anchors changed, marked by a trigger, for sync()
    8: lambda _db: statement_keys.install(),  # PostgreSQL: the keys the purge deletes through kept per statement
}


def _all_models() -> list:
    from models.sessions.registers import REGISTER_MODELS

    return [*ALL_MODELS, *REGISTER_MODELS]


def installed_version() -> int | None:
    """The stored schema version, or None for an empty database."""
    if not table_exists(SchemaMeta._meta.table_name):
        return None
    row = SchemaMeta.get_or_none(SchemaMeta.key == VERSION_KEY)
    return int(row.value) if row else None


def _store_version(version: int) -> None:
    SchemaMeta.insert(key=VERSION_KEY, value=str(version)).on_conflict(
        conflict_target=[SchemaMeta.key], update={SchemaMeta.value: str(version)}
    ).execute()


def ensure_schema(
    before_migrate: Callable[[int, int], None] | None = None,
    *,
    target_version: int | None = None,
    migrations: dict[int, Callable[[Database], None]] | None = None,
) -> str:
    """Create or upgrade the schema; returns 'created', 'current' or 'migrated'."""
    target = SCHEMA_VERSION if target_version is None else target_version
    steps = MIGRATIONS if migrations is None else migrations
    version = installed_version()
    if version is None:
        with write_tx(serialize="schema"):
            if installed_version() is None:
                database.create_tables(_all_models(), safe=True)
                due_counts.install()  # triggers are not peewee models
                stale.install()
                for statement in UNSTORED_INDEXES:
                    database.execute_sql(statement)
                _append_only(database.obj)
                statement_keys.install()
                _store_version(target)
                return "created"
        version = installed_version()
        assert version is not None
    if version > target:
        raise SchemaError(
            _(
                "the database has schema version {found}, written by a newer support24; "
                "this one knows version {known}. Upgrade support24 before using this database."
            ).format(found=version, known=target)
        )
    if version == target:
        return "current"
    missing = [n for n in range(version + 1, target + 1) if n not in steps]
    if missing:
        raise SchemaError(_("no migration to schema version {n}").format(n=missing[0]))
    if before_migrate is not None:
        before_migrate(version, target)
    for number in range(version + 1, target + 1):
        with write_tx(serialize="schema"):
            if (installed_version() or 0) >= number:
                continue  # another console migrated meanwhile
            steps[number](database.obj)
            _store_version(number)
    return "migrated"
