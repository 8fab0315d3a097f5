"""Statements run thousands of times (the purge, retention sync, billing acknowledgement), compiled once per backend.

Building a peewee query costs more than running it; such statements differ only in the ids
they work on, so each is compiled once with sentinel ids and run with the real ones.
The SQL is still peewee's, so it stays portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from models.core.db import database, is_postgres, is_sqlite

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
    ten times the DELETEs themselves. On PostgreSQL each IN list becomes `= ANY(%s)` with one
    array parameter: one statement for every chunk size, which the server plans once, instead
    of hundreds of parameters to bind and parse per chunk.
    """
    if is_postgres():
        return _run_array(key, build, ids)
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


_cache_array: dict[str, tuple[str, list[Any], list[int]]] = {}


def _run_array(key: str, build: Callable[[list[int]], Any], ids: list[int]) -> Any:
    """PostgreSQL: the statement with `= ANY(%s)` for each IN list of the ids, compiled once per key."""
    entry = _cache_array.get(key)
    if entry is None:
        marks = [SENTINEL - 1, SENTINEL - 2]  # two, so an IN list cannot be mistaken for a plain comparison
        sql, params = build(marks).sql()
        pieces, out_params, positions = [], [], []
        cursor, param_index = 0, 0
        for match in re.finditer(r"%s|IN \((?:%s(?:, %s)*)\)", sql):
            pieces.append(sql[cursor : match.start()])
            cursor = match.end()
            if match.group(0) == "%s":
                out_params.append(params[param_index])
                param_index += 1
                pieces.append("%s")
                continue
            count = match.group(0).count("%s")
            group = params[param_index : param_index + count]
            param_index += count
            if list(group) == marks:
                positions.append(len(out_params))
                out_params.append(None)
                pieces.append("= ANY(%s::bigint[])")  # bound as one literal (below)
            else:  # an IN list of constants: kept as it is
                out_params.extend(group)
                pieces.append(match.group(0))
        pieces.append(sql[cursor:])
        if not positions or param_index != len(params):
            raise ValueError(f"statement {key} does not use the ids as an IN list")
        entry = ("".join(pieces), out_params, positions)
        _cache_array[key] = entry
    sql, params, positions = entry
    bound = list(params)
    literal = array_literal(ids)
    for index in positions:
        bound[index] = literal
    return database.execute_sql(sql, bound)


def array_literal(ids: list[int]) -> str:
    """PostgreSQL's text form of an array of ids: psycopg dumps a list element by element in Python,
    which cost more than the statements of a purge chunk; the server parses this one string."""
    return "{" + ",".join(str(int(value)) for value in ids) + "}"


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
    if is_postgres():  # COPY: one round trip for the whole chunk
        with cursor.copy(f'COPY "{model._meta.table_name}" ({columns}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
        return
    cursor.executemany(sql, values)
