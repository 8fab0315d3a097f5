"""The JSON text of what sessions captured (activity, chat, consents: 210,000 rows for the largest
subject), built by the database instead of row by row in Python, for the JSON export only.

Each row comes back as the compact JSON object the report's encoder would write (same keys,
order, escaping, instants as YYYY-MM-DDTHH:MM:SSZ); SQLite and PostgreSQL side by side below.
A row whose stored value the database cannot format exactly so (an instant not in SQLite's
fixed-width text, a number stored as text) comes back as the plain record, which the writer
encodes in Python. Before the first use, a probe compares the database's string escaping with
Python's on every ASCII character and some others; if they differ, nothing is built in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from models.access.rows import id_params, in_ids
from models.core.db import database, is_postgres
from models.core.entities import ActivityEvent, ChatMessage, Consent

_SQLITE_INSTANT = (
    "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]"
)
_SQLITE_DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
PROBE = "".join(chr(c) for c in range(1, 128)) + "äß€\u2028\u2029\ufeff\U0001f600"


class JsonArray(list):
    """A list of records, each a str (its JSON text, copied as it is) or a plain record the writer encodes."""

    __slots__ = ()


class JsonText(str):
    """A value already written as JSON text (the writer copies it as it is)."""

    __slots__ = ()


class JsonMembers(str):
    """The leading members of a record as JSON text ('"a":1,"b":null'), made by the database;
    the writer copies them in place of their key, so the key's name does not matter."""

    __slots__ = ()


EMPTY = JsonText("[]")

# What is built in SQL: the report's key, its columns as (field, kind), kinds text/int/bool/instant.
COLUMNS: dict[str, tuple[Any, tuple[tuple[Any, str], ...]]] = {
    "activity": (
        ActivityEvent,
        (
            (ActivityEvent.at, "instant"),
            (ActivityEvent.action, "text"),
            (ActivityEvent.detail, "text"),
            (ActivityEvent.file_name, "text"),
            (ActivityEvent.direction, "text"),
            (ActivityEvent.file_size, "int"),
            (ActivityEvent.file_sha256, "text"),
        ),
    ),
    "chat": (ChatMessage, ((ChatMessage.at, "instant"), (ChatMessage.sender, "text"), (ChatMessage.text, "text"))),
    "consents": (
        Consent,
        (
            (Consent.ref, "text"),
            (Consent.kind, "text"),
            (Consent.given_by, "text"),
            (Consent.method, "text"),
            (Consent.granted, "bool"),
            (Consent.at, "instant"),
            (Consent.note, "text"),
        ),
    ),
}


def _sqlite(column: str, kind: str) -> tuple[str, str]:
    """(value for json_object, condition under which it writes exactly what Python writes) on SQLite."""
    if kind == "day":
        return column, f"({column} IS NULL OR {column} GLOB '{_SQLITE_DAY}')"
    if kind == "instant":
        return (
            f"substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || 'Z'",
            f"({column} IS NULL OR {column} GLOB '{_SQLITE_INSTANT}')",
        )
    if kind == "bool":
        return (
            f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN json('true') ELSE json('false') END",
            f"typeof({column}) IN ('integer', 'null')",
        )
    wanted = "'text'" if kind == "text" else "'integer'"
    return column, f"typeof({column}) IN ({wanted}, 'null')"


def _sqlite_object(pairs: list[tuple[str, str]]) -> str:
    """SQLite's json_object writes compact JSON, keys in the order given (twice as fast as concatenating)."""
    return "json_object(" + ", ".join(f"'{name}', {value}" for name, value in pairs) + ")"


def _postgres(column: str, kind: str) -> tuple[str, str]:
    """(JSON text, condition) on PostgreSQL: typed columns; an infinite timestamp is left to Python."""
    if kind == "instant":
        return (
            f"""CASE WHEN {column} IS NULL THEN 'null' ELSE '"' || to_char({column}, 'YYYY-MM-DD"T"HH24:MI:SS') """
            f"""|| 'Z"' END""",
            f"({column} IS NULL OR isfinite({column}))",
        )
    if kind == "day":
        return (
            f"""CASE WHEN {column} IS NULL THEN 'null' ELSE '"' || to_char({column}, 'YYYY-MM-DD') || '"' END""",
            f"({column} IS NULL OR isfinite({column}))",
        )
    if kind == "bool":
        return f"CASE WHEN {column} IS NULL THEN 'null' WHEN {column} THEN 'true' ELSE 'false' END", "TRUE"
    if kind == "int":
        return f"COALESCE({column}::text, 'null')", "TRUE"
    return f"COALESCE(to_json({column})::text, 'null')", "TRUE"


def _postgres_object(pairs: list[tuple[str, str]]) -> str:
    """json_build_object writes '{"a" : 1, "b" : 2}', not compact: concatenated instead."""
    return "'{' || " + " || ',' || ".join(f"""'"{name}":' || {value}""" for name, value in pairs) + " || '}'"


def _dialect() -> Callable[[str, str], tuple[str, str]]:
    return _postgres if is_postgres() else _sqlite


def _object() -> Callable[[list[tuple[str, str]]], str]:
    return _postgres_object if is_postgres() else _sqlite_object


_probed: dict[int, bool] = {}


def available() -> bool:
    """Whether this database escapes strings exactly as Python's JSON encoder does (probed once)."""
    key = id(database.obj)
    if key not in _probed:
        value, _ok = _dialect()(f"CAST({database.param} AS text)", "text")
        row = database.execute_sql(f"SELECT {_object()([('probe', value)])}", (PROBE,)).fetchone()
        _probed[key] = row[0] == json.dumps({"probe": PROBE}, ensure_ascii=False, separators=(",", ":"))
    return _probed[key]


class CapturedJson:
    """Per session, the JSON text of each row it captured in one table, by time then id.
    The SQL is built once per number of ids (as access_rows.ByIds does)."""

    def __init__(self, key: str, plain: Callable[[list[int]], dict[int, dict[str, Any]]]) -> None:
        model, columns = COLUMNS[key]
        dialect = _dialect()
        pairs, checks = [], []
        for field, kind in columns:
            value, check = dialect(f'"{field.column_name}"', kind)
            pairs.append((field.name, value))
            checks.append(check)
        self._select = (
            f'SELECT "session_id", CASE WHEN {" AND ".join(checks)} THEN {_object()(pairs)} END, "id" '
            f'FROM "{model._meta.table_name}"'
        )
        self._order = 'ORDER BY "session_id", "at", "id"'  # as access_data: by time, then id
        self._plain = plain
        self._sql: dict[int, str] = {}
        # one session's rows as one text: "r1,r2,…" (NULL without rows); a row the database cannot
        # write exactly comes as \x01 (JSON text never holds a raw control character), so the caller
        # takes that session's rows one by one instead
        table, check, record = model._meta.table_name, " AND ".join(checks), _object()(pairs)
        if is_postgres():
            self._aggregate = (
                f"(SELECT string_agg(CASE WHEN {check} THEN {record} ELSE chr(1) END, ',' "
                f'ORDER BY "at", "id") FROM "{table}" WHERE "session_id" = @session@)'
            )
        else:  # an aggregate over an ordered subquery takes its rows in that order
            self._aggregate = (
                f"(SELECT group_concat(j, ',') FROM (SELECT CASE WHEN {check} THEN {record} ELSE char(1) END AS j "
                f'FROM "{table}" WHERE "session_id" = @session@ ORDER BY "at", "id"))'
            )

    def aggregate(self, session: str) -> str:
        """SQL of one session's rows as one text (see above); `session` is the SQL of its id."""
        return self._aggregate.replace("@session@", session)

    def array(self, session_id: int, text: str | None) -> JsonText | JsonArray:
        """The session's rows as the report writes them, from what `aggregate` gave."""
        if text is None:
            return EMPTY
        if "\x01" in text:
            return self.rows([session_id]).get(session_id, JsonArray())
        return JsonText(f"[{text}]")

    def rows(self, session_ids: list[int]) -> dict[int, JsonArray]:
        """JsonArray per session id (sessions without rows are absent)."""
        grouped: dict[int, JsonArray] = {}
        if not session_ids:
            return grouped
        sql = self._sql.get(len(session_ids))
        if sql is None:
            sql = self._sql[len(session_ids)] = (
                f'{self._select} WHERE "session_id" {in_ids(len(session_ids))} {self._order}'
            )
        missing: list[tuple[JsonArray, int, int]] = []
        for session_id, text, row_id in database.execute_sql(sql, id_params(session_ids)):
            records = grouped.get(session_id)
            if records is None:
                records = grouped[session_id] = JsonArray()
            if text is None:
                missing.append((records, len(records), row_id))
            records.append(text)
        if missing:
            plain = self._plain([row_id for _records, _n, row_id in missing])
            for records, n, row_id in missing:
                records[n] = plain[row_id]
        return grouped


class RecordsJson:
    """Per id, the leading members of one record as JSON text made by the database (`JsonMembers`,
    or None where a value is not exactly what Python writes), with raw columns the caller needs.

    `source` is the FROM clause, `key` the id column the ids select; `members` are (name, column,
    kind) in the report's order; `extra` are columns returned as the driver gives them."""

    def __init__(self, source: str, key: str, members: list[tuple[str, str, str]], extra: list[str]) -> None:
        dialect = _dialect()
        pairs, checks = [], []
        for name, column, kind in members:
            value, check = dialect(column, kind)
            pairs.append((name, value))
            checks.append(check)
        self._select = (
            f"SELECT {', '.join([key, *extra])}, CASE WHEN {' AND '.join(checks)} THEN {_object()(pairs)} END "
            f"FROM {source} WHERE {key} "
        )
        self._sql: dict[int, str] = {}

    def rows(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """(id, *extra, members) per record of `ids`, in no particular order; members without braces."""
        if not ids:
            return []
        sql = self._sql.get(len(ids))
        if sql is None:
            sql = self._sql[len(ids)] = self._select + in_ids(len(ids))
        out = []
        for row in database.execute_sql(sql, id_params(ids)):
            text = row[-1]
            out.append((*row[:-1], None if text is None else JsonMembers(text[1:-1])))
        return out
