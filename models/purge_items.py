"""Deleting one queue item: the rows of one category of one order, a billing record, a closed
access request. Each deletion is checked again (due, not held) in the transaction that makes it
and writes its deletion record in that same transaction, so a record never outlives its data.

Files go first, between a check and the row deletion: a crash then leaves rows without files
(the next run finishes them), never a file without its row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from peewee import SQL, Value, fn

from . import clock, purge_files, purge_sql
from .db import is_sqlite, write_tx
from .entities import (
    AccessRequest, AccessRequestExclusion, ActivityEvent, BillingRecord, ChatMessage, Consent, DeletionRecord,
    Disclosure, GatheredFile, LegalHold, Order, Participant, PurgeRun, Recording, RemoteSession, RetentionDue,
    SystemInfo,
)
from .holds import ITEM_LOCK
from .retention_due import has_data  # re-checked in the deleting transaction
from .retention_due import SESSION_CATEGORIES

FILE_TABLES: dict[str, Any] = {"gathered_files": GatheredFile, "video": Recording}
ROW_TABLES: dict[str, Any] = {"system_info": SystemInfo, "activity": ActivityEvent, "chat": ChatMessage,
                              "gathered_files": GatheredFile, "video": Recording}


@dataclass(frozen=True)
class Target:
    """What one item deletes: categories of an order, or one row of billing/access_requests."""

    category: str
    item_id: int


def row_method() -> str:
    return "sql-delete+secure_delete+wal-truncate" if is_sqlite() else "sql-delete+vacuum"


def _sessions(order_id: int) -> Any:
    return RemoteSession.select(RemoteSession.id).where(RemoteSession.order == order_id)


def _held(order_id: int) -> bool:
    return purge_sql.run("held", lambda o: LegalHold.select(SQL("1")).where(
        (LegalHold.order == o) & LegalHold.released_at.is_null()).limit(1), order_id).fetchone() is not None


def _dues(order_id: int) -> dict[str, datetime | None]:
    cursor = purge_sql.run("dues", lambda o: RetentionDue.select(RetentionDue.category, RetentionDue.due_at)
                           .where(RetentionDue.order == o), order_id)
    return {category: RetentionDue.due_at.python_value(due) for category, due in cursor.fetchall()}


def _presence(order_id: int) -> set[str]:
    """The session-bound categories the order still holds data of, in one query."""
    row = purge_sql.run("presence", lambda o: Order.select(
        *[has_data(name, Value(o)).alias(name) for name in SESSION_CATEGORIES]).where(Order.id == o), order_id).fetchone()
    return {name for name, flag in zip(SESSION_CATEGORIES, row or ()) if flag}


def order_plan(category: str, order_id: int, as_of: datetime) -> dict[str, datetime]:
    """Categories of the order to delete now with their due dates; empty if not due, held or gone.

    The connection item takes everything of the order with it, since the session row anchors it.
    """
    if _held(order_id):
        return {}
    dues = _dues(order_id)
    due = dues.get(category)
    if due is None or due > as_of:
        return {}
    present = _presence(order_id)
    wanted = present if category == "connection" else present & {category}
    plan = {}
    for name in wanted:
        name_due = dues[name] if name in dues else due  # a row already purged once: goes with the session
        if name_due is not None and name_due <= as_of:
            plan[name] = name_due
    if category == "connection" and len(plan) < len(present):
        return {}  # something under the session is not due yet: keep the session row
    return plan


def order_files(order_id: int, categories: list[str]) -> list[str]:
    paths: list[str] = []
    for name in categories:
        table = FILE_TABLES.get(name)
        if table is not None:
            cursor = purge_sql.run(f"files:{name}", lambda o, t=table: t.select(t.path).where(
                t.session.in_(_sessions(o))), order_id)
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
            purge_sql.run(f"delete-due:{name}", lambda o, n=name: RetentionDue.delete().where(
                (RetentionDue.order == o) & (RetentionDue.category == n)), order_id)
        if name == "video":  # the recording consent justified the video and goes with it
            purge_sql.run("delete:recording-consent", _by_session(Consent, Consent.kind == "recording"), order_id)
    if "connection" in categories:  # billing_record.session is SET NULL by the foreign key
        for table in (Participant, Disclosure, Consent):
            purge_sql.run(f"delete:{table._meta.table_name}", _by_session(table), order_id)
        purge_sql.run("delete:session", lambda o: RemoteSession.delete().where(RemoteSession.order == o), order_id)
        purge_sql.run("delete-due:all", lambda o: RetentionDue.delete().where(RetentionDue.order == o), order_id)


def _record(run: PurgeRun | None, category: str, item_id: int, ref: str | None, due_at: datetime, method: str,
            policy_version: str) -> DeletionRecord:
    return DeletionRecord.create(run=run, category=category, item_id=item_id, ref=ref, due_at=due_at,
                                 deleted_at=clock.now(), policy_version=policy_version, method=method)


def delete_order_item(target: Target, *, as_of: datetime, data_dir: Path, run: PurgeRun | None,
                      policy_version: str) -> list[DeletionRecord]:
    """Delete one (category, order) item if still due and not held; returns the deletion records.

    Without files it is one transaction; with files, the files go between a check and the
    transaction that checks again and deletes the rows.
    """
    with write_tx(serialize=ITEM_LOCK):
        plan = order_plan(target.category, target.item_id, as_of)
        paths = order_files(target.item_id, list(plan)) if plan else []
        if plan and not paths:
            return _delete_planned(plan, target.item_id, run, policy_version)
    if not plan:
        return []
    for relative in paths:
        purge_files.shred(purge_files.resolve_inside(data_dir, relative))
    with write_tx(serialize=ITEM_LOCK):
        plan = order_plan(target.category, target.item_id, as_of)  # a hold may have come meanwhile
        return _delete_planned(plan, target.item_id, run, policy_version) if plan else []


def _delete_planned(plan: dict[str, datetime], order_id: int, run: PurgeRun | None,
                    policy_version: str) -> list[DeletionRecord]:
    ref = purge_sql.run("ref", lambda o: Order.select(Order.ref).where(Order.id == o), order_id).fetchone()[0]
    delete_order_rows(list(plan), order_id)
    records = []
    for name, due in plan.items():
        method = row_method() + (f"+{purge_files.METHOD}" if name in FILE_TABLES else "")
        records.append(_record(run, name, order_id, ref, due, method, policy_version))
    return records


def delete_row_item(target: Target, *, as_of: datetime, run: PurgeRun | None, policy_version: str) -> list[DeletionRecord]:
    """Delete one billing record or closed access request if still due (and, for billing, not held)."""
    with write_tx(serialize=ITEM_LOCK):
        if target.category == "billing":
            row = BillingRecord.get_or_none(BillingRecord.id == target.item_id)
            if row is None or row.due_at is None or row.due_at > as_of or _held(row.order_id):
                return []
            BillingRecord.delete().where(BillingRecord.id == row.id).execute()
        else:
            row = AccessRequest.get_or_none(AccessRequest.id == target.item_id)
            if row is None or row.due_at is None or row.due_at > as_of:
                return []
            AccessRequestExclusion.delete().where(AccessRequestExclusion.request == row.id).execute()
            AccessRequest.delete().where(AccessRequest.id == row.id).execute()
        return [_record(run, target.category, row.id, row.ref, row.due_at, row_method(), policy_version)]


def drop_empty_due_rows(as_of: datetime) -> int:
    """Forget (category, order) rows that are due but hold no data (never had any, or purged by
    an earlier version); keeps the queue's scan small. The session row's own row stays."""
    removed = 0
    for name in SESSION_CATEGORIES[:-1]:
        empty = (RetentionDue.select(RetentionDue.id)
                 .where((RetentionDue.category == name) & (RetentionDue.due_at <= as_of) & ~has_data(name, RetentionDue.order)))
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
