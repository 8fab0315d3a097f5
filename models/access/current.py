"""Whether the last compilation of a request still describes the database, so that an export
right after a compile (the same process, the same connection) need not find the same matches
again (65,000 of them for the largest subject, a second of work).

A compilation is reused only when provably nothing changed since it was made: on SQLite, no
other connection committed (`PRAGMA data_version`, read under the write lock that compiles
hold) and this connection changed no row (`total_changes`) after the compile's own writes.
PostgreSQL has no such cheap and exact signal for one database, so it always compiles afresh.
Anything uncertain (another connection, a compile inside a caller's transaction, the caller
no longer holding the compilation) means: compile again.
"""

from __future__ import annotations

import weakref
from typing import Any

from models.core.db import database, is_sqlite

_last: dict[str, Any] = {}  # "ref", "token", "compilation" (a weak reference): one entry at most


def change_token() -> tuple[Any, ...] | None:
    """What changes whenever any row of the database changes (None: cannot be known here).
    Read inside the compile's write transaction, where no other connection can commit."""
    if not is_sqlite():
        return None
    connection = database.connection()
    version = connection.execute("PRAGMA data_version").fetchone()[0]
    return (connection, version, connection.total_changes)  # the connection itself: compared by identity


def after_own_writes(token: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """The token once the compile's own writes (state, audit event; no match depends on them) are made."""
    if token is None:
        return None
    connection, version, _changes = token
    return (connection, version, connection.total_changes)


def remember(ref: str, token: tuple[Any, ...] | None, compilation: Any) -> None:
    """Keep the compilation for reuse while its caller holds it (a weak reference: no memory kept)."""
    _last.clear()
    if token is not None:
        _last.update(ref=ref, token=token, compilation=weakref.ref(compilation))


def current(ref: str, token: tuple[Any, ...] | None) -> Any | None:
    """The remembered compilation of `ref` if nothing changed since it was made, else None."""
    if token is None or _last.get("ref") != ref or _last.get("token") != token:
        return None
    return _last["compilation"]()
