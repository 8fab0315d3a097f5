"""Writing many rows at once: one statement built once, run with `executemany`.

The set-wise domain functions (imports) check every item as the one-at-a-time functions do
and then write through these helpers, so the write costs what the database costs.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from peewee import SQL, Cast, Expression, Field, Model, Value, fn

from models.core.db import database, is_postgres
from models.core.errors import Support24Error

ROWS_PER_EXECUTEMANY = 5000  # bounds the converted parameters held at once
IN_CHUNK = 500  # values per IN list on SQLite (its bound-parameter limit)
PG_IN_CHUNK = 50_000  # values per array parameter on PostgreSQL


class ItemRefused(Support24Error):
    """Item `index` of a batch was refused by a domain rule; the caller's transaction rolls back."""

    def __init__(self, index: int, error: Support24Error) -> None:
        super().__init__(str(error))
        self.index, self.error = index, error
        self.exit_code = error.exit_code


def chunks(items: Sequence[Any], size: int | None = None) -> Iterator[Sequence[Any]]:
    """`items` in slices small enough for one `among` each (PostgreSQL takes any number at once)."""
    size = size or (PG_IN_CHUNK if is_postgres() else IN_CHUNK)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _plain(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def among(column: Field, values: Iterable[Any]) -> Expression:
    """`column IN values`. On PostgreSQL one array parameter (`= ANY(%s)`), on SQLite one JSON
    array (`IN (SELECT value FROM json_each(?))`) for texts and integers: no statement with a
    placeholder per value to build, send and parse (peewee spent more on those than the query)."""
    values = list(values)
    if not values:
        return column.in_(values)
    if not is_postgres():
        if not all(_plain(v) for v in values):
            return column.in_(values)
        return column.in_(SQL("(SELECT value FROM json_each(?))", [json.dumps(values, ensure_ascii=False)]))
    kind = "bigint[]" if all(isinstance(v, int) and not isinstance(v, bool) for v in values) else "text[]"
    return column == fn.ANY(Cast(Value(values, converter=False, unpack=False), kind))


def batch_detail(refs: Sequence[str | None]) -> str:
    """The audit detail of a batch event: how many, and the first and last reference."""
    named = [r for r in refs if r]
    if not named:
        return str(len(refs))
    if len(named) == 1:
        return f"1: {named[0]}"
    return f"{len(refs)}: {named[0]} … {named[-1]}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fields(model: type[Model], names: Sequence[str]) -> list[Field]:
    return [model._meta.fields[name] for name in names]


def insert_rows(
    model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]], *, converted: bool = False
) -> int:
    """INSERT rows of `model` (tuples in the order of the field `names`); values go through each
    field's `db_value` as peewee would convert them, unless they are `converted` already.
    Joins the caller's transaction."""
    fields = _fields(model, names)
    if is_postgres():
        return _copy(model._meta.table_name, fields, rows, converted=converted)
    param = database.obj.param
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        _quote(model._meta.table_name),
        ", ".join(_quote(f.column_name) for f in fields),
        ", ".join([param] * len(fields)),
    )
    return _executemany(sql, fields, rows, converted=converted)


def _copy(table: str, fields: list[Field], rows: Iterable[Sequence[Any]], *, converted: bool) -> int:
    """PostgreSQL: COPY the rows in, one round trip for all of them (row triggers still fire)."""
    converters = [f.db_value for f in fields]
    done = 0
    with database.cursor().copy(_copy_sql(table, [f.column_name for f in fields])) as copy:
        for row in rows:
            copy.write_row(
                row if converted else [convert(value) for convert, value in zip(converters, row, strict=True)]
            )
            done += 1
    return done


def _copy_sql(table: str, columns: Sequence[str]) -> str:
    return "COPY {} ({}) FROM STDIN".format(_quote(table), ", ".join(_quote(c) for c in columns))


def insert_converted(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT rows of values the database takes as they are into `table` (any table, e.g. a
    temporary one): COPY on PostgreSQL, executemany on SQLite."""
    if is_postgres():
        done = 0
        with database.cursor().copy(_copy_sql(table, columns)) as copy:
            for row in rows:
                copy.write_row(row)
                done += 1
        return done
    param = database.obj.param
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        _quote(table), ", ".join(_quote(c) for c in columns), ", ".join([param] * len(columns))
    )
    return _executemany(sql, [], rows, converted=True)


def update_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UPDATE `model` SET the `names` fields WHERE its primary key is the row's last value."""
    fields = _fields(model, names)
    key: Field = model._meta.primary_key
    if is_postgres():
        return _update_from_copy(model, fields, key, rows)
    param = database.obj.param
    sql = "UPDATE {} SET {} WHERE {} = {}".format(
        _quote(model._meta.table_name),
        ", ".join(f"{_quote(f.column_name)} = {param}" for f in fields),
        _quote(key.column_name),
        param,
    )
    return _executemany(sql, [*fields, key], rows)


_UPDATES = "staged_updates"


def _update_from_copy(model: type[Model], fields: list[Field], key: Field, rows: Iterable[Sequence[Any]]) -> int:
    """PostgreSQL: the new values COPYed into a temporary table, then one UPDATE … FROM it
    (one statement instead of one per row). A key given twice keeps its last values, as one
    UPDATE per row in turn would leave it."""
    converters = [f.db_value for f in (*fields, key)]
    latest: dict[Any, tuple[Any, ...]] = {}
    for row in rows:
        converted = tuple(convert(value) for convert, value in zip(converters, row, strict=True))
        latest[converted[-1]] = converted
    if not latest:
        return 0
    table, columns = _quote(model._meta.table_name), [_quote(f.column_name) for f in (*fields, key)]
    database.execute_sql(f"DROP TABLE IF EXISTS {_UPDATES}")
    database.execute_sql(f"CREATE TEMPORARY TABLE {_UPDATES} AS SELECT {', '.join(columns)} FROM {table} WHERE false")
    with database.cursor().copy(_copy_sql(_UPDATES, [f.column_name for f in (*fields, key)])) as copy:
        for values in latest.values():
            copy.write_row(values)
    database.execute_sql(
        "UPDATE {table} AS t SET {sets} FROM {updates} AS u WHERE t.{key} = u.{key}".format(
            table=table,
            sets=", ".join(f"{c} = u.{c}" for c in columns[:-1]),
            updates=_UPDATES,
            key=columns[-1],
        )
    )
    database.execute_sql(f"DROP TABLE {_UPDATES}")
    return len(latest)


def _executemany(sql: str, fields: list[Field], rows: Iterable[Sequence[Any]], *, converted: bool = False) -> int:
    converters = [f.db_value for f in fields]
    done = 0
    batch: list[Sequence[Any]] = []
    cursor = database.cursor()
    for row in rows:
        batch.append(
            row if converted else tuple(convert(value) for convert, value in zip(converters, row, strict=True))
        )
        if len(batch) >= ROWS_PER_EXECUTEMANY:
            cursor.executemany(sql, batch)
            done, batch = done + len(batch), []
    if batch:
        cursor.executemany(sql, batch)
        done += len(batch)
    return done


def ids_by(model: type[Model], column: Field, values: Iterable[Any], *extra: Field) -> dict[Any, Any]:
    """`column` value -> id (or a tuple of id and `extra` columns) for rows whose column is in `values`."""
    wanted = sorted(set(values))
    found: dict[Any, Any] = {}
    key = model._meta.primary_key
    for chunk in chunks(wanted):
        for row in model.select(column, key, *extra).where(among(column, chunk)).tuples():
            found[row[0]] = row[1] if not extra else row[1:]
    return found


# --- Rows that wait in a temporary table for their refs (refs.insert_numbered) --------------

_STAGED_REFS = "staged_refs"
_tags = itertools.count(1)


def _staged_table(model: type[Model]) -> str:
    return f"staged_rows_{model._meta.table_name}"


def stage_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows of `model` (without their refs) into this connection's temporary table for it, in
    the caller's transaction; returns their tag for insert_staged. Keeps them off the heap."""
    fields = _fields(model, names)
    table, columns = _staged_table(model), [f.column_name for f in fields]
    database.execute_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {_quote(table)} AS SELECT CAST(0 AS INTEGER) AS tag, "
        f"CAST(0 AS INTEGER) AS pos, {', '.join(_quote(c) for c in columns)} "
        f"FROM {_quote(model._meta.table_name)} WHERE 1 = 0"
    )
    database.execute_sql(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGED_REFS} (tag INTEGER, pos INTEGER, ref TEXT)")
    tag, converters = next(_tags), [f.db_value for f in fields]
    insert_converted(
        table,
        ("tag", "pos", *columns),
        ((tag, pos, *(convert(v) for convert, v in zip(converters, row, strict=True))) for pos, row in enumerate(rows)),
    )
    return tag


def insert_staged(model: type[Model], names: Sequence[str], batches: Sequence[tuple[int, Sequence[str]]]) -> int:
    """The rows stage_rows kept under each tag of `batches` into `model`, the n-th of a tag with
    its refs[n] as its `ref`, in one INSERT … SELECT (tag by tag, in order); the staged rows are
    dropped."""
    table = _quote(_staged_table(model))
    columns = [_quote(f.column_name) for f in _fields(model, names)]
    expected = sum(len(refs) for _tag, refs in batches)
    if not expected:
        return 0
    insert_converted(
        _STAGED_REFS, ("tag", "pos", "ref"), ((tag, pos, ref) for tag, refs in batches for pos, ref in enumerate(refs))
    )
    tags = ", ".join(str(int(tag)) for tag, _refs in batches)
    cursor = database.execute_sql(
        f"INSERT INTO {_quote(model._meta.table_name)} ({_quote(model._meta.fields['ref'].column_name)}, "
        f"{', '.join(columns)}) SELECT r.ref, {', '.join('t.' + c for c in columns)} FROM {table} t "
        f"JOIN {_STAGED_REFS} r ON r.tag = t.tag AND r.pos = t.pos WHERE t.tag IN ({tags}) ORDER BY t.tag, t.pos"
    )
    if cursor.rowcount != expected:
        raise RuntimeError(f"{cursor.rowcount} staged {model._meta.table_name} rows written, {expected} expected")
    for staged in (table, _STAGED_REFS):
        database.execute_sql(f"DELETE FROM {staged} WHERE tag IN ({tags})")
    return expected
