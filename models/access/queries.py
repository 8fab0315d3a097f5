"""The access-request queue: nearest deadline first, computed and paged in SQL (keyset)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from peewee import Case, fn

from models.browse.paging import SortKey, keyset
from models.core import clock, validation
from models.core.entities import ACCESS_STATES, AccessRequest
from models.core.errors import ValidationError
from models.core.i18n import N_, _
from models.core.text import fold

OPEN_STATES = ("received", "verified", "compiled", "reviewed")  # the rest of ACCESS_STATES are closed
STATE_FILTERS = ACCESS_STATES + ("open", "closed")
MAX_LIMIT = 500
#: the queue's orders; ties by ref (unique). The deadline in force is COALESCE(extended, due).
REQUEST_SORTS = (
    SortKey("due", N_("deadline")),
    SortKey("received", N_("received"), descending=True),
    SortKey("ref", N_("request ref")),
)


@dataclass(frozen=True)
class RequestRow:
    """One line of the queue: what the officer needs to see to pick the next request."""

    ref: str
    name: str
    received_on: date
    due_on: date  # the deadline in force (extended if so)
    extended: bool
    days_left: int
    overdue: bool
    state: str

    @property
    def cursor(self) -> tuple[date, str]:
        """Pass as `after=` to get the next page."""
        return (self.due_on, self.ref)

    def as_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "name": self.name,
            "received_on": self.received_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "extended": self.extended,
            "days_left": self.days_left,
            "overdue": self.overdue,
            "state": self.state,
        }


@dataclass(frozen=True)
class OpenSummary:
    """For the dashboard: how many requests are open, how many overdue, and the nearest deadline."""

    open_count: int
    overdue_count: int
    nearest_due_on: date | None
    nearest_ref: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "open": self.open_count,
            "overdue": self.overdue_count,
            "nearest_due_on": self.nearest_due_on.isoformat() if self.nearest_due_on else None,
            "nearest_ref": self.nearest_ref,
        }


def _due_expression():
    return fn.COALESCE(AccessRequest.extended_due_on, AccessRequest.due_on)


def _state_condition(state: str | None):
    if state is None:
        return None
    state = validation.choice("state", state, STATE_FILTERS)
    if state == "open":
        return AccessRequest.state.in_(OPEN_STATES)
    if state == "closed":
        return AccessRequest.state.not_in(OPEN_STATES)
    return AccessRequest.state == state


def _as_day(value: object) -> date:
    """COALESCE of two date columns comes back as text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def list_requests(
    *,
    state: str | None = None,
    after: RequestRow | tuple[date, str] | None = None,
    limit: int = 50,
    text: str = "",
    by_name: bool = False,
    sort: str = "due",
    descending: bool = False,
) -> list[RequestRow]:
    """A page of requests ordered by the deadline in force (or `sort`: received, ref), then ref;
    `after` is the last row seen, or its request_key under that sort."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("limit", _("must be between 1 and {n}").format(n=MAX_LIMIT))
    due = _due_expression()
    query = AccessRequest.select(
        AccessRequest.ref,
        AccessRequest.name,
        AccessRequest.received_on,
        AccessRequest.state,
        AccessRequest.extended_due_on,
        due.alias("due"),
    )
    condition = _state_condition(state)
    if condition is not None:
        query = query.where(condition)
    if text.strip():  # the `/` filter: the start of the ref, or of the (folded) name for those who may see names
        matches = AccessRequest.ref.startswith(text.strip().upper())
        if by_name:
            matches = matches | AccessRequest.name_key.startswith(fold(text))
        query = query.where(matches)
    if isinstance(after, RequestRow):
        after = request_key(sort)(after)
    column = {"due": due, "received": AccessRequest.received_on, "ref": AccessRequest.ref}[sort]
    today = clock.today_berlin()
    rows = []
    for r in keyset(query, column, AccessRequest.ref, descending, after).limit(limit).dicts():
        day = _as_day(r["due"])
        left = (day - today).days
        rows.append(
            RequestRow(
                ref=r["ref"],
                name=r["name"],
                received_on=r["received_on"],
                due_on=day,
                extended=r["extended_due_on"] is not None,
                days_left=left,
                overdue=left < 0 and r["state"] in OPEN_STATES,
                state=r["state"],
            )
        )
    return rows


def request_key(sort: str = "due") -> Callable[[RequestRow], tuple[Any, str]]:
    """The keyset key of a row under `sort`: (sort value, ref), to pass back as `after`."""
    if sort == "received":
        return lambda row: (row.received_on, row.ref)
    if sort == "ref":
        return lambda row: (row.ref, row.ref)
    return lambda row: row.cursor


def open_requests_summary() -> OpenSummary:
    """Counts and the nearest deadline of the open requests, in two small queries."""
    due = _due_expression()
    is_open = AccessRequest.state.in_(OPEN_STATES)
    today = clock.today_berlin()
    row = (
        AccessRequest.select(
            fn.COUNT(AccessRequest.id).alias("n"), fn.SUM(Case(None, [(due < today, 1)], 0)).alias("late")
        )
        .where(is_open)
        .dicts()
        .get()
    )
    nearest = (
        AccessRequest.select(AccessRequest.ref, due.alias("due"))
        .where(is_open)
        .order_by(due, AccessRequest.ref)
        .limit(1)
        .dicts()
        .first()
    )
    return OpenSummary(
        open_count=int(row["n"] or 0),
        overdue_count=int(row["late"] or 0),
        nearest_due_on=_as_day(nearest["due"]) if nearest else None,
        nearest_ref=nearest["ref"] if nearest else None,
    )
