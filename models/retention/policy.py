"""The retention policy as data (DESIGN.md §4) and the due dates it gives.

The console loads the policy file (console/settings/policy_file.py) and activates it here; models
use `active()` so every due date comes from one place. Periods of hours are exact; months
and years count on the Berlin calendar with `relativedelta` (month ends clamp).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from models.core.clock import berlin_date, berlin_midnight_utc

CATEGORIES = ("system_info", "gathered_files", "connection", "activity", "chat", "video", "billing", "access_requests")
ANCHORS = ("order_completed", "order_billed", "session_date", "request_closed")


@dataclass(frozen=True)
class Rule:
    category: str
    anchor: str
    clause: str
    hours: int = 0
    days: int = 0
    months: int = 0
    years: int = 0
    anchor_rounding: str | None = None  # None or "end_of_year"

    def due_from(self, anchor: datetime | date) -> datetime:
        """The UTC instant at which an item anchored at `anchor` becomes due."""
        if isinstance(anchor, datetime) and not (self.months or self.years or self.anchor_rounding):
            return anchor + timedelta(hours=self.hours, days=self.days)
        return _calendar_due(self, anchor if not isinstance(anchor, datetime) else berlin_date(anchor))

    def describe(self) -> str:
        parts = []
        for amount, unit in (
            (self.years, "years"),
            (self.months, "months"),
            (self.days, "days"),
            (self.hours, "hours"),
        ):
            if amount:
                parts.append(f"{amount} {unit}")
        rounding = " (from the end of the calendar year)" if self.anchor_rounding == "end_of_year" else ""
        return f"{' '.join(parts)} after {self.anchor.replace('_', ' ')}{rounding}"


@lru_cache(maxsize=8192)
def _calendar_due(rule: Rule, day: date) -> datetime:
    """Rule.due_from for a calendar rule, once per rule and day (a batch's anchors share days;
    relativedelta is the costly part of a large import's completion)."""
    start = date(day.year + 1, 1, 1) if rule.anchor_rounding == "end_of_year" else day
    due_day = start + relativedelta(years=rule.years, months=rule.months, days=rule.days)
    return berlin_midnight_utc(due_day) + timedelta(hours=rule.hours)


def _default_rules() -> dict[str, Rule]:
    rules = [
        Rule("system_info", "order_completed", "P7", hours=48),
        Rule("gathered_files", "order_completed", "P7", hours=48),
        Rule("connection", "order_billed", "P8", months=3),
        Rule("activity", "order_billed", "P8", months=3),
        Rule("chat", "order_billed", "P8", months=3),
        Rule("video", "order_billed", "P8", months=3),
        Rule("billing", "session_date", "P10", years=11),
        Rule("access_requests", "request_closed", "Art. 5(2) GDPR", years=3),
    ]
    return {rule.category: rule for rule in rules}


@dataclass(frozen=True)
class Policy:
    version: str = "builtin-2026-1"
    rules: dict[str, Rule] = field(default_factory=_default_rules)
    unbilled_warning_days: int = 45
    backup_rotation_days: int = 30

    def rule(self, category: str) -> Rule:
        return self.rules[category]


_active: list[Policy] = [Policy()]


def active() -> Policy:
    return _active[0]


def activate(policy: Policy) -> None:
    _active[0] = policy


def order_gathered_due(completed_at: datetime, policy: Policy | None = None) -> datetime:
    """P7: when system information and gathered files of a completed order fall due."""
    p = policy or active()
    return min(p.rule("system_info").due_from(completed_at), p.rule("gathered_files").due_from(completed_at))


def order_records_due(billed_on: date, policy: Policy | None = None) -> datetime:
    """P8: when connection data, activity, chat and video of a billed order fall due."""
    p = policy or active()
    rules = [p.rule(c) for c in ("connection", "activity", "chat", "video")]
    return min(_due(rule, billed_on) for rule in rules)


def _due(rule: Rule, anchor: datetime | date) -> datetime:
    return rule.due_from(anchor)


def billing_due(session_date: date, policy: Policy | None = None) -> datetime:
    """P10: when a billing record falls due, 11 years from the session date by default."""
    return (policy or active()).rule("billing").due_from(session_date)
