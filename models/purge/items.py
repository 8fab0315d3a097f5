"""The tables behind each category and the per-order deletions a journal replay makes again.

The purge itself deletes a chunk of orders at a time (purge_chunks.py); a restore replays the
journal item by item with these (purge_replay.py), and drops due rows left without data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from peewee import SQL, fn

from models.core import compiled as purge_sql
from models.core.db import is_sqlite, write_tx
from models.core.entities import (
    ActivityEvent,
    ChatMessage,
    Consent,
    Disclosure,
    GatheredFile,
    Participant,
    Recording,
    RemoteSession,
    RetentionDue,
    SystemInfo,
)
from models.retention.due import SESSION_CATEGORIES, has_data

FILE_TABLES: dict[str, Any] = {"gathered_files": GatheredFile, "video": Recording}
ROW_TABLES: dict[str, Any] = {
    "system_info": SystemInfo,
    "activity": ActivityEvent,
    "chat": ChatMessage,
    "gathered_files": GatheredFile,
    "video": Recording,
}


def row_method() -> str:
    return "sql-delete+secure_delete+wal-truncate" if is_sqlite() else "sql-delete+vacuum"


def _sessions(order_id: int) -> Any:
    return RemoteSession.select(RemoteSession.id).where(RemoteSession.order == order_id)


def order_files(order_id: int, categories: list[str]) -> list[str]:
    """The stored names (files/…) of an order's files of the console's own in these categories."""
    paths: list[str] = []
    for name in categories:
        table = FILE_TABLES.get(name)
        if table is not None:
            cursor = purge_sql.run(
                f"files:{name}",
                lambda o, t=table: t.select(t.stored).where(
                    t.session.in_(_sessions(o)) & t.stored.is_null(False) & (t.stored != "")
                ),
                order_id,
            )
            paths += [row[0] for row in cursor.fetchall()]
    return paths


def _by_session(table: Any, extra: Any = None) -> Callable[[int], Any]:
    def build(order_id: int) -> Any:
        where = table.session.in_(_sessions(order_id))
        return table.delete().where(where if extra is None else where & extra)

    return build


def delete_order_rows(categories: list[str], order_id: int) -> None:
    for name in categories:
        if name in ROW_TABLES:
            purge_sql.run(f"delete:{name}", _by_session(ROW_TABLES[name]), order_id)
        if name != "connection":  # done: the queue no longer needs to look at it
            purge_sql.run(
                f"delete-due:{name}",
                lambda o, n=name: RetentionDue.delete().where((RetentionDue.order == o) & (RetentionDue.category == n)),
                order_id,
            )
        if name == "video":  # the recording consent justified the video and goes with it
            purge_sql.run("delete:recording-consent", _by_session(Consent, Consent.kind == "recording"), order_id)
    if "connection" in categories:  # billing_record.session is SET NULL by the foreign key
        for table in (Participant, Disclosure, Consent):
            purge_sql.run(f"delete:{table._meta.table_name}", _by_session(table), order_id)
        purge_sql.run("delete:session", lambda o: RemoteSession.delete().where(RemoteSession.order == o), order_id)
        purge_sql.run("delete-due:all", lambda o: RetentionDue.delete().where(RetentionDue.order == o), order_id)


def drop_empty_due_rows(as_of: datetime) -> int:
    """Forget (category, order) rows that are due but hold no data (never had any, or purged by
    an earlier version); keeps the queue's scan small. The session row's own row stays."""
    removed = 0
    for name in SESSION_CATEGORIES[:-1]:
        empty = RetentionDue.select(RetentionDue.id).where(
            (RetentionDue.category == name) & (RetentionDue.due_at <= as_of) & ~has_data(name, RetentionDue.order)
        )
        while True:  # in pages, so a first run over years of rows stays in short transactions
            with write_tx():
                ids = [row.id for row in empty.limit(500)]
                if not ids:
                    break
                removed += RetentionDue.delete().where(RetentionDue.id.in_(ids)).execute()
    return removed


def count_rows(category: str, order_id: int) -> int:
    """Rows of a category still present for an order (tests and dry runs)."""
    if category == "connection":
        return RemoteSession.select(fn.COUNT(SQL("*"))).where(RemoteSession.order == order_id).scalar()
    table = ROW_TABLES[category]
    return table.select(fn.COUNT(SQL("*"))).where(table.session.in_(_sessions(order_id))).scalar()
