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

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from peewee import Value, fn

from models.core import clock
from models.core.compiled import insert_rows, run_ids
from models.core.db import is_postgres, write_tx
from models.core.entities import (
    AccessRequest,
    AccessRequestExclusion,
    BillingRecord,
    Consent,
    DeletionRecord,
    Disclosure,
    LegalHold,
    Order,
    Participant,
    PurgeProblem,
    PurgeRun,
    RemoteSession,
    RetentionDue,
)
from models.core.i18n import _
from models.purge import chunks_pg
from models.purge import files as purge_files
from models.purge.items import FILE_TABLES, ROW_TABLES, row_method
from models.retention import due_counts
from models.retention.due import SESSION_CATEGORIES
from models.retention.holds import ITEM_LOCK

DATA_CATEGORIES = SESSION_CATEGORIES[:-1]  # everything under the session row


def _held(order_ids: list[int]) -> set[int]:
    cursor = run_ids(
        "held",
        lambda ids: LegalHold.select(LegalHold.order).where(LegalHold.order.in_(ids) & LegalHold.released_at.is_null()),
        order_ids,
    )
    return {order_id for (order_id,) in cursor.fetchall()}


def _dues(order_ids: list[int]) -> dict[int, dict[str, datetime | None]]:
    """Every retention_due row of these orders: order -> category -> due."""
    dues: dict[int, dict[str, datetime | None]] = {}
    cursor = run_ids(
        "dues",
        lambda ids: RetentionDue.select(RetentionDue.order, RetentionDue.category, RetentionDue.due_at).where(
            RetentionDue.order.in_(ids)
        ),
        order_ids,
    )
    converted: dict[object, datetime | None] = {}  # due dates repeat (Berlin midnights): parse each once
    for order_id, category, due in cursor.fetchall():
        if due not in converted:
            converted[due] = RetentionDue.due_at.python_value(due)
        dues.setdefault(order_id, {})[category] = converted[due]
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
    cursor = run_ids(
        f"with-rows:{table._meta.table_name}",
        lambda ids: (
            RemoteSession.select(RemoteSession.order)
            .where(
                RemoteSession.order.in_(ids)
                & fn.EXISTS(table.select(table.id).where(table.session == RemoteSession.id))
            )
            .distinct()
        ),
        order_ids,
    )
    return {order_id for (order_id,) in cursor.fetchall()}


def _delete_rows(name: str, table: Any, order_ids: list[int]) -> set[int]:
    """Delete the rows of `table` under these orders' sessions; returns the orders that had any (SQLite)."""
    found = _with_rows(table, order_ids)
    run_ids(f"delete:{name}", lambda o, t=table: t.delete().where(t.session.in_(_sessions(o))), order_ids)
    return found


def chunk_files(category: str, order_ids: list[int]) -> list[tuple[int, str]]:
    """(order id, stored name) of every file of the console's own under these orders' category."""
    names = DATA_CATEGORIES if category == "connection" else (category,)
    found: list[tuple[int, str]] = []
    for name in names:
        table = FILE_TABLES.get(name)
        if table is not None:
            cursor = run_ids(
                f"files:{name}",
                lambda ids, t=table: (
                    t.select(RemoteSession.order, t.stored)
                    .join(RemoteSession, on=(t.session == RemoteSession.id))
                    .where(RemoteSession.order.in_(ids) & t.stored.is_null(False) & (t.stored != ""))
                ),
                order_ids,
            )
            found += [(order_id, stored) for order_id, stored in cursor.fetchall()]
    return found


def shred_files(data_dir: Path, files: list[tuple[int, str]], tick: Callable[[], None] | None = None) -> dict[int, str]:
    """Shred each file; a file that may not be shredded becomes a problem of its order (returned),
    and the run goes on with the rest."""
    problems: dict[int, str] = {}
    for order_id, stored in files:
        if order_id in problems:
            continue
        try:
            purge_files.shred_stored(data_dir, stored)
        except (purge_files.FileRefused, OSError) as exc:
            reason = exc.problem if isinstance(exc, purge_files.FileRefused) else (exc.strerror or str(exc))
            problems[order_id] = _("file {path}: {problem}").format(path=stored, problem=reason)
        if tick:
            tick()
    return problems


def note_problems(category: str, problems: dict[int, str]) -> None:
    """Record (or refresh) why these items could not be purged; the queue shows them blocked."""
    now = clock.now()
    for order_id, reason in problems.items():
        PurgeProblem.delete().where((PurgeProblem.category == category) & (PurgeProblem.item_id == order_id)).execute()
        PurgeProblem.create(category=category, item_id=order_id, reason=reason[:2000], noted_at=now)


def _clear_problems(category: str, order_ids: list[int]) -> None:
    run_ids(
        f"clear-problems:{category}",
        lambda o: PurgeProblem.delete().where((PurgeProblem.category == category) & PurgeProblem.item_id.in_(o)),
        order_ids,
    )


def _delete_sqlite(category: str, ids: list[int], record: Callable[[str, int], None]) -> None:
    """Delete the planned categories of these orders on SQLite, table by table by IN lists of the orders."""
    names = DATA_CATEGORIES if category == "connection" else (category,)
    for name in names:
        table = ROW_TABLES[name]
        for order_id in sorted(_delete_rows(name, table, ids)):
            record(name, order_id)
        if name == "video":  # the recording consent justified the video and goes with it
            run_ids(
                "delete:recording-consent",
                lambda o: Consent.delete().where(Consent.session.in_(_sessions(o)) & (Consent.kind == "recording")),
                ids,
            )
        if category != "connection":  # the connection chunk removes every row of its orders below
            with due_counts.counted_in_bulk(ids, name, deleting=True):
                run_ids(
                    f"delete-due:{name}",
                    lambda o, n=name: RetentionDue.delete().where(
                        RetentionDue.order.in_(o) & (RetentionDue.category == n)
                    ),
                    ids,
                )
    if category == "connection":  # billing_record.session is SET NULL by the foreign key
        with_sessions = run_ids(
            "with-sessions",
            lambda o: RemoteSession.select(RemoteSession.order).where(RemoteSession.order.in_(o)).distinct(),
            ids,
        )
        for order_id in sorted(order_id for (order_id,) in with_sessions.fetchall()):
            record("connection", order_id)
        for table in (Participant, Disclosure, Consent):
            run_ids(
                f"delete:{table._meta.table_name}",
                lambda o, t=table: t.delete().where(t.session.in_(_sessions(o))),
                ids,
            )
        run_ids("delete:session", lambda o: RemoteSession.delete().where(RemoteSession.order.in_(o)), ids)
        with due_counts.counted_in_bulk(ids, deleting=True):
            run_ids("delete-due:all", lambda o: RetentionDue.delete().where(RetentionDue.order.in_(o)), ids)


def _delete_pg(category: str, ids: list[int], record: Callable[[str, int], None]) -> None:
    """The same deletions on PostgreSQL: sessions looked up once, children before parents (chunks_pg.py)."""
    names = DATA_CATEGORIES if category == "connection" else (category,)
    found = chunks_pg.delete_chunk(category, names, ids)
    for name in (*names, "connection") if category == "connection" else names:
        for order_id in sorted(found.get(name, ())):
            record(name, order_id)


def _delete_planned(
    category: str, plan: dict[int, dict[str, datetime]], run: PurgeRun | None, policy_version: str
) -> dict[str, int]:
    ids = sorted(plan)
    run_id = run.id if run is not None else None  # an id, not the instance: the insert hashes each value
    refs = dict(run_ids("refs", lambda o: Order.select(Order.id, Order.ref).where(Order.id.in_(o)), ids).fetchall())
    now = clock.now()
    records: list[dict[str, Any]] = []

    def record(name: str, order_id: int) -> None:
        due = plan[order_id].get(name) or plan[order_id][category]  # a row-less category goes with the session
        method = row_method() + (f"+{purge_files.METHOD}" if name in FILE_TABLES else "")
        records.append(
            {
                "run": run_id,
                "category": name,
                "item_id": order_id,
                "ref": refs.get(order_id),
                "due_at": due,
                "deleted_at": now,
                "policy_version": policy_version,
                "method": method,
            }
        )

    if is_postgres():
        _delete_pg(category, ids, record)
    else:
        _delete_sqlite(category, ids, record)
    insert_rows(DeletionRecord, records)
    counts: dict[str, int] = {}
    for row in records:
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    return counts


def delete_order_chunk(
    category: str,
    order_ids: list[int],
    *,
    as_of: datetime,
    data_dir: Path,
    run: PurgeRun | None,
    policy_version: str,
    tick: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Delete one session-bound category of these orders where still due and not held.

    Returns deletion records written per category. Without files it is one transaction; with
    files, they are shredded between a check and the transaction that checks again and deletes.
    """
    if is_postgres():
        chunks_pg.fresh_statistics()  # outside the transaction; a no-op while the statistics are fresh
    with write_tx(serialize=ITEM_LOCK):
        plan = plan_orders(category, order_ids, as_of)
        files = chunk_files(category, sorted(plan)) if plan else []
        if plan and not files:
            _clear_problems(category, sorted(plan))
            return _delete_planned(category, plan, run, policy_version)
    if not plan:
        return {}
    problems = shred_files(data_dir, files, tick)
    with write_tx(serialize=ITEM_LOCK):
        note_problems(category, problems)
        left = sorted(set(plan) - set(problems))
        plan = plan_orders(category, left, as_of) if left else {}  # a hold may have come meanwhile
        if not plan:
            return {}
        _clear_problems(category, sorted(plan))
        return _delete_planned(category, plan, run, policy_version)


def delete_row_chunk(
    category: str, item_ids: list[int], *, as_of: datetime, run: PurgeRun | None, policy_version: str
) -> dict[str, int]:
    """Delete these billing records or closed access requests where still due (billing: not held)."""
    model = BillingRecord if category == "billing" else AccessRequest
    owner = BillingRecord.order if model is BillingRecord else Value(None)
    with write_tx(serialize=ITEM_LOCK):
        cursor = run_ids(
            f"rows:{category}",
            lambda o: model.select(model.id, model.ref, model.due_at, owner).where(model.id.in_(o)),
            item_ids,
        )
        found = [
            (row_id, ref, model.due_at.python_value(due), order_id) for row_id, ref, due, order_id in cursor.fetchall()
        ]
        held = _held(sorted({order_id for *_rest, order_id in found if order_id is not None})) if found else set()
        rows = [
            (row_id, ref, due)
            for row_id, ref, due, order_id in found
            if due is not None and due <= as_of and order_id not in held
        ]
        if not rows:
            return {}
        ids = [row_id for row_id, _ref, _due in rows]
        if model is AccessRequest:
            run_ids(
                "delete:exclusions",
                lambda o: AccessRequestExclusion.delete().where(AccessRequestExclusion.request.in_(o)),
                ids,
            )
        run_ids(f"delete:{category}", lambda o: model.delete().where(model.id.in_(o)), ids)
        now, method, run_id = clock.now(), row_method(), run.id if run is not None else None
        insert_rows(
            DeletionRecord,
            [
                {
                    "run": run_id,
                    "category": category,
                    "item_id": row_id,
                    "ref": ref,
                    "due_at": due,
                    "deleted_at": now,
                    "policy_version": policy_version,
                    "method": method,
                }
                for row_id, ref, due in rows
            ],
        )
        return {category: len(rows)}
