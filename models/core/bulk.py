"""P5 capture in bulk: many activity entries, chat messages or system-information snapshots
of one session at once (imports from remote-support tools).

The same checks as the one-at-a-time functions in sessions.py (role, fields, inside the
session), but one multi-row insert and one audit event per session and kind, so a long
activity log neither takes minutes nor floods the audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import Model

from models.core import audit, validation
from models.core.bulk_rows import ItemRefused, among, batch_detail, chunks, insert_converted, insert_rows
from models.core.db import database, is_sqlite, write_tx
from models.core.entities import TRANSFER_DIRECTIONS, ActivityEvent, ChatMessage, RemoteSession, Staff, SystemInfo
from models.core.errors import NotFound, Support24Error, ValidationError
from models.core.i18n import _
from models.core.identity import require_role
from models.retention import due as retention_due
from models.sessions.sessions import SESSION_ROLES, _within_session, get_session

_ROWS_PER_INSERT = 100  # 8 columns x 100 rows stays under SQLite's bound-parameter limit


@dataclass(frozen=True)
class ActivityItem:
    at: datetime | str
    action: str
    detail: str | None = None
    file_name: str | None = None
    direction: str | None = None
    file_size: int | None = None
    file_sha256: str | None = None


@dataclass(frozen=True)
class ChatItem:
    at: datetime | str
    sender: str
    text: str


@dataclass(frozen=True)
class SystemInfoItem:
    at: datetime | str
    data: dict[str, Any]


def _activity_row(item: ActivityItem) -> dict[str, Any]:
    row: dict[str, Any] = {
        "at": validation.timestamp("at", item.at),
        "action": validation.name("action", item.action, max_length=64),
        "detail": validation.text("detail", item.detail, required=False, max_length=4000),
        "file_name": None,
        "direction": None,
        "file_size": None,
        "file_sha256": None,
    }
    if item.file_name is not None or item.direction is not None or item.file_sha256 is not None:
        row["file_name"] = validation.name("file.name", item.file_name, max_length=255)
        row["direction"] = validation.choice("file.direction", item.direction, TRANSFER_DIRECTIONS)
        row["file_size"] = validation.non_negative_int("file.size", item.file_size)
        row["file_sha256"] = validation.sha256("file.sha256", item.file_sha256)
    return row


def _chat_row(item: ChatItem) -> dict[str, Any]:
    return {
        "at": validation.timestamp("at", item.at),
        "sender": validation.name("sender", item.sender, max_length=64),
        "text": validation.text("text", item.text),
    }


def _system_info_row(item: SystemInfoItem) -> dict[str, Any]:
    if not isinstance(item.data, dict) or not item.data:
        raise ValidationError("data", _("must be a non-empty JSON object"))
    document = json.dumps(item.data, ensure_ascii=False, sort_keys=True)  # as sessions.add_system_info stores it
    if len(document) > 1_000_000:
        raise ValidationError("data", _("is larger than 1 MB"))
    return {"at": validation.timestamp("at", item.at), "data": document}


def _add_many(
    actor: Staff, session_ref: str, model: type, rows: list[dict[str, Any]], action: str, category: str
) -> int:
    if not rows:
        return 0
    with write_tx():
        session = get_session(session_ref)
        retention_due.note_data(session.order_id, category)
        for row in rows:
            _within_session(session, row["at"], "at")
            row["session"] = session.id
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            model.insert_many(rows[start : start + _ROWS_PER_INSERT]).execute()
        audit.record(actor.username, action, session.ref, f"{len(rows)} entries")
    return len(rows)


def add_activity_many(actor: Staff, session_ref: str, items: Iterable[ActivityItem]) -> int:
    """Log many activity entries of one session; returns how many were stored."""
    require_role(actor, *SESSION_ROLES)
    return _add_many(actor, session_ref, ActivityEvent, [_activity_row(i) for i in items], "activity.add", "activity")


def add_chat_many(actor: Staff, session_ref: str, items: Iterable[ChatItem]) -> int:
    require_role(actor, *SESSION_ROLES)
    return _add_many(actor, session_ref, ChatMessage, [_chat_row(i) for i in items], "chat.add", "chat")


def add_system_info_many(actor: Staff, session_ref: str, items: Iterable[SystemInfoItem]) -> int:
    require_role(actor, *SESSION_ROLES)
    return _add_many(
        actor, session_ref, SystemInfo, [_system_info_row(i) for i in items], "system_info.add", "system_info"
    )


_KINDS: dict[str, tuple[type, Any, str, tuple[str, ...]]] = {
    "activity": (
        ActivityEvent,
        _activity_row,
        "activity.add",
        ("at", "action", "detail", "file_name", "direction", "file_size", "file_sha256"),
    ),
    "chat": (ChatMessage, _chat_row, "chat.add", ("at", "sender", "text")),
    "system_info": (SystemInfo, _system_info_row, "system_info.add", ("at", "data")),
}


@dataclass
class CapturedBatch:
    """Checked rows of one kind, converted for the database, waiting for their sessions' ids."""

    category: str
    refs: list[str]
    ats: list[datetime]
    values: list[tuple[Any, ...]]
    keys: list[str] | None = None  # the session keys as prepared (refs may be resolved later)
    staged: int | None = None  # the rows wait in the staging table under this tag (values is empty)


def prepare_captured(category: str, items: list[tuple[str, Any]]) -> CapturedBatch:
    """The field checks of add_captured_many, without the database: run them before the write
    transaction begins, so it holds the write lock only for the lookups and the inserts."""
    model, make_row, _action, columns = _KINDS[category]
    converters = [model._meta.fields[c].db_value for c in columns]
    refs, ats, values = [], [], []
    for index, (ref, item) in enumerate(items):
        try:
            row = make_row(item)
        except Support24Error as exc:
            raise ItemRefused(index, exc) from exc
        refs.append(ref)
        ats.append(row["at"])
        values.append(tuple(convert(row[c]) for convert, c in zip(converters, columns, strict=True)))
    return CapturedBatch(category, refs, ats, values, keys=list(refs))


def note_captured(batch: CapturedBatch) -> None:
    """The retention rows of what store_captured(note=False) stored: its sessions' orders hold data of its kind."""
    if not batch.ats:
        return
    with write_tx():
        orders: set[int] = set()
        for chunk in chunks(sorted(set(batch.refs))):
            query = RemoteSession.select(RemoteSession.order).where(among(RemoteSession.ref, chunk))
            orders.update(row[0] for row in query.tuples())
        retention_due.note_data_many(orders, batch.category)


def add_captured_many(actor: Staff, category: str, items: list[tuple[str, Any]]) -> int:
    """Activity, chat or system information of many sessions at once: (session ref, item) pairs.

    The checks of add_activity_many and its siblings; one executemany and one audit event for
    the whole batch. A refused item raises ItemRefused with its index.
    """
    require_role(actor, *SESSION_ROLES)
    return store_captured(actor, prepare_captured(category, items))


def store_captured(actor: Staff, batch: CapturedBatch, *, note: bool = True) -> int:
    """The database half of add_captured_many: inside the sessions, due rows noted, one insert.

    Without `note` the retention rows are left to note_captured, later in the same transaction
    (it takes the `retention_due` lock, which a long job takes as late as it can)."""
    require_role(actor, *SESSION_ROLES)
    if not batch.ats:
        return 0
    model, _make_row, action, columns = _KINDS[batch.category]
    with write_tx():
        sessions = {
            s.ref: s
            for chunk in chunks(sorted(set(batch.refs)))
            for s in RemoteSession.select(
                RemoteSession.id,
                RemoteSession.ref,
                RemoteSession.order,
                RemoteSession.started_at,
                RemoteSession.ended_at,
            )
            .where(among(RemoteSession.ref, chunk))
            .namedtuples()
        }
        ids = []
        for index, (ref, at) in enumerate(zip(batch.refs, batch.ats, strict=True)):
            session = sessions.get(ref)
            try:
                if session is None:
                    raise NotFound(_("no session {ref}").format(ref=ref))
                _within_session(session, at, "at")
            except Support24Error as exc:
                raise ItemRefused(index, exc) from exc
            ids.append(session.id)
        if note:
            retention_due.note_data_many({s.order for s in sessions.values()}, batch.category)
        if batch.staged is None:
            insert_rows(
                model, ("session", *columns), ((i, *v) for i, v in zip(ids, batch.values, strict=True)), converted=True
            )
        else:
            _insert_staged(model, columns, batch, ids)
        audit.record(actor.username, action, None, f"{len(ids)} entries, sessions {batch_detail(sorted(sessions))}")
    return len(ids)


# --- Rows staged before the write transaction ----------------------------------------------
# An import checks and converts its captured rows long before it writes them. They wait in
# temporary tables of its own connection, filled with no lock of the console's database held
# (on SQLite they live in the connection's temp database), and the write transaction, after
# the checks of store_captured, copies them over inside the server with one INSERT … SELECT
# per kind: the lock is held for that, not for sending every row.

_SESSION_IDS = "staged_session_ids"


def _staging_table(category: str) -> str:
    return f"staged_{category}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_names(model: type[Model], columns: tuple[str, ...]) -> list[str]:
    return [model._meta.fields[c].column_name for c in columns]


def _drop_staging_tables() -> None:
    for category in (*_KINDS, None):
        table = _staging_table(category) if category else _SESSION_IDS
        with suppress(Exception):  # a connection already closed takes its temporary tables with it
            database.execute_sql(f"DROP TABLE IF EXISTS {_quote(table)}")


@contextmanager
def staging_tables() -> Iterator[None]:
    """This connection's temporary tables for stage_captured while the block runs."""
    _drop_staging_tables()
    for category, (model, _make_row, _action, columns) in _KINDS.items():
        table = _quote(_staging_table(category))
        picked = ", ".join(_quote(c) for c in _column_names(model, columns))
        database.execute_sql(
            f"CREATE TEMPORARY TABLE {table} AS SELECT CAST(0 AS INTEGER) AS tag, CAST(0 AS INTEGER) AS pos, "
            f"CAST(NULL AS TEXT) AS skey, {picked} FROM {_quote(model._meta.table_name)} WHERE 1 = 0"
        )
        database.execute_sql(f"CREATE INDEX {_quote(_staging_table(category) + '_tag')} ON {table} (tag, pos)")
    database.execute_sql(f"CREATE TEMPORARY TABLE {_SESSION_IDS} (skey TEXT PRIMARY KEY, session INTEGER NOT NULL)")
    try:
        yield
    finally:
        _drop_staging_tables()


@contextmanager
def _temp_only_transaction() -> Iterator[None]:
    """SQLite: one deferred transaction around many inserts into temporary tables (not one per
    row); it never touches the database file, so it takes none of its locks."""
    if not is_sqlite() or database.connection().in_transaction:
        yield
        return
    database.execute_sql("BEGIN DEFERRED")
    try:
        yield
    except BaseException:
        database.execute_sql("ROLLBACK")
        raise
    database.execute_sql("COMMIT")


def stage_captured(batch: CapturedBatch, tag: int) -> None:
    """Move the rows of a prepared batch into its staging table under `tag` (inside
    staging_tables(), before the write transaction); store_captured then writes them from there."""
    assert batch.keys is not None
    if not batch.values:
        return
    model, _make_row, _action, columns = _KINDS[batch.category]
    with _temp_only_transaction():
        insert_converted(
            _staging_table(batch.category),
            ("tag", "pos", "skey", *_column_names(model, columns)),
            ((tag, pos, key, *values) for pos, (key, values) in enumerate(zip(batch.keys, batch.values, strict=True))),
        )
    batch.values, batch.staged = [], tag


def _insert_staged(model: type[Model], columns: tuple[str, ...], batch: CapturedBatch, ids: list[int]) -> None:
    """The staged rows of `batch` into their table, each with the id of its session."""
    assert batch.keys is not None
    database.execute_sql(f"DELETE FROM {_SESSION_IDS}")
    insert_converted(_SESSION_IDS, ("skey", "session"), sorted(set(zip(batch.keys, ids, strict=True))))
    names = [_quote(c) for c in _column_names(model, columns)]
    cursor = database.execute_sql(
        f"INSERT INTO {_quote(model._meta.table_name)} ({_quote(model._meta.fields['session'].column_name)}, "
        f"{', '.join(names)}) SELECT m.session, {', '.join('t.' + n for n in names)} "
        f"FROM {_quote(_staging_table(batch.category))} t JOIN {_SESSION_IDS} m ON m.skey = t.skey "
        f"WHERE t.tag = {database.obj.param} ORDER BY t.pos",
        (batch.staged,),
    )
    if cursor.rowcount != len(ids):
        raise RuntimeError(f"{cursor.rowcount} staged {batch.category} rows written, {len(ids)} expected")
