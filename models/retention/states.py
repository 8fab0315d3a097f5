"""The states of the retention queue and the rule that gives a row its state.

Kept apart from the queue's paging (queue.py) and the due dates (due.py) so that the summary
(summary.py), which the dashboard reads at start, imports neither.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Order-bound categories; "connection" last because deleting the session row ends the rest.
SESSION_CATEGORIES = ("system_info", "gathered_files", "activity", "chat", "video", "connection")
STATES = ("scheduled", "due", "overdue", "held", "blocked")
OVERDUE_AFTER = timedelta(hours=24)  # the timer runs every few minutes; a day late means trouble


def state_of(due: datetime | None, blocked_since: datetime | None, at: datetime, late: datetime, warn: datetime) -> str:
    """The state a row would have without its hold, as queue._state() computes it in SQL."""
    if due is None:
        return "blocked" if blocked_since is not None and blocked_since <= warn else "scheduled"
    return "overdue" if due <= late else "due" if due <= at else "scheduled"
