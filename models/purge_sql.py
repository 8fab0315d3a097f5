"""Statements the purge runs thousands of times, compiled once per backend.

Building a peewee query costs more than running it; the purge's per-order statements differ
only in the order id, so each is compiled once with a sentinel id and run with the real one.
The SQL is still peewee's, so it stays portable between SQLite and PostgreSQL.
"""
from __future__ import annotations

from typing import Any, Callable

from .db import database, is_sqlite

SENTINEL = -7_340_021_999  # never a real id
_cache: dict[tuple[str, bool], tuple[str, list[Any], list[int]]] = {}


def run(key: str, build: Callable[[int], Any], order_id: int) -> Any:
    """Execute the statement `build(order_id)` would give, compiled once per (key, backend)."""
    cache_key = (key, is_sqlite())
    entry = _cache.get(cache_key)
    if entry is None:
        sql, params = build(SENTINEL).sql()
        positions = [i for i, value in enumerate(params) if value == SENTINEL]
        if not positions:
            raise ValueError(f"statement {key} does not use the order id")
        entry = (sql, list(params), positions)
        _cache[cache_key] = entry
    sql, params, positions = entry
    bound = list(params)
    for index in positions:
        bound[index] = order_id
    return database.execute_sql(sql, bound)
