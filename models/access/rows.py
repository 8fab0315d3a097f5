"""Reading many rows fast for the access report and its matching: raw database rows, converted
only where the raw value is not the Python one, the SQL of long IN lists built once.

Peewee builds a 500-id IN list far slower than the database answers it, and turns every
column of every row through its field; a report of tens of thousands of records runs
hundreds of such queries, so these helpers skip both costs and keep the same values.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timezone
from typing import Any

from peewee import BooleanField, DateField

from models.core.clock import berlin_day_of
from models.core.db import database, is_postgres
from models.core.fields import UTCDateTimeField

_SQLITE_WIDTH = len("2026-11-24 09:00:00.000000")  # fields._SQLITE_FORMAT


def _as_day(value: Any) -> Any:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value


def _instant(field: UTCDateTimeField) -> Callable[[Any], Any]:
    """SQLite's fixed-width naive UTC text parses straight to an aware UTC datetime (several times
    faster than parsing and then replacing the zone); anything else goes through the field."""

    def convert(value: Any) -> Any:
        if isinstance(value, str) and len(value) == _SQLITE_WIDTH:
            return datetime.fromisoformat(value + "+00:00")
        return field.python_value(value)

    return convert


def converter(column: Any) -> Callable[[Any], Any]:
    """How a raw database value of `column` becomes the Python value (identity if it is one already)."""
    return _converter(column) or (lambda value: value)


def _converter(column: Any) -> Callable[[Any], Any] | None:
    """How a raw database value of `column` becomes the Python value (None: it is one already)."""
    if isinstance(column, UTCDateTimeField):
        return _instant(column)
    if isinstance(column, DateField):
        return _as_day
    if isinstance(column, BooleanField):
        return lambda v: None if v is None else bool(v)
    return None


_BERLIN_DAYS: dict[str, str] = {}  # "YYYY-MM-DD HH" (UTC) -> the Berlin day, YYYY-MM-DD


def berlin_day(value: Any) -> str:
    """The Berlin day (YYYY-MM-DD) of a raw instant as the database returns it.

    SQLite's fixed-width UTC text is looked up by its date and hour: Berlin's offset is a whole
    number of hours and changes only on the full hour (01:00 UTC), so the day follows from them."""
    if isinstance(value, str) and len(value) == _SQLITE_WIDTH:
        hour = value[:13]
        day = _BERLIN_DAYS.get(hour)
        if day is None:
            day = _BERLIN_DAYS[hour] = berlin_day_of(datetime.fromisoformat(hour + ":00:00+00:00"))
        return day
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return berlin_day_of(value)


def day_text(value: Any) -> str:
    """A raw stored day as YYYY-MM-DD (SQLite returns the text itself, PostgreSQL a date)."""
    return value[:10] if isinstance(value, str) else value.isoformat()


def raw(query: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of a peewee select as the driver returns them, nothing converted."""
    return iter(database.execute(query))


def converted(query: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of a peewee select as tuples, raw except for instants, days and booleans."""
    convert = [(n, c) for n, c in enumerate(_converter(column) for column in query._returning) if c is not None]
    for row in database.execute(query):
        if convert:
            row = list(row)
            for n, function in convert:
                row[n] = function(row[n])
        yield tuple(row)


def named(query: Any) -> Iterator[Any]:
    """As `converted`, as named tuples with the selected columns' names."""
    make = namedtuple("Row", [column.name for column in query._returning])._make
    return map(make, converted(query))


ARRAY_CHUNK = 5000  # ids per array parameter on PostgreSQL


def in_ids(count: int) -> str:
    """SQL that follows a column to test it against a list of `count` ids (`IN (…)`). On PostgreSQL
    one array parameter (`= ANY`): the statement stays short and the same for any count, so psycopg
    caches and prepares it instead of parsing hundreds of placeholders on every run. The array goes
    as its text ('{1,2,3}'): psycopg's list dumper looks at every element (a third of the client's
    time in a report's counts), joining the numbers is ten times faster."""
    mark = database.param
    if is_postgres():
        return f"= ANY(CAST({mark} AS bigint[]))"
    return f"IN ({', '.join([mark] * count)})"


def id_params(ids: list[int]) -> list[Any]:
    """The parameters of an `in_ids` condition (ids are ints: `%d` refuses anything else)."""
    if is_postgres():
        return ["{" + ",".join(["%d"] * len(ids)) % tuple(ids) + "}"]
    return ids


class ByIds:
    """A select over a list of ids whose SQL is built once per list length and then only run;
    rows come back as tuples converted as in `converted` (as named tuples with `named=True`)."""

    def __init__(self, make_query: Callable[[list[int]], Any], *, named: bool = False, raw: bool = False) -> None:
        self.make_query = make_query
        self.named = named
        self.raw = raw  # rows as the driver returns them, nothing converted
        self._sql: dict[int, str] = {}
        self._convert: list[tuple[int, Callable[[Any], Any]]] | None = None
        self._make: Callable[[Iterable[Any]], Any] = tuple

    def rows(self, ids: list[int]) -> Iterator[tuple[Any, ...]]:
        if not ids:
            return
        sql = self._sql.get(len(ids))
        if sql is None:
            query = self.make_query(ids[:1])  # peewee builds a long IN list slowly: build one, then widen it
            sql, params = query.sql()
            mark = database.param
            one = f" IN ({mark})"
            if list(params) == ids[:1] and sql.count(mark) == 1 and one in sql:
                sql = sql.replace(one, f" {in_ids(len(ids))}")
            else:
                query = self.make_query(ids)
                sql, params = query.sql()
                if list(params) != list(ids):  # more parameters than the ids: build it each time
                    yield from (raw(query) if self.raw else named(query) if self.named else converted(query))
                    return
            self._sql[len(ids)] = sql
            if self._convert is None:
                converters = [_converter(column) for column in query._returning]
                self._convert = [(n, c) for n, c in enumerate(converters) if c is not None]
                if self.named:
                    self._make = namedtuple("Row", [column.name for column in query._returning])._make
        params = id_params(ids)
        if self.raw:
            yield from database.execute_sql(sql, params)
            return
        convert, make = self._convert or [], self._make
        for row in database.execute_sql(sql, params):
            if convert:
                row = list(row)
                for n, function in convert:
                    row[n] = function(row[n])
            yield make(row)

    def chunked(self, ids: Iterable[int]) -> Iterator[tuple[Any, ...]]:
        """The rows for any number of ids, in chunks below the backends' parameter limits (on PostgreSQL,
        where the ids are one array parameter, in larger chunks: fewer round trips)."""
        from models.access.matching import CHUNK, chunks  # matching reads its rows through this module too

        for chunk in chunks(sorted(set(ids)), ARRAY_CHUNK if is_postgres() else CHUNK):
            yield from self.rows(chunk)
