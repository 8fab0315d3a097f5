"""The hash-chained audit trail (DESIGN.md §3): who changed or read what, and when.

Each event's hash covers its id, time, actor, action, reference, detail and the previous
hash; ids are contiguous and the head (last id and hash) is kept in schema_meta, so an
edited, removed, reordered or truncated event is found by `verify()`.

Writing
-------
`record(actor, action, ref, detail)` appends one event. Inside a `write_tx` it does not
write at once: the events of a transaction are buffered and written together just before
the outermost `write_tx` commits, with one read of the chain's end, one multi-row INSERT,
one head update and (PostgreSQL) one `audit` advisory lock, the last lock in
`db.LOCK_ORDER`. A savepoint that rolls back drops its events with its data. Outside a
transaction `record` writes its event in a short transaction of its own.

Bulk writers (the importer) call `record_many(events)` with `(actor, action, ref, detail)`
tuples (or `(at, actor, action, ref, detail)` with an aware `at`): inside a `write_tx` they
join the same buffer, so a whole batch costs one head update; outside they are written in
one transaction. `chained_rows` + `set_head` remain for the demo's raw bulk insert.

Witnesses
---------
Anyone who can write the database could rewrite the chain and its head alike, so the head
(event id and hash) is also handed to witnesses outside the database: `witness(reason)`
calls every sink registered with `add_witness` (the console registers an append-only file
outside the data folder and the system log; console/jobs/witness.py). The purge, billing
batches and access reports call it; `verify(witnessed=...)` checks the chain against what
was witnessed and names the first event that no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from peewee import fn

from models.core import clock
from models.core.db import before_commit, database, is_sqlite, take_lock, tx_buffer, write_tx
from models.core.entities import AuditEvent, SchemaMeta

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
_BUFFER = "audit"
_INSERT_ROWS = 500
_VERIFY_CHUNK = 50_000
_encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(..., ensure_ascii=False) does, built once

Event = tuple[datetime, str, str, "str | None", "str | None"]
Witness = Callable[[str, int, str], None]  # (reason, event id, hash)
Progress = Callable[[int, int], None]  # (checked, total)
_witnesses: list[Witness] = []
_last_witnessed: list[tuple[int, str]] = []


def _at_text(at: datetime) -> str:
    return at.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


def digest(
    event_id: int, at: datetime, actor: str, action: str, ref: str | None, detail: str | None, prev_hash: str
) -> str:
    payload = _encode([event_id, _at_text(at), actor, action, ref, detail, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _set_head(event_id: int, event_hash: str) -> None:
    value = f"{event_id}:{event_hash}"
    SchemaMeta.insert(key=HEAD_KEY, value=value).on_conflict(
        conflict_target=[SchemaMeta.key], update={SchemaMeta.value: value}
    ).execute()


def _append(events: Sequence[Event]) -> int:
    """Chain and insert `events` after the current end; one head update. Returns the last id."""
    take_lock("audit")
    last = AuditEvent.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
    start, prev_hash = ((last.id + 1), last.hash) if last else (1, GENESIS)
    rows = list(chained_rows(events, start, prev_hash))
    for offset in range(0, len(rows), _INSERT_ROWS):
        AuditEvent.insert_many(rows[offset : offset + _INSERT_ROWS]).execute()
    final = rows[-1]
    _set_head(int(final["id"]), str(final["hash"]))  # type: ignore[call-overload]
    return int(final["id"])  # type: ignore[call-overload]


def _flush() -> None:
    buffer = tx_buffer(_BUFFER)
    if buffer:
        events: list[Event] = list(buffer)  # type: ignore[arg-type]
        buffer.clear()
        _append(events)


def _write(events: list[Event]) -> int | None:
    buffer = tx_buffer(_BUFFER)
    if buffer is not None:
        buffer.extend(events)
        before_commit(_flush)
        return None
    with write_tx():
        buffer = tx_buffer(_BUFFER)
        if buffer is None:  # inside a bare database.atomic(): write now
            return _append(events)
        buffer.extend(events)
        before_commit(_flush)
    return None


def record(actor: str, action: str, ref: str | None = None, detail: str | None = None) -> int | None:
    """Append one event: at the caller's commit inside a `write_tx` (returns None), else at once (its id)."""
    return _write([(clock.now(), actor, action, ref, detail)])


def record_many(events: Iterable[tuple[object, ...]]) -> int | None:
    """Append many events with one head update: `(actor, action, ref, detail)` or `(at, actor, action, ref, detail)`."""
    now = clock.now()
    rows: list[Event] = []
    for event in events:
        if len(event) == 4:
            rows.append((now, *event))  # type: ignore[arg-type]
        else:
            rows.append(tuple(event))  # type: ignore[arg-type]
    return _write(rows) if rows else None


def chained_rows(
    events: Iterable[tuple[datetime, str, str, str | None, str | None]], start_id: int, prev_hash: str
) -> Iterator[dict[str, object]]:
    """Rows for a bulk insert: (at, actor, action, ref, detail) tuples, chained."""
    event_id = start_id
    for at, actor, action, ref, detail in events:
        event_hash = digest(event_id, at, actor, action, ref, detail, prev_hash)
        yield {
            "id": event_id,
            "at": at,
            "actor": actor,
            "action": action,
            "ref": ref,
            "detail": detail,
            "prev_hash": prev_hash,
            "hash": event_hash,
        }
        prev_hash = event_hash
        event_id += 1


def head() -> tuple[int, str]:
    """The recorded head of the chain (0 and the genesis hash when empty)."""
    row = SchemaMeta.get_or_none(SchemaMeta.key == HEAD_KEY)
    if row is None:
        return 0, GENESIS
    event_id, event_hash = row.value.split(":", 1)
    return int(event_id), event_hash


def set_head(event_id: int, event_hash: str) -> None:
    """After a bulk insert of chained rows, record the new head."""
    with write_tx():
        _set_head(event_id, event_hash)


# --- witnesses ---------------------------------------------------------------------------


def add_witness(sink: Witness) -> None:
    """Register a sink that keeps the head outside the database (idempotent)."""
    if sink not in _witnesses:
        _witnesses.append(sink)


def clear_witnesses() -> None:
    _witnesses.clear()


def last_event() -> tuple[int, str]:
    """The id and hash of the last stored event (0 and genesis when empty)."""
    last = AuditEvent.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
    return (last.id, last.hash) if last else (0, GENESIS)


def witness(reason: str) -> tuple[int, str]:
    """Hand the committed head to every witness; returns it (id, hash). Call outside a transaction."""
    event_id, event_hash = last_event()
    for sink in list(_witnesses):
        sink(reason, event_id, event_hash)
    _last_witnessed[:] = [(event_id, event_hash)]
    return event_id, event_hash


def last_witnessed() -> tuple[int, str] | None:
    """The head this process witnessed last (to print it beside a batch or report), or None."""
    return _last_witnessed[0] if _last_witnessed else None


@dataclass(frozen=True)
class Witnessed:
    """A head as a witness saw it: the event id and hash, when and why."""

    event_id: int
    hash: str
    at: str = ""
    reason: str = ""


# --- verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str | None = None
    witnesses_checked: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad_id": self.first_bad_id,
            "problem": self.problem,
            "witnesses_checked": self.witnesses_checked,
        }


def _rows(start: int, stop: int) -> list[tuple[Any, ...]]:
    """One chunk of prepared rows: the time already as the digest's text, made by the database."""
    table = AuditEvent._meta.table_name
    if is_sqlite():  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (fields.py)
        at, mark = "replace(at, ' ', 'T')", "?"
    else:  # timestamp without time zone, UTC
        at, mark = """to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US')""", "%s"
    sql = (
        f'SELECT id, {at}, actor, action, ref, detail, prev_hash, hash FROM "{table}" '
        f"WHERE id >= {mark} AND id < {mark} ORDER BY id"
    )
    return list(database.execute_sql(sql, (start, stop)).fetchall())


# JSON string quoting of `"` and `\\`; a row with control characters (which JSON escapes too) does
# not match here and is walked in Python, so the shortcut never decides a doubtful row.
_PG_QUOTE = "replace(replace({column}, '\\', '\\\\'), '\"', '\\\"')"
_PG_CHUNK_CHECK = """
WITH c AS (
    SELECT id, hash, prev_hash, lag(hash) OVER w AS before_hash, lag(id) OVER w AS before_id,
           lead(id) OVER w AS after_id,
           encode(sha256(convert_to('[' || id || ', "'
               || to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '", "'
               || {q_actor} || '", "' || {q_action} || '", '
               || coalesce('"' || {q_ref} || '"', 'null') || ', ' || coalesce('"' || {q_detail} || '"', 'null') || ', "'
               || prev_hash || '"]', 'UTF8')), 'hex') AS computed
    FROM "{table}" WHERE id >= %s AND id < %s WINDOW w AS (ORDER BY id)
)
SELECT count(*), min(id), max(id),
       min(id) FILTER (WHERE computed <> hash OR before_id <> id - 1 OR before_hash <> prev_hash),
       max(prev_hash) FILTER (WHERE before_id IS NULL), max(hash) FILTER (WHERE after_id IS NULL)
FROM c
"""


def _server_chunk(start: int) -> tuple[Any, ...]:
    """PostgreSQL hashes the chunk at `start` itself (the same payload, in C): count, ids, first bad id, ends."""
    quoted = {f"q_{name}": _PG_QUOTE.format(column=name) for name in ("actor", "action", "ref", "detail")}
    sql = _PG_CHUNK_CHECK.format(table=AuditEvent._meta.table_name, **quoted).replace("%%", "%")
    return tuple(database.execute_sql(sql, (start, start + _VERIFY_CHUNK)).fetchone())


class _ServerChunks:
    """Chunk checks on PostgreSQL, computed ahead on two connections of their own (the server does the work)."""

    WORKERS = 2

    def __init__(self, first: int) -> None:
        self._next = first
        self._results: dict[int, Future[tuple[Any, ...]]] = {}
        self._pool = ThreadPoolExecutor(self.WORKERS, thread_name_prefix="audit-verify")
        for _ in range(self.WORKERS + 1):
            self._submit()

    def _submit(self) -> None:
        self._results[self._next] = self._pool.submit(_server_chunk, self._next)
        self._next += _VERIFY_CHUNK

    def clean(self, start: int, prev_hash: str) -> tuple[int, str] | None:
        """(count, last hash) if every row of the chunk at `start` fits, else None (Python walks it).

        Only a pre-filter: a chunk it does not pass is walked again in Python, which has the last word.
        """
        future = self._results.pop(start, None)
        if future is None:
            return None
        self._submit()
        count, first, last, bad, first_prev, last_hash = future.result()
        if count == 0 or bad is not None or first != start or last != start + count - 1 or first_prev != prev_hash:
            return None
        if count < _VERIFY_CHUNK:  # the end of the chain: no more chunks to compute ahead
            self._results.clear()
        return int(count), str(last_hash)

    def close(self) -> None:
        for future in self._results.values():
            future.cancel()
        self._pool.map(lambda _i: database.close(), range(self.WORKERS * 4))  # the workers' own connections
        self._pool.shutdown(wait=True)


def _hashes(ids: list[int]) -> list[tuple[int, str]]:
    if not ids:
        return []
    table = AuditEvent._meta.table_name
    marks = ", ".join(["?" if is_sqlite() else "%s"] * len(ids))
    cursor = database.execute_sql(f'SELECT id, hash FROM "{table}" WHERE id IN ({marks}) ORDER BY id', tuple(ids))
    return [(int(row[0]), str(row[1])) for row in cursor.fetchall()]


def _unwitnessed(witness_seen: Witnessed, last_matching: int, checked: int, matched: int) -> VerifyResult:
    from models.core.i18n import _

    return VerifyResult(
        False,
        checked,
        witness_seen.event_id,
        _(
            "event {id} no longer matches the head witnessed {at} ({reason}): an event after "
            "{good} was rewritten and the chain recomputed"
        ).format(id=witness_seen.event_id, at=witness_seen.at, reason=witness_seen.reason, good=last_matching),
        matched,
    )


def _progress_total() -> int:
    """The chain's length to show progress against: its highest id (from the index, not a count of every row)."""
    return int(AuditEvent.select(fn.MAX(AuditEvent.id)).scalar() or 0)


def verify(witnessed: Iterable[Witnessed] = (), progress: Progress | None = None) -> VerifyResult:
    """Walk the chain in id order, in chunks, against itself, its recorded head and the witnesses.

    Reports the first event that does not fit: a gap, a broken link, an altered event, an
    end that differs from the recorded head, or a witnessed head that no longer matches (a
    truncated, reset or recomputed chain).
    """
    seen = {w.event_id: w for w in witnessed}
    total = _progress_total() if progress else 0
    server = None if is_sqlite() else _ServerChunks(1)
    try:
        return _walk(seen, progress, total, server)
    finally:
        if server is not None:
            server.close()


def _walk(
    seen: dict[int, Witnessed], progress: Progress | None, total: int, server: _ServerChunks | None
) -> VerifyResult:
    from models.core.i18n import _

    expected_id, prev_hash, checked, matched = 1, GENESIS, 0, 0
    sha256 = hashlib.sha256
    encode = _encode
    last_matching = 0
    while True:
        clean = server.clean(expected_id, prev_hash) if server is not None else None
        if clean is not None:
            count, last_hash = clean
            chunk_end = expected_id + count
            for event_id, stored_hash in _hashes([i for i in sorted(seen) if expected_id <= i < chunk_end]):
                witness_seen = seen[event_id]
                if witness_seen.hash != stored_hash:
                    return _unwitnessed(witness_seen, last_matching, checked, matched)
                matched += 1
                last_matching = event_id
            expected_id, prev_hash, checked = chunk_end, last_hash, checked + count
            if progress:
                progress(checked, max(total, checked))
            continue
        rows = _rows(expected_id, expected_id + _VERIFY_CHUNK)
        if not rows:
            if AuditEvent.select().where(AuditEvent.id >= expected_id).exists():
                return VerifyResult(False, checked, expected_id, _("event {id} is missing").format(id=expected_id))
            break
        for event_id, at, actor, action, ref, detail, stored_prev, stored_hash in rows:
            if event_id != expected_id:
                return VerifyResult(False, checked, expected_id, _("event {id} is missing").format(id=expected_id))
            if stored_prev != prev_hash:
                return VerifyResult(
                    False, checked, event_id, _("event {id} does not follow its predecessor").format(id=event_id)
                )
            payload = encode([event_id, at, actor, action, ref, detail, stored_prev])
            if sha256(payload.encode("utf-8")).hexdigest() != stored_hash:
                return VerifyResult(False, checked, event_id, _("event {id} was altered").format(id=event_id))
            in_witness = seen.get(event_id)
            if in_witness is not None:
                if in_witness.hash != stored_hash:
                    return _unwitnessed(in_witness, last_matching, checked, matched)
                matched += 1
                last_matching = event_id
            prev_hash = stored_hash
            expected_id += 1
            checked += 1
        if progress:
            progress(checked, max(total, checked))
    beyond = sorted(event_id for event_id in seen if event_id > checked)
    if beyond:
        first = seen[beyond[0]]
        return VerifyResult(
            False,
            checked,
            first.event_id,
            _(
                "event {id}, witnessed {at} ({reason}), is missing: the chain ends at event {last}, "
                "so it was cut back or reset"
            ).format(id=first.event_id, at=first.at, reason=first.reason, last=checked),
            matched,
        )
    head_id, head_hash = head()
    if head_id != checked or head_hash != prev_hash:
        first_bad = min(head_id, checked) + 1 if head_id != checked else checked
        return VerifyResult(
            False,
            checked,
            first_bad,
            _("the chain ends at event {last} but its recorded head is event {head}").format(
                last=checked, head=head_id
            ),
            matched,
        )
    return VerifyResult(True, checked, witnesses_checked=matched)
