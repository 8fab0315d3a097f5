"""Due dates per (category, order) under the active policy, kept in the retention_due table.

A policy may give each session-bound category its own period and anchor, so two columns on
the order are not enough: one row per category and order holds the due instant and the
anchors and the fingerprint of the rules it was computed from (a hash of the periods and
anchors, so two policy files with the same rules under different version labels do not make
consoles recompute each other's dates). `sync()` (re)computes stale rows in
batches; orders.py refreshes a single order when its anchors change. The connection
category is the session row itself, which everything else hangs off, so it falls due no
earlier than the last other category of the order (docs/retention.md).

A row exists only while the order holds data of its category: it is written at completion
for the categories present, added by `note_data()` when data arrives for a completed order,
and deleted by the purge with the data. So the queue counts index ranges instead of asking
each row whether its data still exists.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from peewee import SQL, fn

from models.core.bulk_rows import among, insert_rows
from models.core.compiled import run_ids
from models.core.db import database, is_postgres, lock_key, write_tx
from models.core.entities import (
    AccessRequest,
    ActivityEvent,
    BillingRecord,
    ChatMessage,
    GatheredFile,
    Order,
    Recording,
    RemoteSession,
    RetentionDue,
    RetentionStale,
    SchemaMeta,
    SystemInfo,
)
from models.retention import due_counts
from models.retention.holds import ITEM_LOCK
from models.retention.policy import Policy, active
from models.retention.states import SESSION_CATEGORIES  # the purge and the demo import it from here too

ORDER_ANCHORS = ("order_completed", "order_billed")
VERSION_KEY = "retention_policy_version"
BATCH = 500
DATA_TABLES = {
    "system_info": SystemInfo,
    "gathered_files": GatheredFile,
    "activity": ActivityEvent,
    "chat": ChatMessage,
    "video": Recording,
}


def fingerprint(policy: Policy) -> str:
    """What due dates depend on: every rule's anchor, period and rounding (not the version label)."""
    rules = sorted(
        (r.category, r.anchor, r.hours, r.days, r.months, r.years, r.anchor_rounding or "")
        for r in policy.rules.values()
    )
    return "rules:" + hashlib.sha256(repr(rules).encode()).hexdigest()[:16]


def order_dues(
    completed_at: datetime,
    billed_on: date | None,
    policy: Policy | None = None,
    memo: dict[tuple[Any, ...], datetime | None] | None = None,
) -> dict[str, datetime | None]:
    """Due instant per session-bound category of one order; None while the billing date is unknown.

    `memo` keeps computed dates across the orders of one batch (they share billing days)."""
    p = policy or active()
    memo = {} if memo is None else memo
    dues: dict[str, datetime | None] = {}
    for category in SESSION_CATEGORIES:
        rule = p.rule(category)
        anchor = completed_at if rule.anchor == "order_completed" else billed_on
        key = (rule.anchor, rule.hours, rule.days, rule.months, rule.years, rule.anchor_rounding, anchor)
        if key not in memo:
            memo[key] = rule.due_from(anchor) if anchor is not None else None
        dues[category] = memo[key]
    others = [dues[c] for c in SESSION_CATEGORIES]
    dues["connection"] = None if any(d is None for d in others) else max(d for d in others if d is not None)
    return dues


def has_data(category: str, order_column: Any) -> Any:
    """SQL: the order still holds data of this session-bound category."""
    if category == "connection":
        return fn.EXISTS(RemoteSession.select(SQL("1")).where(RemoteSession.order == order_column))
    table = DATA_TABLES[category]
    return fn.EXISTS(
        table.select(SQL("1"))
        .join(RemoteSession, on=(table.session == RemoteSession.id))
        .where(RemoteSession.order == order_column)
    )


def drop_rows_without_data() -> int:
    """Schema 2: databases written before rows became sparse lose the rows of absent categories."""
    removed = 0
    for category in SESSION_CATEGORIES:
        rd = RetentionDue
        removed += rd.delete().where((rd.category == category) & ~has_data(category, rd.order)).execute()
    return removed


def present_categories(order_ids: list[int]) -> dict[int, set[str]]:
    """The session-bound categories each order holds data of: one indexed query per category."""
    found: dict[int, set[str]] = {order_id: set() for order_id in order_ids}
    if not order_ids:
        return found
    rs = RemoteSession
    for (order_id,) in rs.select(rs.order).where(among(rs.order, order_ids)).distinct().tuples():
        found[order_id].add("connection")
    for category, table in DATA_TABLES.items():
        has = table.select(SQL("1")).where(table.session == rs.id)
        query = rs.select(rs.order).where(among(rs.order, order_ids) & fn.EXISTS(has)).distinct()
        for (order_id,) in query.tuples():
            found[order_id].add(category)
    return found


def _rows(
    order_id: int,
    completed_at: datetime,
    billed_on: date | None,
    policy: Policy,
    present: set[str],
    memo: dict[tuple[Any, ...], datetime | None] | None = None,
    mark: str | None = None,
) -> list[dict]:
    mark = mark or fingerprint(policy)
    return [
        {
            "category": category,
            "order": order_id,
            "due_at": due,
            "completed_at": completed_at,
            "billed_on": billed_on,
            "policy_version": mark,
        }
        for category, due in order_dues(completed_at, billed_on, policy, memo).items()
        if category in present
    ]


_COLUMNS = ("category", "order", "due_at", "completed_at", "billed_on", "policy_version")


def _write_orders(orders: list[tuple[int, datetime, date | None]], policy: Policy) -> None:
    """Replace the rows of these completed orders, for the categories each still holds."""
    ids = [order_id for order_id, _completed, _billed in orders]
    # A row exists only while its order holds data of its category (see the module docstring),
    # so the rows an order has say what it holds; only orders without rows are asked.
    # The id lists go through run_ids: building a 500-id IN list in peewee cost more than the statement.
    present: dict[int, set[str]] = {}
    rd = RetentionDue
    found = run_ids("due:categories", lambda o: rd.select(rd.order, rd.category).where(rd.order.in_(o)), ids)
    for order_id, category in found.fetchall():
        present.setdefault(order_id, set()).add(category)
    present.update(present_categories([order_id for order_id in ids if order_id not in present]))
    _unmark(ids)
    memo: dict[tuple[Any, ...], datetime | None] = {}
    mark = fingerprint(policy)
    # values converted here, each distinct one once: an order's anchors repeat per row, due dates per batch
    stored: dict[object, object] = {}

    def db(field: Any, value: object) -> object:
        key = (field.name, value)
        if key not in stored:
            stored[key] = field.db_value(value)
        return stored[key]

    rows = []
    for order_id, completed, billed in orders:
        anchors = (db(rd.completed_at, completed), db(rd.billed_on, billed))
        for category, due in order_dues(completed, billed, policy, memo).items():
            if category in present[order_id]:
                rows.append((category, order_id, db(rd.due_at, due), *anchors, mark))
    with due_counts.counted_in_bulk(ids):
        run_ids("due:delete", lambda o: rd.delete().where(rd.order.in_(o)), ids)
        insert_rows(RetentionDue, _COLUMNS, rows, converted=True)


def _unmark(ids: list[int]) -> None:
    run_ids("due:unmark", lambda o: RetentionStale.delete().where(RetentionStale.order_id.in_(o)), ids)


def refresh_order(order: Order, policy: Policy | None = None) -> None:
    """Recompute one order's rows after its completion or billing date was set."""
    if order.completed_at is None:
        return
    with write_tx(serialize="retention_due"):
        _write_orders([(order.id, order.completed_at, order.billed_on)], policy or active())


def refresh_orders(orders: list[Order], policy: Policy | None = None) -> None:
    """refresh_order for many orders at once (set-wise writers), in batches."""
    done = [(o.id, o.completed_at, o.billed_on) for o in orders if o.completed_at is not None]
    if not done:
        return
    p = policy or active()
    with write_tx(serialize="retention_due"):
        for start in range(0, len(done), BATCH):
            _write_orders(done[start : start + BATCH], p)


def note_data_many(order_ids: set[int], category: str) -> None:
    """note_data for data of `category` arriving for many orders at once."""
    if not order_ids:
        return
    ids = sorted(order_ids)
    completed = []
    for start in range(0, len(ids), BATCH):
        query = Order.select(Order.id, Order.completed_at, Order.billed_on).where(
            among(Order.id, ids[start : start + BATCH]) & Order.completed_at.is_null(False)
        )
        if is_postgres():
            query = query.for_update("FOR SHARE")
        completed.extend(query)
    if not completed:
        return
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key(ITEM_LOCK),))
    policy = active()
    wanted = {category} if category == "connection" else {category, "connection"}
    for start in range(0, len(completed), BATCH):
        chunk = completed[start : start + BATCH]
        have: dict[int, set[str]] = {o.id: set() for o in chunk}
        for order_id, cat in (
            RetentionDue.select(RetentionDue.order, RetentionDue.category)
            .where(among(RetentionDue.order, [o.id for o in chunk]))
            .tuples()
        ):
            have[order_id].add(cat)
        rows = [
            row
            for o in chunk
            if category not in have[o.id]
            for row in _rows(o.id, o.completed_at, o.billed_on, policy, wanted - have[o.id])
        ]
        insert_rows(RetentionDue, _COLUMNS, ([row[c] for c in _COLUMNS] for row in rows))


def note_data(order_id: int, category: str) -> None:
    """Data of `category` is about to be written for this order, inside the caller's transaction.

    Once the order is completed the category must be in the queue, or the data would never
    fall due. Called before the data row is inserted: on PostgreSQL the share lock on the
    order waits for a completion in progress, and the purge's item lock for a purge of this
    order, so neither can miss the new row (SQLite has one writer at a time anyway).
    """
    query = Order.select(Order.completed_at, Order.billed_on).where(Order.id == order_id)
    if is_postgres():
        query = query.for_update("FOR SHARE")
    order = query.first()
    if order is None or order.completed_at is None:
        return
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key(ITEM_LOCK),))
    exists = RetentionDue.select(SQL("1")).where((RetentionDue.order == order_id) & (RetentionDue.category == category))
    if exists.exists():
        return
    policy = active()
    wanted = {category} if category == "connection" else {category, "connection"}
    have = {c for (c,) in RetentionDue.select(RetentionDue.category).where(RetentionDue.order == order_id).tuples()}
    rows = _rows(order_id, order.completed_at, order.billed_on, policy, wanted - have)
    if rows:
        RetentionDue.insert_many(rows).execute()


def _stale_orders(policy: Policy):
    """Completed orders with sessions whose connection row is missing or was computed from other
    anchors or rules: a scan of every completed order, for a new policy and schema migration."""
    rd = RetentionDue
    current = rd.select(SQL("1")).where(
        (rd.order == Order.id)
        & (rd.category == "connection")
        & (rd.policy_version == fingerprint(policy))
        & (rd.completed_at == Order.completed_at)
        & ((rd.billed_on == Order.billed_on) | (rd.billed_on.is_null() & Order.billed_on.is_null()))
    )
    has_sessions = RemoteSession.select(SQL("1")).where(RemoteSession.order == Order.id)
    return Order.select(Order.id).where(
        Order.completed_at.is_null(False) & fn.EXISTS(has_sessions) & ~fn.EXISTS(current)
    )


def mark_stale(policy: Policy | None = None) -> int:
    """Mark every order whose rows do not match its anchors and the policy (one set-wise scan)."""
    query = _stale_orders(policy or active())
    return RetentionStale.insert_from(query, [RetentionStale.order_id]).on_conflict_ignore().execute() or 0


def _recompute_own_columns(policy: Policy) -> None:
    """Billing records and closed access requests carry their own due_at: recompute on a new version."""
    billing = policy.rule("billing")
    days = [row.session_date for row in BillingRecord.select(BillingRecord.session_date).distinct()]
    for day in days:  # one update per calendar day, not per record
        BillingRecord.update(due_at=billing.due_from(day)).where(BillingRecord.session_date == day).execute()
    rule = policy.rule("access_requests")
    last = 0
    while True:
        rows = list(
            AccessRequest.select(AccessRequest.id, AccessRequest.closed_at)
            .where(AccessRequest.closed_at.is_null(False) & (AccessRequest.id > last))
            .order_by(AccessRequest.id)
            .limit(BATCH)
        )
        if not rows:
            break
        for row in rows:
            AccessRequest.update(due_at=rule.due_from(row.closed_at)).where(AccessRequest.id == row.id).execute()
        last = rows[-1].id


def stored_version() -> str | None:
    row = SchemaMeta.get_or_none(SchemaMeta.key == VERSION_KEY)
    return row.value if row else None


def sync(policy: Policy | None = None) -> int:
    """Bring every due date up to the active policy; returns how many orders were (re)computed.

    Works on the orders marked stale (models/retention/stale.py): cheap when nothing changed,
    proportional to what did otherwise. A new policy marks every order whose rows it changes,
    in the same transaction that records the policy, so an interrupted sync resumes.
    """
    p = policy or active()
    mark = fingerprint(p)
    if stored_version() != mark:
        with write_tx(serialize="retention_due"):
            _recompute_own_columns(p)
            mark_stale(p)
            SchemaMeta.insert(key=VERSION_KEY, value=mark).on_conflict(
                conflict_target=[SchemaMeta.key], update={SchemaMeta.value: mark}
            ).execute()
    done, after = 0, -1
    has_sessions = RemoteSession.select(SQL("1")).where(RemoteSession.order == Order.id)
    while True:
        with write_tx(serialize="retention_due"):
            ids = [
                order_id
                for (order_id,) in RetentionStale.select(RetentionStale.order_id)
                .where(RetentionStale.order_id > after)
                .order_by(RetentionStale.order_id)
                .limit(BATCH)
                .tuples()
            ]
            if ids:
                found = run_ids(
                    "due:stale-orders",
                    lambda o: Order.select(Order.id, Order.completed_at, Order.billed_on).where(
                        Order.id.in_(o) & Order.completed_at.is_null(False) & fn.EXISTS(has_sessions)
                    ),
                    ids,
                )
                rows: list[tuple[int, datetime, date | None]] = [
                    (order_id, Order.completed_at.python_value(completed), Order.billed_on.python_value(billed))  # type: ignore[misc]  # completed_at IS NOT NULL above
                    for order_id, completed, billed in found.fetchall()
                ]
                if rows:
                    _write_orders(rows, p)
                _unmark(ids)
        if not ids:
            return done
        done += len(rows)
        after = ids[-1]
