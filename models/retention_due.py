"""Due dates per (category, order) under the active policy, kept in the retention_due table.

A policy may give each session-bound category its own period and anchor, so two columns on
the order are not enough: one row per category and order holds the due instant and the
anchors and the fingerprint of the rules it was computed from (a hash of the periods and
anchors, so two policy files with the same rules under different version labels do not make
consoles recompute each other's dates). `sync()` (re)computes stale rows in
batches; orders.py refreshes a single order when its anchors change. The connection
category is the session row itself, which everything else hangs off, so it falls due no
earlier than the last other category of the order (docs/retention.md).
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from peewee import SQL, fn

from .db import write_tx
from .entities import AccessRequest, BillingRecord, Order, RemoteSession, RetentionDue, SchemaMeta
from .policy import Policy, active

# Order-bound categories; "connection" last because deleting the session row ends the rest.
SESSION_CATEGORIES = ("system_info", "gathered_files", "activity", "chat", "video", "connection")
ORDER_ANCHORS = ("order_completed", "order_billed")
VERSION_KEY = "retention_policy_version"
BATCH = 500


def fingerprint(policy: Policy) -> str:
    """What due dates depend on: every rule's anchor, period and rounding (not the version label)."""
    rules = sorted((r.category, r.anchor, r.hours, r.days, r.months, r.years, r.anchor_rounding or "")
                   for r in policy.rules.values())
    return "rules:" + hashlib.sha256(repr(rules).encode()).hexdigest()[:16]


def order_dues(completed_at: datetime, billed_on: date | None, policy: Policy | None = None) -> dict[str, datetime | None]:
    """Due instant per session-bound category of one order; None while the billing date is unknown."""
    p = policy or active()
    dues: dict[str, datetime | None] = {}
    for category in SESSION_CATEGORIES:
        rule = p.rule(category)
        if rule.anchor == "order_completed":
            dues[category] = rule.due_from(completed_at)
        else:
            dues[category] = rule.due_from(billed_on) if billed_on is not None else None
    others = [dues[c] for c in SESSION_CATEGORIES]
    dues["connection"] = None if any(d is None for d in others) else max(d for d in others if d is not None)
    return dues


def _write_order(order_id: int, completed_at: datetime, billed_on: date | None, policy: Policy) -> None:
    RetentionDue.delete().where(RetentionDue.order == order_id).execute()
    rows = [
        {"category": category, "order": order_id, "due_at": due, "completed_at": completed_at,
         "billed_on": billed_on, "policy_version": fingerprint(policy)}
        for category, due in order_dues(completed_at, billed_on, policy).items()
    ]
    RetentionDue.insert_many(rows).execute()


def refresh_order(order: Order, policy: Policy | None = None) -> None:
    """Recompute one order's rows after its completion or billing date was set."""
    if order.completed_at is None:
        return
    with write_tx(serialize="retention_due"):
        _write_order(order.id, order.completed_at, order.billed_on, policy or active())


def _stale_orders(policy: Policy, after_id: int):
    rd = RetentionDue
    current = rd.select(SQL("1")).where(
        (rd.order == Order.id) & (rd.category == "connection") & (rd.policy_version == fingerprint(policy))
        & (rd.completed_at == Order.completed_at)
        & ((rd.billed_on == Order.billed_on) | (rd.billed_on.is_null() & Order.billed_on.is_null()))
    )
    has_sessions = RemoteSession.select(SQL("1")).where(RemoteSession.order == Order.id)
    return (Order.select(Order.id, Order.completed_at, Order.billed_on)
            .where(Order.completed_at.is_null(False) & (Order.id > after_id) & fn.EXISTS(has_sessions)
                   & ~fn.EXISTS(current))
            .order_by(Order.id).limit(BATCH))


def _recompute_own_columns(policy: Policy) -> None:
    """Billing records and closed access requests carry their own due_at: recompute on a new version."""
    billing = policy.rule("billing")
    days = [row.session_date for row in BillingRecord.select(BillingRecord.session_date).distinct()]
    for day in days:  # one update per calendar day, not per record
        BillingRecord.update(due_at=billing.due_from(day)).where(BillingRecord.session_date == day).execute()
    rule = policy.rule("access_requests")
    last = 0
    while True:
        rows = list(AccessRequest.select(AccessRequest.id, AccessRequest.closed_at)
                    .where(AccessRequest.closed_at.is_null(False) & (AccessRequest.id > last))
                    .order_by(AccessRequest.id).limit(BATCH))
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

    Cheap when nothing is stale: one anti-join over completed orders per batch.
    """
    p = policy or active()
    mark = fingerprint(p)
    if stored_version() != mark:
        with write_tx(serialize="retention_due"):
            _recompute_own_columns(p)
            SchemaMeta.insert(key=VERSION_KEY, value=mark).on_conflict(
                conflict_target=[SchemaMeta.key], update={SchemaMeta.value: mark}).execute()
    done, after = 0, 0
    while True:
        with write_tx(serialize="retention_due"):
            rows = list(_stale_orders(p, after))
            for row in rows:
                _write_order(row.id, row.completed_at, row.billed_on, p)
        if not rows:
            return done
        done += len(rows)
        after = rows[-1].id
