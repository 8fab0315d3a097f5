"""An access request's compiled matches page by keyset in memory: every match once, either way, filtered."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from models.access.matching import MATCH_KINDS, Match, Reason
from models.access.requests import Compilation
from models.browse.access import match_key, matches_page
from models.browse.paging import ListQuery
from tests.test_browse_sorts import walk


def compilation(n: int) -> Compilation:
    matches = [
        Match(MATCH_KINDS[i % 3], i, f"R-{i % 5}", f"record {i}", [Reason("name", "Weber" if i % 2 else "Maier")])
        for i in range(n)
    ]
    matches.sort(key=match_key("kind"))  # as find_matches returns them
    return Compilation("AR-2026-0001", "Erika Weber", datetime(2026, 11, 24, tzinfo=timezone.utc), matches)


def test_every_match_once_by_each_sort_either_way_and_filtered() -> None:
    c = compilation(23)

    def ids(q: ListQuery, limit: int) -> list[int]:
        rows: list[Any] = walk(lambda after, n, query: matches_page(c, after, n, query), q, limit=limit)
        return [m.id for m in rows]

    by_kind = [m.id for m in c.matches]
    by_ref = [m.id for m in sorted(c.matches, key=match_key("ref"))]
    for limit in (1, 2, 5, 50):
        assert ids(ListQuery(), limit) == by_kind
        assert ids(ListQuery(descending=True), limit) == by_kind[::-1]
        assert ids(ListQuery(sort="ref"), limit) == by_ref
        assert ids(ListQuery(sort="ref", descending=True), limit) == by_ref[::-1]
    weber = [m.id for m in c.matches if m.reasons[0].value == "Weber"]
    assert ids(ListQuery(text="weber"), 2) == weber
    assert matches_page(c, None, 10, ListQuery(text="nobody")).rows == []
