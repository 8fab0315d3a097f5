"""Statements the purge runs thousands of times, compiled once per backend.

Building a peewee query costs more than running it; the purge's per-order statements differ
only in the order id, so each is compiled once with a sentinel id and run with the real one.
The SQL is still peewee's, so it stays portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.core.db import database, is_sqlite

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


def run_ids(key: str, build: Callable[[list[int]], Any], ids: list[int]) -> Any:
    """Execute `build(ids)` for a chunk of ids, compiled once per (key, backend, len(ids)).

    A chunk's IN list has hundreds of parameters; building that in peewee for every chunk cost
    ten times the DELETEs themselves.
    """
    cache_key = (f"{key}#{len(ids)}", is_sqlite())
    entry = _cache_ids.get(cache_key)
    if entry is None:
        marks = [SENTINEL - n for n in range(len(ids))]
        sql, params = build(marks).sql()
        where = {value: n for n, value in enumerate(marks)}
        positions = [(i, where[value]) for i, value in enumerate(params) if value in where]
        if len(positions) < len(ids):
            raise ValueError(f"statement {key} does not use every id")
        _cache_ids[cache_key] = (sql, list(params), positions)
        entry = _cache_ids[cache_key]
    sql, params, positions = entry
    bound = list(params)
    for index, n in positions:
        bound[index] = ids[n]
    return database.execute_sql(sql, bound)


_cache_ids: dict[tuple[str, bool], tuple[str, list[Any], list[tuple[int, int]]]] = {}


def insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """One INSERT run for many rows (executemany), each value converted by its field as peewee would."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.fields[name] for name in names]
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    marks = ", ".join([database.param] * len(fields))
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    memo: dict[tuple[int, Any], Any] = {}  # a chunk repeats its run, time and due dates: convert each once

    def convert(n: int, value: Any) -> Any:
        key = (n, value)
        if key not in memo:
            memo[key] = fields[n].db_value(value)
        return memo[key]

    values = [[convert(n, row[name]) for n, name in enumerate(names)] for row in rows]
    cursor = database.cursor()
    cursor.executemany(sql, values)
