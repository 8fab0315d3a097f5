"""The purge (DESIGN.md §5): delete what is due and not held, in short transactions, with proof.

One run takes the purge lease, brings due dates up to the active policy, walks the queue's
due and overdue items in keyset batches, deletes each item with its deletion record, rotates
old backups, appends the records to the journal and makes the deletion irrecoverable in the
database files (WAL checkpoint on SQLite, VACUUM on PostgreSQL).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from models.browse.paging import ListQuery, SortKey, chosen_sort, keyset
from models.core import audit, clock
from models.core.db import BUSY_TIMEOUT_SECONDS, background_job, database, is_postgres, is_sqlite
from models.core.entities import AccessRequest, BillingRecord, DeletionRecord, PurgeRun, RetentionDue, Staff
from models.core.errors import PermissionDenied
from models.core.i18n import N_, _
from models.core.identity import require_role
from models.purge import backups as purge_backups
from models.purge import journal as purge_journal
from models.purge.chunks import delete_order_chunk, delete_row_chunk
from models.purge.items import drop_empty_due_rows
from models.purge.lease import Lease, describe_holder
from models.purge.runs import RunView
from models.purge.runs import last_run as last_run  # where the CLI and the tests find it
from models.purge.runs import view as _view
from models.retention import due as retention_due
from models.retention import queue as retention
from models.retention.due import SESSION_CATEGORIES
from models.retention.policy import active

PURGE_ROLES = ("privacy_officer",)  # who may run or preview a purge by hand (DESIGN.md §3)
Progress = Callable[[int, int], None]  # (items done, items planned)
RENEW_EVERY_SECONDS = 60.0  # well inside the lease's 10 minutes
# PostgreSQL: the tables each category's deletion removes rows from, cascades included (a session's
# logged connections go by its key). VACUUM then ANALYZE of exactly these: the first frees the dead
# rows, the second replaces statistics whose sampled values (pg_statistic) may quote deleted data.
_SESSION_TABLES = (
    "system_info",
    "gathered_file",
    "activity_event",
    "chat_message",
    "recording",
    "consent",
    "participant",
    "disclosure",
    "logged_connection",
    "remote_session",
    "retention_due",
)
DELETED_FROM = {
    "system_info": ("system_info", "retention_due"),
    "activity": ("activity_event", "retention_due"),
    "chat": ("chat_message", "retention_due"),
    "gathered_files": ("gathered_file", "retention_due"),
    "video": ("recording", "consent", "retention_due"),  # the recording consent goes with the video
    "connection": _SESSION_TABLES,  # the whole order's session rows
    "billing": ("billing_record",),
    "access_requests": ("access_request", "access_request_exclusion"),
}
VACUUM_TABLES = tuple(dict.fromkeys(t for tables in DELETED_FROM.values() for t in tables))

CHECKPOINT_ATTEMPTS = 5
CHECKPOINT_PAUSE_SECONDS = 0.2


@dataclass
class PurgeResult:
    run_id: int
    dry_run: bool
    policy_version: str
    deleted: dict[str, int] = field(default_factory=dict)  # items per category (planned on a dry run)
    checkpoint: str | None = None

    @property
    def total(self) -> int:
        return sum(self.deleted.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "policy_version": self.policy_version,
            "deleted": dict(sorted(self.deleted.items())),
            "total": self.total,
            "checkpoint": self.checkpoint,
        }


def _due_batches(as_of: datetime, batch_size: int) -> Iterator[tuple[str, list[int]]]:
    """Due, unheld items in batches: category by category (the session row last),
    each by keyset on its own index, so a backlog of years costs no more per batch than a day's."""
    rd = RetentionDue
    for name in SESSION_CATEGORIES:
        last = 0
        while True:
            ids = [
                order_id
                for (order_id,) in rd.select(rd.order)
                .where((rd.category == name) & (rd.order > last) & (rd.due_at <= as_of) & ~retention.held(rd.order))
                .order_by(rd.order)
                .limit(batch_size)
                .tuples()
            ]
            if not ids:
                break
            yield name, ids
            last = ids[-1]
    for name, model, hold_column in (
        ("billing", BillingRecord, BillingRecord.order),
        ("access_requests", AccessRequest, None),
    ):
        last = 0
        while True:
            where = (model.id > last) & (model.due_at <= as_of)
            if hold_column is not None:
                where &= ~retention.held(hold_column)
            ids = [
                item_id
                for (item_id,) in model.select(model.id).where(where).order_by(model.id).limit(batch_size).tuples()
            ]
            if not ids:
                break
            yield name, ids
            last = ids[-1]


def _count_due(as_of: datetime) -> int:
    return sum(r.count for r in retention.queue_summary(as_of) if r.state in ("due", "overdue"))


def _plan(as_of: datetime, batch_size: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in retention.queue_summary(as_of):
        if row.state in ("due", "overdue"):
            counts[row.category] = counts.get(row.category, 0) + row.count
    counts_backup = purge_backups.due_count(as_of, active().backup_rotation_days)
    if counts_backup:
        counts["backup"] = counts_backup
    return counts


def run_purge(
    actor: Staff,
    *,
    data_dir: Path,
    dry_run: bool = False,
    scheduled: bool = False,
    batch_size: int = 500,
    progress: Progress | None = None,
    holder: str | None = None,
) -> PurgeResult:
    """Delete everything due and not held; raise errors.Busy naming the holder if a purge runs elsewhere.

    A purge or preview by hand needs PURGE_ROLES. A `scheduled` run is the timer's (in any console
    or `support24 scheduler`): P7/P8 deletions fall due whoever is at the console, so it needs only
    an active member of staff, whose name the run and the audit trail carry.
    """
    if not scheduled:
        require_role(actor, *PURGE_ROLES)
    elif not actor.active:
        raise PermissionDenied(_("{user} is not active").format(user=actor.username))
    operator = actor.username
    policy = active()
    as_of = clock.now()
    retention_due.sync(policy)
    if dry_run:
        run = PurgeRun.create(
            started_at=as_of,
            finished_at=clock.now(),
            operator=operator,
            host=socket.gethostname(),
            policy_version=policy.version,
            dry_run=True,
            state="done",
        )
        audit.record(operator, "purge.dry_run", f"run {run.id}")
        audit.witness(f"purge preview {run.id}")
        return PurgeResult(run.id, True, policy.version, _plan(as_of, batch_size))
    lease = Lease(holder or describe_holder(operator))
    with lease, background_job(give_way=False):  # a job's budget for each step (models/core/db.py)
        purge_journal.catch_up(data_dir)
        # holding the lease, no other run is alive: a "running" one was killed
        PurgeRun.update(state="interrupted").where((PurgeRun.state == "running") & ~PurgeRun.dry_run).execute()
        run = PurgeRun.create(
            started_at=as_of,
            operator=operator,
            host=socket.gethostname(),
            policy_version=policy.version,
            dry_run=False,
            state="running",
        )
        result = PurgeResult(run.id, False, policy.version)
        try:
            _purge_items(
                run, result, as_of=as_of, data_dir=data_dir, batch_size=batch_size, progress=progress, lease=lease
            )
            drop_empty_due_rows(as_of)
            for record in purge_backups.rotate(
                as_of, policy.backup_rotation_days, run=run, policy_version=policy.version
            ):
                result.deleted[record.category] = result.deleted.get(record.category, 0) + 1
        except BaseException as exc:
            PurgeRun.update(
                state="failed", finished_at=clock.now(), error=str(exc)[:2000], deleted_count=result.total
            ).where(PurgeRun.id == run.id).execute()
            purge_journal.catch_up(data_dir)
            raise
        PurgeRun.update(state="done", finished_at=clock.now(), deleted_count=result.total).where(
            PurgeRun.id == run.id
        ).execute()
        purge_journal.catch_up(data_dir)
        audit.record(operator, "purge.run", f"run {run.id}", f"deleted {result.total} items")
    # last: nothing written after it. A billing record that only lost its purged session keeps all it said.
    touched = [t for t in VACUUM_TABLES if any(t in DELETED_FROM.get(name, ()) for name in result.deleted)]
    result.checkpoint = compact(touched=bool(result.total), tables=touched)
    audit.witness(f"purge run {run.id}")  # the head after the run, kept outside the database
    return result


def _purge_items(
    run: PurgeRun,
    result: PurgeResult,
    *,
    as_of: datetime,
    data_dir: Path,
    batch_size: int,
    progress: Progress | None,
    lease: Lease,
) -> None:
    planned = _count_due(as_of)
    done, renewed = 0, [time.monotonic()]
    if progress:
        progress(0, planned)

    def keep_lease() -> None:  # a chunk with big files to shred keeps the lease
        if time.monotonic() - renewed[0] > RENEW_EVERY_SECONDS:
            lease.renew()
            renewed[0] = time.monotonic()

    for category, ids in _due_batches(as_of, batch_size):
        if category in SESSION_CATEGORIES:
            deleted = delete_order_chunk(
                category,
                ids,
                as_of=as_of,
                data_dir=data_dir,
                run=run,
                policy_version=run.policy_version,
                tick=keep_lease,
            )
        else:
            deleted = delete_row_chunk(category, ids, as_of=as_of, run=run, policy_version=run.policy_version)
        for name, count in deleted.items():
            result.deleted[name] = result.deleted.get(name, 0) + count
        done += len(ids)
        if progress:
            progress(done, max(planned, done))
        lease.renew()
        renewed[0] = time.monotonic()


def compact(*, touched: bool = True, tables: list[str] | None = None) -> str | None:
    """Make deleted rows unrecoverable in the database files; returns what was done. On PostgreSQL
    `tables` are those deleted from (default: every table a purge or replay may delete from)."""
    if is_sqlite():
        return checkpoint_wal()
    vacuumed = VACUUM_TABLES if tables is None else tables
    if is_postgres() and touched and vacuumed:
        for table in vacuumed:
            database.execute_sql(f'VACUUM (ANALYZE) "{table}"')
        return "vacuum " + ", ".join(vacuumed)
    return None


def checkpoint_wal(attempts: int = CHECKPOINT_ATTEMPTS, pause: float = CHECKPOINT_PAUSE_SECONDS) -> str:
    """Checkpoint and truncate the WAL without ever waiting on a reader while holding the write lock.

    With the busy timeout at zero a TRUNCATE checkpoint that meets a reader does what PASSIVE
    does (copies what it can, blocks nobody) and reports busy; it is tried again after a pause
    with no lock held, a few times, and otherwise by the next purge run, which ends the same way.
    """
    database.execute_sql("PRAGMA busy_timeout = 0")
    try:
        for attempt in range(1, attempts + 1):
            busy, log, moved = database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return f"wal_checkpoint(TRUNCATE) busy=0 log={log} checkpointed={moved} attempt={attempt}"
            if attempt < attempts:
                time.sleep(pause)
        return (
            f"wal_checkpoint(PASSIVE: readers present) busy={busy} log={log} checkpointed={moved}; "
            "TRUNCATE retried by the next purge run"
        )
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")


def recent_runs(after: int | None = None, limit: int = 50) -> list[RunView]:
    """Purge runs, newest first, keyset-paged by run id (pass the last id seen)."""
    query = PurgeRun.select()
    if after is not None:
        query = query.where(PurgeRun.id < after)
    return [_view(r) for r in query.order_by(PurgeRun.id.desc()).limit(limit)]


RUN_SORTS = (SortKey("started", N_("started"), descending=True),)


def runs_listed(q: ListQuery | None, after: tuple[Any, ...] | None, limit: int = 50) -> list[RunView]:
    """Purge runs by start (newest first, or oldest first), ties by id; `after` = (started_at, id).
    `q.text` matches a state (done, failed, ...) or the start of the operator's username."""
    query = PurgeRun.select()
    text = (q.text if q is not None else "").strip()
    if text:
        query = query.where((PurgeRun.state == text.lower()) | PurgeRun.operator.startswith(text.lower()))
    _sort, descending = chosen_sort(RUN_SORTS, q)
    return [_view(r) for r in keyset(query, PurgeRun.started_at, PurgeRun.id, descending, after).limit(limit)]


def deletions(run_id: int | None = None, after: int | None = None, limit: int = 50) -> list[DeletionRecord]:
    """Deletion records, newest first, optionally of one run; keyset-paged by record id."""
    query = DeletionRecord.select()
    if run_id is not None:
        query = query.where(DeletionRecord.run == run_id)
    if after is not None:
        query = query.where(DeletionRecord.id < after)
    return list(query.order_by(DeletionRecord.id.desc()).limit(limit))


DELETION_SORTS = (SortKey("record", N_("record"), descending=True),)


def deletions_listed(
    run_id: int | None, q: ListQuery | None, after: int | None = None, limit: int = 50
) -> list[DeletionRecord]:
    """Deletion records by record id, newest (or oldest) first, optionally of one run; `q.text`
    matches the start of the deleted item's ref or its category."""
    query = DeletionRecord.select()
    if run_id is not None:
        query = query.where(DeletionRecord.run == run_id)
    text = (q.text if q is not None else "").strip()
    if text:
        query = query.where(DeletionRecord.ref.startswith(text.upper()) | (DeletionRecord.category == text.lower()))
    _sort, descending = chosen_sort(DELETION_SORTS, q)
    if after is not None:
        query = query.where(DeletionRecord.id < after if descending else DeletionRecord.id > after)
    order = DeletionRecord.id.desc() if descending else DeletionRecord.id
    return list(query.order_by(order).limit(limit))


def deletion_dict(record: DeletionRecord) -> dict[str, Any]:
    return purge_journal.as_line(record)
