"""Schema version and numbered migrations (DESIGN.md §7).

A new database gets every table at the current version. An older one is handed to
`before_migrate` (the console copies it aside) and then upgraded step by step; a newer one
is refused, since this version cannot know what it would break.
"""

from __future__ import annotations

from typing import Callable

from peewee import Database

from models.core.db import database, write_tx
from models.core.entities import ALL_MODELS, DueCount, SchemaMeta
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


# MIGRATIONS[n] upgrades a database from version n-1 to n. Version 1 is the first release.
MIGRATIONS: dict[int, Callable[[Database], None]] = {
    2: _sparse_retention_due,  # retention_due keeps a row only while its category holds data
    3: _due_counts,  # per-day counts of the queue, kept by triggers, for the summary
    8: _retention_stale,  # orders whose retention anchors changed, marked by a trigger, for sync()
}


def installed_version() -> int | None:
    """The stored schema version, or None for an empty database."""
    if not database.table_exists(SchemaMeta._meta.table_name):
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
                database.create_tables(ALL_MODELS, safe=True)
                due_counts.install()  # triggers are not peewee models
                stale.install()
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
