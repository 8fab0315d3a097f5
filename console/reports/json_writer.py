"""The access report as JSON: the complete document, machine-readable, per docs/access-report.schema.json.

Written as it is read: the head at once, then one record per line (compact, no indentation
inside a record), so a report of tens of thousands of records streams in C-encoder speed and
stays greppable. Key order is as built, so two exports of the same data are identical.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from console.reports.document import DATA_KEYS, ReportDocument, compact
from models.access.report_json import JsonArray, JsonMembers, JsonText

_KEYS: dict[str, str] = {}  # a record key as JSON text, made once
_JSON_BOOLEANS = {True: "true", False: "false"}  # JSON's own words, not text for people


def _encode_mixed(record: dict[str, Any]) -> str:
    """A record some of whose values are JSON text already (`JsonArray` of records, `JsonText`,
    `JsonMembers` for leading fields): each member written on its own and joined as the encoder
    joins a dict's (so the result is the same text), the texts copied."""
    parts = []
    append = parts.append
    for key, value in record.items():
        kind = type(value)
        if kind is JsonMembers:
            append(value)  # the record's own fields: the key only holds its place
            continue
        name = _KEYS.get(key)
        if name is None:
            name = _KEYS[key] = compact(key) + ":"
        if kind is JsonText:
            append(name + value)
        elif kind is list and not value:
            append(name + "[]")
        elif kind is bool:
            append(name + _JSON_BOOLEANS[value])
        elif kind is JsonArray:
            append(name + "[" + ",".join(item if type(item) is str else compact(item) for item in value) + "]")
        else:
            append(name + compact(value))
    return "{" + ",".join(parts) + "}"


def _as_is(text: str) -> str:
    return text


BATCH = 1000  # records encoded before they are written, as one string (one write per batch, not two per record)


def _array(out: TextIO, records: Iterable[Any], encode: Callable[[Any], str] = compact) -> None:
    out.write("[")
    batch: list[str] = []
    written = False
    for record in records:
        batch.append(encode(record))
        if len(batch) >= BATCH:
            out.write((",\n" if written else "\n") + ",\n".join(batch))
            batch, written = [], True
    if batch:
        out.write((",\n" if written else "\n") + ",\n".join(batch))
        written = True
    out.write("\n]" if written else "]")


def write(document: ReportDocument, out: TextIO, *, in_sql: bool = True) -> None:
    """Write the report to `out`: UTF-8 text, one record per line. `in_sql=False` encodes every
    record in Python (the same text; tests compare the two)."""
    head = json.dumps(document.head, ensure_ascii=False, indent=1)
    out.write(head[:-2])  # the head's fields, without the closing brace
    out.write(',\n"matches": ')
    if in_sql:
        _array(out, document.matches(encoded=True), _as_is)
    else:
        _array(out, document.matches())
    out.write(',\n"data": {')
    for n, key in enumerate(DATA_KEYS):
        out.write(f'{"," if n else ""}\n"{key}": ')
        if in_sql:
            _array(out, document.section(key, encoded=True), _encode_mixed)
        else:
            _array(out, document.section(key))
    out.write("\n}\n}\n")


def render(document: ReportDocument, *, in_sql: bool = True) -> str:
    """The whole JSON text (small reports and tests; exports stream with `write`)."""
    out = io.StringIO()
    write(document, out, in_sql=in_sql)
    return out.getvalue()
