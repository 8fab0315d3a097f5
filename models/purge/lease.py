"""One purge at a time across every console and scheduler on the same database (DESIGN.md §5).

SQLite: a lease row with an expiry, taken in a write transaction, renewed after each batch;
a crashed holder stops blocking when its lease expires. PostgreSQL: a session advisory lock,
freed by the server when the holder's connection dies; the lease row there only names the
holder for the refusal message.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
from datetime import timedelta
from types import TracebackType

from models.core import clock
from models.core.db import database, is_postgres, lock_key, write_tx
from models.core.entities import PurgeLease
from models.core.errors import Busy
from models.core.i18n import _

LEASE_TTL = timedelta(minutes=10)
_held_here: dict[str, Lease] = {}  # PostgreSQL advisory locks are re-entrant per connection
_guard = threading.Lock()


def describe_holder(operator: str, role: str = "purge") -> str:
    """Who holds the lease, as the loser is told: account, host, process, what for."""
    return f"{operator}@{socket.gethostname()} pid {os.getpid()} ({role})"


def _dead_here(holder: str) -> bool:
    """True if the holder ran on this host and its process is gone (killed, crashed)."""
    match = re.search(r"@(\S+) pid (\d+) ", holder)
    if match is None or match.group(1) != socket.gethostname():
        return False
    try:
        os.kill(int(match.group(2)), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Lease:
    """The named lease; use as a context manager or acquire/renew/release."""

    def __init__(self, holder: str, *, name: str = "purge", ttl: timedelta = LEASE_TTL) -> None:
        self.name = name
        self.holder = f"{holder} #{uuid.uuid4().hex[:8]}"  # unique per acquisition
        self.ttl = ttl
        self.held = False

    def _busy(self, row: PurgeLease | None) -> Busy:
        if row is None:
            error = Busy(_("another purge is running (holder unknown)"))
            error.holder = None  # type: ignore[attr-defined]
            return error
        error = Busy(
            _("another purge is running: {holder}, since {since}").format(
                holder=row.holder, since=clock.format_berlin(row.acquired_at, with_seconds=True)
            )
        )
        error.holder = row.holder  # type: ignore[attr-defined]  # for the scheduler's outcome
        return error

    def acquire(self) -> None:
        """Take the lease or raise Busy naming the current holder."""
        now = clock.now()
        with _guard:
            mine = _held_here.get(self.name)
            if mine is not None and mine is not self:
                error = Busy(_("another purge is running: {holder}").format(holder=mine.holder))
                error.holder = mine.holder  # type: ignore[attr-defined]
                raise error
            _held_here[self.name] = self
        try:
            self._acquire(now)
        except BaseException:
            with _guard:
                _held_here.pop(self.name, None)
            raise
        self.held = True

    def _acquire(self, now) -> None:
        if is_postgres():
            got = database.execute_sql("SELECT pg_try_advisory_lock(%s)", (lock_key(f"lease:{self.name}"),)).fetchone()[
                0
            ]
            if not got:
                raise self._busy(self._holder_row())
            self._write(now)
        else:
            with write_tx():
                row = PurgeLease.get_or_none(PurgeLease.name == self.name)
                if (
                    row is not None
                    and row.expires_at > now
                    and row.holder != self.holder
                    and not _dead_here(row.holder)
                ):
                    raise self._busy(row)
                self._write(now)

    def _holder_row(self) -> PurgeLease | None:
        """The row naming the holder; the winner writes it just after taking the lock, so wait a moment."""
        for _attempt in range(20):
            row = PurgeLease.get_or_none(PurgeLease.name == self.name)
            if row is not None:
                return row
            time.sleep(0.05)
        return None

    def _write(self, now) -> None:
        PurgeLease.insert(name=self.name, holder=self.holder, acquired_at=now, expires_at=now + self.ttl).on_conflict(
            conflict_target=[PurgeLease.name],
            update={PurgeLease.holder: self.holder, PurgeLease.acquired_at: now, PurgeLease.expires_at: now + self.ttl},
        ).execute()

    def renew(self) -> None:
        """Push the expiry on; raise Busy if the lease was lost (expired and taken by another)."""
        if is_postgres():
            return
        with write_tx():
            count = (
                PurgeLease.update(expires_at=clock.now() + self.ttl)
                .where((PurgeLease.name == self.name) & (PurgeLease.holder == self.holder))
                .execute()
            )
        if not count:
            self.held = False
            raise self._busy(PurgeLease.get_or_none(PurgeLease.name == self.name))

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        with _guard:
            _held_here.pop(self.name, None)
        with write_tx():
            PurgeLease.delete().where((PurgeLease.name == self.name) & (PurgeLease.holder == self.holder)).execute()
        if is_postgres():
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (lock_key(f"lease:{self.name}"),))

    def __enter__(self) -> Lease:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
