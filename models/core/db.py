"""Binding the models to SQLite or PostgreSQL through one DatabaseProxy."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from peewee import Database, DatabaseProxy, OperationalError, PostgresqlDatabase, SqliteDatabase

from models.core.errors import Busy, DatabaseUnavailable, ValidationError
from models.core.i18n import _

log = logging.getLogger("support24.locks")
database = DatabaseProxy()
_current: dict[str, DatabaseTarget] = {}

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "secure_delete": 1,
    "synchronous": "normal",
    "cache_size": -32000,
}
BUSY_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class DatabaseTarget:
    """Where a database URL points: a backend and its connection details."""

    url: str
    backend: str  # "sqlite" or "postgresql"
    path: Path | None = None
    schema: str | None = None

    def describe(self) -> str:
        """The location for display, without any password."""
        if self.path is not None:
            return str(self.path)
        parsed = urlparse(self.url)
        host = parsed.hostname or parse_qs(parsed.query).get("host", ["local socket"])[0]
        port = f":{parsed.port}" if parsed.port else ""
        schema = f" (schema {self.schema})" if self.schema else ""
        return f"postgresql://{host}{port}{parsed.path}{schema}"


def parse_url(url: str) -> DatabaseTarget:
    """Understand `sqlite:///path` and `postgresql://user@host:port/db?schema=s`.

    As everywhere else (SQLAlchemy, Django): `sqlite:///data/x.db` is relative to the current
    folder, `sqlite:////srv/x.db` absolute. The path is made absolute here, once.
    """
    if url.startswith("sqlite:///"):
        raw = unquote(url[len("sqlite:///") :])
        if raw.rstrip("/") == "":
            raise ValidationError("database_url", _("a sqlite URL needs a file path"))
        return DatabaseTarget(url=url, backend="sqlite", path=Path(raw).absolute())
    if url.startswith(("postgresql://", "postgres://")):
        schema = parse_qs(urlparse(url).query).get("schema", [None])[0]
        return DatabaseTarget(url=url, backend="postgresql", schema=schema)
    raise ValidationError(
        "database_url",
        _("unsupported URL {url!r}; use sqlite:///PATH or postgresql://USER@HOST/DB").format(url=url),
    )


SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked")
PG_BUSY_SQLSTATES = {"55P03"}  # lock_not_available: lock_timeout or NOWAIT


def is_busy_error(error: BaseException) -> bool:
    """Whether a driver error means that another connection holds the lock (SQLite busy, PG lock timeout)."""
    if not isinstance(error, OperationalError):
        return False
    for cause in (*error.args[:1], error.__context__, error):
        if getattr(cause, "sqlstate", None) in PG_BUSY_SQLSTATES:
            return True
    return any(text in str(error) for text in SQLITE_BUSY_TEXTS)


@contextmanager
def _busy_as_domain_error() -> Iterator[None]:
    """A lock held elsewhere becomes errors.Busy, so callers need not read driver messages."""
    try:
        yield
    except OperationalError as exc:
        if is_busy_error(exc):
            raise Busy(
                _("the database is busy (another console or the purge is writing); nothing was saved, try again")
            ) from exc
        raise


class _BusyAware:
    """Mixin for the peewee databases: statements, BEGIN and COMMIT raise errors.Busy on a held lock."""

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        with _busy_as_domain_error():
            return super().execute_sql(sql, params)  # type: ignore[misc]

    def begin(self, *args: Any, **kwargs: Any) -> None:
        with _busy_as_domain_error():
            super().begin(*args, **kwargs)  # type: ignore[misc]

    def commit(self) -> None:
        with _busy_as_domain_error():
            super().commit()  # type: ignore[misc]


class Sqlite(_BusyAware, SqliteDatabase):
    """SQLite with errors.Busy for 'database is locked'."""


class Postgresql(_BusyAware, PostgresqlDatabase):
    """PostgreSQL with errors.Busy for a lock timeout."""


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with the installation's mode (models/core/modes.py) before SQLite
    touches it, and put an existing one and its WAL/SHM back to that mode: SQLite gives the WAL
    and SHM the database file's mode."""
    from models.core import modes

    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        modes.create_file(path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        notice = modes.enforce(path.with_name(path.name + suffix))
        if notice:
            modes.notices.append(notice)


def open_database(url: str) -> Database:
    """Connect the proxy to the database at `url` and return the concrete database."""
    target = parse_url(url)
    if target.backend == "sqlite":
        assert target.path is not None
        _create_private_file(target.path)
        db: Database = Sqlite(
            str(target.path),
            pragmas=SQLITE_PRAGMAS,
            timeout=BUSY_TIMEOUT_SECONDS,
            lock_type="IMMEDIATE",  # writers queue up front instead of deadlocking on upgrade
            check_same_thread=False,
        )
    else:
        parsed = urlparse(url)
        # no host: libpq's local socket (peer authentication), or the folder named by ?host=/run/postgresql
        socket_dir = parse_qs(parsed.query).get("host", [None])[0]
        kwargs: dict[str, object] = {
            "host": parsed.hostname or socket_dir,
            "port": parsed.port,
            "user": unquote(parsed.username) if parsed.username else None,
            "password": unquote(parsed.password) if parsed.password else None,
        }
        if target.schema:
            kwargs["options"] = f"-c search_path={target.schema}"
        db = Postgresql(
            parsed.path.lstrip("/") or "postgres",
            **{k: v for k, v in kwargs.items() if v is not None},
        )
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        if target.backend == "postgresql" and target.schema:
            found = db.execute_sql("SELECT 1 FROM pg_namespace WHERE nspname = %s", (target.schema,)).fetchone()
            if found is None:
                db.close()
                raise DatabaseUnavailable(
                    _("{where}: the schema {schema!r} does not exist; create it first (CREATE SCHEMA {schema})").format(
                        where=target.describe(), schema=target.schema
                    )
                )
    except Exception as exc:
        problem = database_problem(exc, target)
        if problem is None:
            raise
        raise problem from None
    _current["target"] = target
    return db


_SQLITE_PROBLEMS = (
    ("readonly", "the database file is read-only for this account"),
    ("disk is full", "the disk is full"),
    ("unable to open", "the database file cannot be opened"),
    ("disk i/o error", "a disk I/O error occurred"),
    ("malformed", "the database file is damaged (malformed)"),
    ("not a database", "the file is not a database"),
)


def database_problem(exc: BaseException, target: DatabaseTarget | None = None) -> DatabaseUnavailable | None:
    """The one-line user-facing error for a driver failure, or None if `exc` is not one.

    Connection refused, a wrong password, a missing schema, a read-only or full disk: each
    becomes a DatabaseUnavailable naming the place, so no traceback reaches an operator.
    """
    if isinstance(exc, DatabaseUnavailable):
        return exc
    module = type(exc).__module__ or ""
    if not (module.startswith(("peewee", "sqlite3", "psycopg", "psycopg2")) or isinstance(exc, sqlite3.Error)):
        return None
    if target is None:
        target = _current.get("target")
    where = target.describe() if target is not None else _("database")
    raw = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = raw.lower().replace("-", "")
    name = type(exc).__name__
    if name == "InvalidSchemaName" or ("schema" in lowered and "does not exist" in lowered):
        text = _("a schema named in the URL does not exist ({error})").format(error=raw)
    elif "authentication failed" in lowered or ("role" in lowered and "does not exist" in lowered):
        text = _("the server refused the login: {error}").format(error=raw)
    elif "connection refused" in lowered or "could not connect" in lowered or "connection failed" in lowered:
        text = _("cannot connect to the server: {error}").format(error=raw)
    else:
        text = next((_(message) for key, message in _SQLITE_PROBLEMS if key in lowered), None) or raw
    return DatabaseUnavailable(_("{where}: {problem}").format(where=where, problem=text))


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


@contextmanager
def worker_connection() -> Iterator[None]:
    """Around the body of a thread worker: its connection is closed when the body ends, however it ends.

    The console runs its queries in short-lived worker threads; a connection left open per finished
    thread would pile up (and on SQLite keep WAL readers alive). Use as `with worker_connection():`
    or as a decorator `@worker_connection()` below `@work(thread=True)`.
    """
    try:
        yield
    finally:
        close_database()  # peewee keeps one connection per thread: this thread's


def current_target() -> DatabaseTarget:
    return _current["target"]


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def table_exists(name: str) -> bool:
    """Whether the table is in the current schema (PostgreSQL) or the file (SQLite).

    peewee's table_exists lists every table of the schema from pg_tables, about 10 ms on the
    server's catalog; to_regclass looks up the one name.
    """
    if not is_postgres():
        return bool(database.table_exists(name))
    row = database.execute_sql(
        "SELECT to_regclass(quote_ident(current_schema()) || '.' || quote_ident(%s)) IS NOT NULL", (name,)
    ).fetchone()
    return bool(row and row[0])


def lock_key(name: str) -> int:
    """A stable 63-bit advisory-lock key for `name`, distinct per schema."""
    target = current_target()
    digest = hashlib.sha256(f"{target.schema or ''}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFFFFFFFFFFFFFF


# The one order in which a write transaction takes its PostgreSQL advisory locks (SQLite has a
# single writer and takes none, but the order is checked there too so both backends obey it).
# A transaction may take a lock of a later rank than every lock it holds, or one it holds
# already; anything else could deadlock against a transaction that takes the two the other
# way round, so `write_tx` refuses it with LockOrderError (a programming error, never user input).
# Session-level locks (the purge lease, `lease:*`) are taken outside any transaction, first.
# The audit lock comes last: audit events of a transaction are buffered and written with one
# head update just before it commits (see models/core/audit.py), so it is held for milliseconds.
# "import" is taken by imports only, first: an import stores its early part (rows no desk
# numbers) before the data locks, and two imports must not meet on those rows uncommitted.
LOCK_ORDER: tuple[str, ...] = ("schema", "import", "billing", "retention_due", "purge_item", "ref", "audit")

# What a job that may touch anything (an import) takes up front, in order; audit comes at commit.
ALL_DATA_LOCKS: tuple[str, ...] = ("billing", "retention_due", "purge_item", "ref")


class LockOrderError(RuntimeError):
    """A transaction asked for an advisory lock against LOCK_ORDER."""


def lock_rank(name: str) -> int:
    """Where `name` stands in LOCK_ORDER."""
    if name not in LOCK_ORDER:
        raise LockOrderError(f"advisory lock {name!r} has no place in LOCK_ORDER")
    return LOCK_ORDER.index(name)


class _TxState(threading.local):
    def __init__(self) -> None:
        self.held: list[str] = []
        self.before_commit: list[Callable[[], None]] = []
        self.buffers: dict[str, list[object]] = {}


_tx = _TxState()


def _take(name: str) -> None:
    if name in _tx.held:
        return
    if _tx.held:
        last = max(_tx.held, key=lock_rank)
        if lock_rank(name) < lock_rank(last):
            raise LockOrderError(
                f"advisory lock {name!r} requested after {last!r}; LOCK_ORDER is {', '.join(LOCK_ORDER)}"
            )
    else:
        lock_rank(name)
    if is_postgres():
        _advisory_lock_within_budget(name)
    _tx.held.append(name)


def take_lock(name: str) -> None:
    """Take the advisory lock `name` in the open transaction, in LOCK_ORDER (PostgreSQL; checked on both)."""
    if _tx_open():
        _take(name)
    elif is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key(name),))


def before_commit(callback: Callable[[], None]) -> bool:
    """Run `callback` once, inside the outermost `write_tx`, just before it commits.

    Returns False (and does nothing) when no `write_tx` is open, so the caller writes at once.
    A rollback drops the callback with everything else.
    """
    if not _tx_open():
        return False
    if callback not in _tx.before_commit:
        _tx.before_commit.append(callback)
    return True


def tx_buffer(key: str) -> list[object] | None:
    """A list that lives as long as the open `write_tx` (None outside one).

    What a savepoint appended is dropped again when that savepoint rolls back, so buffered
    work (audit events) follows the data it describes.
    """
    if not _tx_open():
        return None
    return _tx.buffers.setdefault(key, [])


def _tx_open() -> bool:
    return _tx_depth.value > 0


class _Depth(threading.local):
    value = 0


_tx_depth = _Depth()


@contextmanager
def write_tx(serialize: str | tuple[str, ...] | None = None) -> Iterator[None]:
    """A write transaction; with `serialize`, one such transaction at a time across processes.

    SQLite transactions already begin IMMEDIATE (one writer at a time). PostgreSQL takes a
    transaction-scoped advisory lock per name in `serialize`, in LOCK_ORDER. A long job that
    needs several locks names them all up front (a tuple) so they are taken in that order.
    Nested calls are savepoints of the outer transaction; only the outermost one commits.
    """
    names = (serialize,) if isinstance(serialize, str) else tuple(serialize or ())
    outermost = _tx_depth.value == 0
    if outermost and database.in_transaction():
        # a bare database.atomic() around us: join it as a savepoint, as before
        with database.atomic():
            for name in sorted(names, key=lock_rank):
                if is_postgres():
                    _advisory_lock_within_budget(name)
            yield
        return
    context = ExitStack()
    if outermost:
        _tx.held, _tx.before_commit, _tx.buffers = [], [], {}
        _begin_within_budget(context)
        marks: dict[str, int] = {}
        began = time.monotonic()
    else:
        marks = {key: len(items) for key, items in _tx.buffers.items()}
        context.enter_context(database.atomic())  # a savepoint: a caller may catch an inner failure and go on
    _tx_depth.value += 1
    try:
        with context:
            for name in sorted(names, key=lock_rank):
                _take(name)
            yield
            if outermost:
                while _tx.before_commit:
                    _tx.before_commit.pop(0)()
    except BaseException:
        if not outermost:
            for key, items in _tx.buffers.items():
                del items[marks.get(key, 0) :]
        raise
    finally:
        _tx_depth.value -= 1
        if outermost:
            _tx.held, _tx.before_commit, _tx.buffers = [], [], {}
    if outermost and _job.active and _job.give_way and is_sqlite():
        _give_way(time.monotonic() - began)


# --- Long jobs give way between their steps ----------------------------------------------------
# SQLite's write lock has no queue: a job that commits a step and begins the next at once takes
# the lock again before any waiting desk wakes up (SQLite's busy handler sleeps up to 100 ms
# between looks). Inside `background_job()` each committed write transaction is therefore
# followed by a pause as long as the transaction took, at most JOB_STEP_PAUSE_SECONDS: a job of
# steps of 0.1 s or more runs at about half speed while a desk never waits for more than one
# step. PostgreSQL serves lock waiters in order and needs no pause.
JOB_STEP_PAUSE_SECONDS = 0.1


class _Job(threading.local):
    active = False
    give_way = True


_job = _Job()


@contextmanager
def background_job(*, give_way: bool = True) -> Iterator[None]:
    """Mark this thread's write transactions as the steps of a long job (see above): each may wait
    JOB_BUSY_BUDGET_SECONDS for the lock. `give_way=False` for a job whose steps have gaps of their
    own (the purge shreds files and writes its journal between them) and would only be slowed."""
    before = _job.active, _job.give_way
    _job.active, _job.give_way = True, give_way
    try:
        yield
    finally:
        _job.active, _job.give_way = before


def _give_way(step_seconds: float) -> None:
    time.sleep(min(JOB_STEP_PAUSE_SECONDS, step_seconds))


# --- The busy budget -------------------------------------------------------------------------
# A write that meets a lock held by another connection (SQLite's single write lock at BEGIN
# IMMEDIATE; a PostgreSQL advisory lock of LOCK_ORDER) does not fail at once: it waits in short
# attempts, the first BUSY_BUDGET.first_wait seconds, each next one twice as long (at most
# longest_wait), with a pause between them that doubles too, until BUSY_BUDGET.total seconds
# are spent (on SQLite never more than the connection's BUSY_TIMEOUT_SECONDS). Only then does
# errors.Busy reach the caller, and the console shows "database busy" with the form still
# open. Long jobs commit in steps well under a second, so the budget is only spent when
# something holds a lock far longer than it should; who that was is logged
# (logger "support24.locks").
# Statements outside a write transaction keep SQLite's own busy timeout (BUSY_TIMEOUT_SECONDS).


@dataclass(frozen=True)
class BusyBudget:
    """How long, in all and per attempt, a write transaction may wait for a lock."""

    total: float = 5.0
    first_wait: float = 0.25
    longest_wait: float = 1.0
    first_pause: float = 0.02


BUSY_BUDGET = BusyBudget()


JOB_BUSY_BUDGET_SECONDS = 60.0  # inside background_job(): a job may wait longer than a desk, it has nobody waiting


def _budget_total() -> float:
    if _job.active:
        return JOB_BUSY_BUDGET_SECONDS
    if is_sqlite():
        return min(BUSY_BUDGET.total, float(BUSY_TIMEOUT_SECONDS))
    return BUSY_BUDGET.total


def _attempt_failed(attempt: int, what: str) -> None:
    """An attempt met a held lock and will be tried again (a seam for tests)."""
    log.debug("attempt %d for %s met a held lock; trying again", attempt, what)


SLOW_WAIT_SECONDS = 1.0  # a write that waited longer is logged (INFO) with who held the lock when it began to wait


def _holder_or_unknown(holder: Callable[[], str | None]) -> str:
    try:
        return holder() or "someone unknown"
    except Exception as exc:  # noqa: BLE001 - naming the holder is a courtesy, never a new failure
        return f"unknown ({type(exc).__name__})"


def _within_budget(
    what: str,
    attempt: Callable[[float], None],
    holder: Callable[[], str | None],
    *,
    queue: bool = False,
    seen_holder: str | None = None,
    began: float | None = None,
) -> None:
    """Run `attempt(wait_seconds)` until it stops raising errors.Busy or the budget is spent.

    With `queue` (a PostgreSQL lock, whose waiters are served in order) an attempt waits for
    all the budget left: giving up the place in the queue between attempts would let a job that
    commits and takes the lock again straight away go first every time.
    """
    total = _budget_total()
    began = time.monotonic() if began is None else began
    wait, pause, tries = BUSY_BUDGET.first_wait, BUSY_BUDGET.first_pause, 0
    while True:
        left = total - (time.monotonic() - began)
        try:
            attempt(max(0.001, left if queue else min(wait, left)))
        except Busy:
            tries += 1
            if seen_holder is None:
                seen_holder = _holder_or_unknown(holder)
            left = total - (time.monotonic() - began)
            if left <= pause:
                log.warning(
                    "%s gave up after %.1f s and %d attempts; the lock was held by %s",
                    what,
                    time.monotonic() - began,
                    tries,
                    _holder_or_unknown(holder),
                )
                raise
            _attempt_failed(tries, what)
            time.sleep(pause)
            wait, pause = min(wait * 2, BUSY_BUDGET.longest_wait), pause * 2
        else:
            waited = time.monotonic() - began
            if waited > SLOW_WAIT_SECONDS:
                log.info("%s waited %.1f s; when it began to wait the lock was held by %s", what, waited, seen_holder)
            return


def _begin_within_budget(stack: ExitStack) -> None:
    """Open the outermost transaction on `stack`; SQLite's BEGIN IMMEDIATE waits within the budget."""
    if not is_sqlite():
        stack.enter_context(database.atomic())
        # A row another transaction holds (its uncommitted insert, update or delete) is waited
        # for within the same budget; past it the statement fails with lock_not_available: Busy.
        database.execute_sql("SELECT set_config('lock_timeout', %s, true)", (f"{int(_budget_total() * 1000)}ms",))
        return

    def attempt(wait: float) -> None:
        database.execute_sql(f"PRAGMA busy_timeout = {max(1, int(wait * 1000))}")
        try:
            stack.enter_context(database.atomic())
        finally:
            database.execute_sql(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")

    _within_budget("a write transaction", attempt, sqlite_lock_holder)


def _advisory_lock_within_budget(name: str) -> None:
    """Take a transaction-level advisory lock: at once if it is free, else within the budget.

    The patient attempt waits in the server's queue for the lock, in a savepoint with a
    lock_timeout of the budget left, so a timed-out attempt leaves the transaction (and the
    locks it holds already) as it was.
    """
    key = lock_key(name)
    began = time.monotonic()
    if database.execute_sql("SELECT pg_try_advisory_xact_lock(%s)", (key,)).fetchone()[0]:
        return
    seen = _holder_or_unknown(lambda: pg_lock_holder(key))
    _attempt_failed(1, f"the lock {name!r}")  # the first attempt: at once, without waiting
    before = database.execute_sql("SELECT current_setting('lock_timeout')").fetchone()[0]

    def attempt(wait: float) -> None:
        with database.atomic():  # a savepoint
            database.execute_sql("SELECT set_config('lock_timeout', %s, true)", (f"{max(1, int(wait * 1000))}ms",))
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (key,))
        database.execute_sql("SELECT set_config('lock_timeout', %s, true)", (before,))

    try:
        _within_budget(
            f"the lock {name!r}", attempt, lambda: pg_lock_holder(key), queue=True, seen_holder=seen, began=began
        )
    finally:
        if not database.is_closed():
            try:
                database.execute_sql("SELECT set_config('lock_timeout', %s, true)", (before,))
            except Exception:  # noqa: BLE001 - the transaction may be aborted; its rollback resets it
                pass


def pg_lock_holder(key: int) -> str | None:
    """Who holds the advisory lock `key` (PostgreSQL): role, application, pid, for how long, doing what."""
    row = database.execute_sql(
        "SELECT a.pid, a.usename, a.application_name, a.state, "
        "round(extract(epoch FROM now() - a.xact_start)::numeric, 1), left(a.query, 120) "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.classid::text::bigint = %s AND l.objid::text::bigint = %s AND l.objsubid = 1 "
        "AND l.pid <> pg_backend_pid() LIMIT 1",
        (key >> 32, key & 0xFFFFFFFF),
    ).fetchone()
    if row is None:
        return None
    pid, user, application, state, seconds, query = row
    return f"role {user} pid {pid} ({application or 'no application name'}), {state} for {seconds} s: {query}"


def sqlite_lock_holder() -> str | None:
    """Who holds SQLite's write lock, as far as can be told: the process (Linux /proc/locks on the
    WAL index, whose byte 120 is the write lock) and the purge lease, if one is held."""
    target = _current.get("target")
    if target is None or target.path is None:
        return None
    parts: list[str] = []
    shm = target.path.with_name(target.path.name + "-shm")
    try:
        inode = shm.stat().st_ino
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            # "1: POSIX  ADVISORY  WRITE 4711 08:01:123456 120 120"
            if len(fields) >= 8 and fields[1] == "POSIX" and fields[3] == "WRITE":
                if fields[5].rsplit(":", 1)[-1] == str(inode) and fields[6] == "120":
                    pid = fields[4]
                    try:
                        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
                    except OSError:
                        command = "?"
                    parts.append(f"pid {pid} ({command.strip()})")
    except OSError:
        pass
    try:
        from models.core import clock
        from models.core.entities import PurgeLease

        leases = list(PurgeLease.select().where(PurgeLease.expires_at > clock.now()))
    except Exception:  # noqa: BLE001 - an old schema without the lease table
        leases = []
    for lease in leases:  # the purge's, a billing export's: a long job that is running
        parts.append(f"{lease.name} lease of {lease.holder} since {lease.acquired_at:%Y-%m-%d %H:%M:%S} UTC")
    return "; ".join(parts) or None
