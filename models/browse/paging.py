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
