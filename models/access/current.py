"""Whether the last compilation of a request still describes the database, so that an export
right after a compile (the same process, the same connection) need not find the same matches
again (65,000 of them for the largest subject, a second of work).

A compilation is reused only when provably nothing changed since it was made:

- SQLite: no other connection committed (`PRAGMA data_version`, read under the write lock that
  compiles hold) and this connection changed no row (`total_changes`) after the compile's own writes.
- PostgreSQL: the compile reads the server's snapshot (`pg_current_snapshot`) as its first statement,
  before anything it matches on, and its own transaction id before it commits. The export reads the
  snapshot again; every transaction that was not finished in the first one but is in the second
  (other than the compile's own) must have rolled back (`pg_xact_status`). That covers every write
  by anyone, audited or not; a busy server (any database of the cluster) just means compiling again.

Anything uncertain (another connection, a compile inside a caller's transaction, the caller
no longer holding the compilation) means: compile again.
"""

from __future__ import annotations

import weakref
from typing import Any

from models.core.db import database, is_postgres, is_sqlite

_last: dict[str, Any] = {}  # "ref", "token", "compilation" (a weak reference): one entry at most
MAX_OTHERS = 200  # transactions of others to look up at most; more: compile again


def change_token() -> tuple[Any, ...] | None:
    """What changes whenever any row of the database changes (None: cannot be known here).
    Read first in the compile's write transaction (on SQLite no other connection can commit then)."""
    if is_sqlite():
        connection = database.connection()
        version = connection.execute("PRAGMA data_version").fetchone()[0]
        return (connection, version, connection.total_changes)  # the connection itself: compared by identity
    if is_postgres():
        snapshot = database.execute_sql("SELECT CAST(pg_current_snapshot() AS text)").fetchone()[0]
        return (database.connection(), snapshot, None)
    return None


def own_writes(token: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """The token with the compile's own transaction (PostgreSQL), read inside it after its writes."""
    if token is None or not is_postgres():
        return token
    xid = database.execute_sql("SELECT CAST(pg_current_xact_id() AS text)").fetchone()[0]
    return (token[0], token[1], xid)


def after_own_writes(token: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """The token once the compile's own writes (state, audit event; no match depends on them) are made."""
    if token is None or not is_sqlite():
        return token
    connection, version, _changes = token
    return (connection, version, connection.total_changes)


def remember(ref: str, token: tuple[Any, ...] | None, compilation: Any) -> None:
    """Keep the compilation for reuse while its caller holds it (a weak reference: no memory kept)."""
    _last.clear()
    if token is not None:
        _last.update(ref=ref, token=token, compilation=weakref.ref(compilation))


def current(ref: str, token: tuple[Any, ...] | None) -> Any | None:
    """The remembered compilation of `ref` if nothing changed since it was made, else None."""
    if token is None or _last.get("ref") != ref:
        return None
    then = _last.get("token")
    if is_postgres():
        if then is None or then[0] is not token[0] or not _only_own_commits(then[1], then[2], token[1]):
            return None
    elif then != token:
        return None
    return _last["compilation"]()


def _snapshot(text: str) -> tuple[int, int, set[int]]:
    """xmin, xmax and the running transactions of a pg_snapshot's text ('10:20:10,14')."""
    xmin, xmax, running = text.split(":")
    return int(xmin), int(xmax), {int(x) for x in running.split(",") if x}


def _only_own_commits(before: str, own: str | None, now: str) -> bool:
    """Whether every transaction that finished between snapshot `before` and snapshot `now`,
    other than `own`, rolled back."""
    if own is None:
        return False
    _xmin, xmax_before, running_before = _snapshot(before)
    _xmin, xmax_now, running_now = _snapshot(now)
    if xmax_now - xmax_before > MAX_OTHERS:
        return False
    unfinished_before = running_before | set(range(xmax_before, xmax_now))
    finished = sorted(x for x in unfinished_before if x < xmax_now and x not in running_now and x != int(own))
    if not finished:
        return True
    if len(finished) > MAX_OTHERS:
        return False
    row = database.execute_sql(
        "SELECT count(*) FROM unnest(CAST(%s AS xid8[])) AS x WHERE pg_xact_status(x) IS DISTINCT FROM 'aborted'",
        ("{" + ",".join(map(str, finished)) + "}",),
    ).fetchone()
    return row[0] == 0
