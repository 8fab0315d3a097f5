"""Read-side queries for the console's lists: keyset-paged, over indexed columns.

Every list function takes `after` (the key of the last row already shown, or None) and
`limit`, and returns a Page of plain frozen rows, so the UI never runs a query and
never loads an unbounded list. The key of a row is its sort key; `Page.after` is the
key to pass for the next page, or None at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Row = TypeVar("Row")
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: Sequence[Row]
    after: tuple[Any, ...] | None  # pass back to get the next page; None when this is the last


def clamp(limit: int) -> int:
    """Limits come from the UI; never more than MAX_LIMIT rows per query."""
    return max(1, min(int(limit), MAX_LIMIT))


def page_of(rows: list[Row], limit: int, key: Any) -> Page[Row]:
    """Rows fetched with limit+1: the extra row only says that there is more."""
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, key(rows[-1]) if more and rows else None)


# -- filter and sort of a list (the `/` and `o` keys) ----------------------------------------
@dataclass(frozen=True)
class ListQuery:
    """What a list is filtered and sorted by; passed to its page function with `after` and `limit`."""

    text: str = ""  # the `/` filter: matched by the list's own indexed prefixes
    sort: str = ""  # one of the list's SortKey names; empty: its first
    descending: bool | None = None  # None: the sort's own direction


@dataclass(frozen=True)
class SortKey:
    """One way a list can be sorted: an indexed column (ties broken by id), in its natural direction."""

    name: str
    label: str  # N_: shown as "sorted by …"
    descending: bool = False


def chosen_sort(sorts: Sequence[SortKey], query: ListQuery | None) -> tuple[SortKey, bool]:
    """The sort a query asks for (the first if it names none or an unknown one) and its direction."""
    wanted = query.sort if query is not None else ""
    sort = next((item for item in sorts if item.name == wanted), sorts[0])
    descending = sort.descending if query is None or query.descending is None else query.descending
    return sort, descending


def keyset(query: Any, column: Any, ident: Any, descending: bool, after: tuple[Any, ...] | None) -> Any:
    """`query` ordered by (column, id) in one direction, continuing after the row `after` = (value, id).

    The column must be indexed and NOT NULL, so that (value, id) is a total order and the next
    page starts exactly where the last one ended, on SQLite and PostgreSQL alike.
    """
    if after is not None:
        value, last = after
        if descending:
            query = query.where((column < value) | ((column == value) & (ident < last)))
        else:
            query = query.where((column > value) | ((column == value) & (ident > last)))
    return query.order_by(column.desc(), ident.desc()) if descending else query.order_by(column, ident)
