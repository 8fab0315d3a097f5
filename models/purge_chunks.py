"""Deleting queue items a chunk at a time: one category of a few hundred orders, or a few
hundred billing records or access requests, in one transaction with one statement per table.

Each chunk is checked again (still due, not held) in the transaction that deletes it, and
writes a deletion record per item in that same transaction, so a record never outlives its
data and no item is deleted without one. Files go first, between a check and the row
deletion: a crash then leaves rows without files (the next run finishes them), never a file
without its row. Per item this is the work of purge_items.py, done set-based, so a backlog of
years costs about what SQLite needs for the raw DELETEs.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from peewee import fn

from . import clock, purge_files
from .db import write_tx
from .entities import (
    AccessRequest, AccessRequestExclusion, BillingRecord, Consent, DeletionRecord, Disclosure, LegalHold, Order,
    Participant, PurgeRun, RemoteSession, RetentionDue,
)
from .holds import ITEM_LOCK
from .purge_items import FILE_TABLES, ROW_TABLES, row_method
from .retention_due import SESSION_CATEGORIES

DATA_CATEGORIES = SESSION_CATEGORIES[:-1]  # everything under the session row


def _held(order_ids: list[int]) -> set[int]:
    query = LegalHold.select(LegalHold.order).where(LegalHold.order.in_(order_ids) & LegalHold.released_at.is_null())
    return {order_id for (order_id,) in query.tuples()}


def _dues(order_ids: list[int]) -> dict[int, dict[str, datetime | None]]:
    """Every retention_due row of these orders: order -> category -> due."""
    dues: dict[int, dict[str, datetime | None]] = {}
    query = RetentionDue.select(RetentionDue.order, RetentionDue.category, RetentionDue.due_at).where(
        RetentionDue.order.in_(order_ids))
    for order_id, category, due in query.tuples():
        dues.setdefault(order_id, {})[category] = RetentionDue.due_at.python_value(due)
    return dues


def plan_orders(category: str, order_ids: list[int], as_of: datetime) -> dict[int, dict[str, datetime]]:
    """Per order, the categories to delete now with their due dates; orders held or not due are left out.

    The connection item takes the whole order with it, so it waits until every category under
    the session row is due too (a category without a row goes with the session's date).
    """
    held = _held(order_ids)
    plan: dict[int, dict[str, datetime]] = {}
    for order_id, dues in _dues(order_ids).items():
        due = dues.get(category)
        if order_id in held or due is None or due > as_of:
            continue
        if category != "connection":
            plan[order_id] = {category: due}
            continue
        others = {name: d for name, d in dues.items() if name != "connection"}
        if all(d is not None and d <= as_of for d in others.values()):
            plan[order_id] = {name: d for name, d in others.items() if d is not None} | {"connection": due}
    return plan


def _sessions(order_ids: list[int]) -> Any:
    return RemoteSession.select(RemoteSession.id).where(RemoteSession.order.in_(order_ids))


def _with_rows(table: Any, order_ids: list[int]) -> set[int]:
    """The orders among these that still hold rows in `table`."""
    query = (RemoteSession.select(RemoteSession.order).where(
        RemoteSession.order.in_(order_ids) & fn.EXISTS(table.select(table.id).where(table.session == RemoteSession.id)))
        .distinct())
    return {order_id for (order_id,) in query.tuples()}


def chunk_files(category: str, order_ids: list[int]) -> list[str]:
    names = DATA_CATEGORIES if category == "connection" else (category,)
    paths: list[str] = []
    for name in names:
        table = FILE_TABLES.get(name)
        if table is not None:
            paths += [path for (path,) in table.select(table.path).where(table.session.in_(_sessions(order_ids))).tuples()]
    return paths


def _delete_planned(category: str, plan: dict[int, dict[str, datetime]], run: PurgeRun | None,
                    policy_version: str) -> dict[str, int]:
    ids = sorted(plan)
    refs = dict(Order.select(Order.id, Order.ref).where(Order.id.in_(ids)).tuples())
    now = clock.now()
    records: list[dict[str, Any]] = []

    def record(name: str, order_id: int) -> None:
        due = plan[order_id].get(name) or plan[order_id][category]  # a row-less category goes with the session
        method = row_method() + (f"+{purge_files.METHOD}" if name in FILE_TABLES else "")
        records.append({"run": run, "category": name, "item_id": order_id, "ref": refs.get(order_id), "due_at": due,
                        "deleted_at": now, "policy_version": policy_version, "method": method})

    names = DATA_CATEGORIES if category == "connection" else (category,)
    for name in names:
        table = ROW_TABLES[name]
        for order_id in sorted(_with_rows(table, ids)):
            record(name, order_id)
        table.delete().where(table.session.in_(_sessions(ids))).execute()
        if name == "video":  # the recording consent justified the video and goes with it
            Consent.delete().where(Consent.session.in_(_sessions(ids)) & (Consent.kind == "recording")).execute()
        RetentionDue.delete().where(RetentionDue.order.in_(ids) & (RetentionDue.category == name)).execute()
    if category == "connection":  # billing_record.session is SET NULL by the foreign key
        with_sessions = RemoteSession.select(RemoteSession.order).where(RemoteSession.order.in_(ids)).distinct()
        for (order_id,) in with_sessions.order_by(RemoteSession.order).tuples():
            record("connection", order_id)
        for table in (Participant, Disclosure, Consent):
            table.delete().where(table.session.in_(_sessions(ids))).execute()
        RemoteSession.delete().where(RemoteSession.order.in_(ids)).execute()
        RetentionDue.delete().where(RetentionDue.order.in_(ids)).execute()
    if records:
        DeletionRecord.insert_many(records).execute()
    counts: dict[str, int] = {}
    for row in records:
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    return counts


def delete_order_chunk(category: str, order_ids: list[int], *, as_of: datetime, data_dir: Path,
                       run: PurgeRun | None, policy_version: str,
                       tick: Callable[[], None] | None = None) -> dict[str, int]:
    """Delete one session-bound category of these orders where still due and not held.

    Returns deletion records written per category. Without files it is one transaction; with
    files, they are shredded between a check and the transaction that checks again and deletes.
    """
    with write_tx(serialize=ITEM_LOCK):
        plan = plan_orders(category, order_ids, as_of)
        paths = chunk_files(category, sorted(plan)) if plan else []
        if plan and not paths:
            return _delete_planned(category, plan, run, policy_version)
    if not plan:
        return {}
    for relative in paths:
        purge_files.shred(purge_files.resolve_inside(data_dir, relative))
        if tick:
            tick()
    with write_tx(serialize=ITEM_LOCK):
        plan = plan_orders(category, sorted(plan), as_of)  # a hold may have come meanwhile
        return _delete_planned(category, plan, run, policy_version) if plan else {}


def delete_row_chunk(category: str, item_ids: list[int], *, as_of: datetime, run: PurgeRun | None,
                     policy_version: str) -> dict[str, int]:
    """Delete these billing records or closed access requests where still due (billing: not held)."""
    model = BillingRecord if category == "billing" else AccessRequest
    with write_tx(serialize=ITEM_LOCK):
        where = model.id.in_(item_ids) & model.due_at.is_null(False) & (model.due_at <= as_of)
        if model is BillingRecord:
            held = LegalHold.select(LegalHold.order).where(LegalHold.released_at.is_null())
            where &= BillingRecord.order.not_in(held)
        rows = list(model.select(model.id, model.ref, model.due_at).where(where).tuples())
        if not rows:
            return {}
        ids = [row_id for row_id, _ref, _due in rows]
        if model is AccessRequest:
            AccessRequestExclusion.delete().where(AccessRequestExclusion.request.in_(ids)).execute()
        model.delete().where(model.id.in_(ids)).execute()
        now, method = clock.now(), row_method()
        DeletionRecord.insert_many([
            {"run": run, "category": category, "item_id": row_id, "ref": ref, "due_at": model.due_at.python_value(due),
             "deleted_at": now, "policy_version": policy_version, "method": method}
            for row_id, ref, due in rows]).execute()
        return {category: len(rows)}
