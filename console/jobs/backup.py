"""Backups of the SQLite database and the restore that replays the deletion journal (P10).

A backup is an online copy (SQLite backup API) into a private folder, catalogued in
BackupEntry; the purge shreds it after the policy's rotation period. A restore copies a backup
back over the database and, before anything else uses it, re-applies every journalled deletion
made since (models/purge/replay.py). PostgreSQL has its own tools (pg_dump, base backups); after
restoring with them, `support24 deletions reapply` does the replay.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.jobs.scratch import SCRATCH_PREFIX, shred_scratch
from console.settings.config import ensure_private_dir
from models.core import audit, clock, modes
from models.core.db import close_database, current_target, is_sqlite, open_database
from models.core.entities import BackupEntry
from models.core.errors import RuleViolation, ValidationError
from models.core.i18n import _
from models.core.schema import ensure_schema
from models.purge import journal as purge_journal
from models.purge import run as purge
from models.purge.lease import Lease, describe_holder
from models.purge.replay import ReplayResult, reapply
from models.retention import due as retention_due

PREFIX = "support24-backup-"


@dataclass(frozen=True)
class RestoreResult:
    backup: Path
    replay: ReplayResult

    def as_dict(self) -> dict[str, Any]:
        return {"restored_from": str(self.backup), **self.replay.as_dict()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _require_sqlite(action: str) -> Path:
    if not is_sqlite():
        raise RuleViolation(
            _(
                "{action} works on the SQLite database only; on PostgreSQL use pg_dump / pg_restore and then run "
                "`support24 deletions reapply` (docs/retention.md)"
            ).format(action=action)
        )
    path = current_target().path
    assert path is not None
    return path


def make_backup(operator: str, out_dir: Path) -> BackupEntry:
    """Copy the open SQLite database into out_dir (0700 folder, 0600 file) and catalogue it."""
    db_path = _require_sqlite("backup")
    ensure_private_dir(out_dir)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    target = out_dir / f"{PREFIX}{stamp}.db"
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, modes.file_mode())
    modes.apply_fd(fd)
    os.close(fd)
    source = sqlite3.connect(str(db_path))
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no WAL beside it
        finally:
            dest.close()
    finally:
        source.close()
    entry = BackupEntry.create(
        path=str(target.resolve()), created_at=clock.now(), size=target.stat().st_size, sha256=_sha256(target)
    )
    audit.record(operator, "backup.create", target.name)
    return entry


def _check_backup(path: Path) -> None:
    if not path.is_file():
        raise ValidationError("FILE", _("{path} is not a file").format(path=path))
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
            con.execute("SELECT value FROM schema_meta WHERE key = 'schema_version'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ValidationError(
            "FILE", _("{path} is not a support24 backup: {problem}").format(path=path, problem=exc)
        ) from None
    if ok != "ok":
        raise ValidationError("FILE", _("{path} is damaged: {problem}").format(path=path, problem=ok))


def _copy_database(source: Path, dest: Path) -> None:
    """SQLite's online backup API: dest gets source's pages in one write transaction."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(dest), timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def restore(operator: str, backup: Path, data_dir: Path) -> RestoreResult:
    """Put a backup in place of the database with the journal already replayed.

    The backup is copied to a private scratch file, the journal is replayed there, and only
    then is the result copied over the database in one transaction: the database is never
    seen restored but not yet replayed, even if the restore fails half-way. The purge lease is
    held throughout; consoles should be closed (docs/retention.md).
    """
    db_path = _require_sqlite("restore")
    _check_backup(backup)
    url = current_target().url
    scratch = data_dir / f"{SCRATCH_PREFIX}{clock.now().strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}.db"
    lease = Lease(describe_holder(operator, "restore"))
    lease.acquire()
    lock_fd = -1
    try:
        # A purge killed after its commit left deletion records the journal lacks: journal them
        # from the live database now, before it is replaced, so the replay below has them all.
        purge_journal.catch_up(data_dir)
        lock_fd = os.open(
            scratch, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, modes.file_mode()
        )
        fcntl.flock(lock_fd, fcntl.LOCK_EX)  # while held, remove_stale_scratch knows this restore runs
        _copy_database(backup, scratch)
        close_database()
        try:
            open_database(f"sqlite:///{scratch}")
            ensure_schema()
            journal = purge_journal.journal_path(data_dir)
            replay = reapply(purge_journal.read(journal), data_dir) if journal.exists() else ReplayResult()
            retention_due.sync()
            purge.compact()
        finally:
            close_database()
        _copy_database(scratch, db_path)
    finally:
        close_database()  # whatever was open (the scratch copy after a failure): back to the live database
        shred_scratch(scratch)
        if lock_fd >= 0:
            os.close(lock_fd)
        open_database(url)
        lease.release()
    audit.record(operator, "backup.restore", backup.name, f"replayed {replay.applied} deletions")
    purge.compact()
    return RestoreResult(backup, replay)


def reapply_journals(operator: str, journals: list[Path], data_dir: Path) -> ReplayResult:
    """`deletions reapply`: after a restore made with the database's own tools (PostgreSQL)."""
    total = ReplayResult()
    with Lease(describe_holder(operator, "reapply")):
        for journal in journals:
            if not journal.exists():
                raise ValidationError("journal", _("{path} does not exist").format(path=journal))
            part = reapply(purge_journal.read(journal), data_dir)
            total.applied += part.applied
            total.already += part.already
        audit.record(operator, "deletions.reapply", None, f"replayed {total.applied} deletions")
    purge.compact()
    return total
