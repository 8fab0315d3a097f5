"""Backups the console made are deleted securely once older than the policy's rotation period
(P10: "with all copies on backup media"); the restore replays the journal for the rest."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from peewee import SQL, fn

from models.core import clock
from models.core.db import write_tx
from models.core.entities import BackupEntry, DeletionRecord, PurgeRun
from models.purge import files as purge_files
from models.purge.chunks import note_problems


def _due(as_of: datetime, rotation_days: int):
    return BackupEntry.deleted_at.is_null() & (BackupEntry.created_at <= as_of - timedelta(days=rotation_days))


def due_count(as_of: datetime, rotation_days: int) -> int:
    return BackupEntry.select(fn.COUNT(SQL("*"))).where(_due(as_of, rotation_days)).scalar()


def rotate(as_of: datetime, rotation_days: int, *, run: PurgeRun | None, policy_version: str) -> list[DeletionRecord]:
    """Shred each backup past the rotation period, then mark it deleted with a deletion record."""
    records = []
    for entry in list(BackupEntry.select().where(_due(as_of, rotation_days)).order_by(BackupEntry.id)):
        path = Path(entry.path)
        try:
            purge_files.shred_path(path)
        except (purge_files.FileRefused, OSError) as exc:
            reason = exc.problem if isinstance(exc, purge_files.FileRefused) else (exc.strerror or str(exc))
            with write_tx():
                note_problems("backup", {entry.id: reason})
            continue
        with write_tx():
            entry.deleted_at = clock.now()
            entry.save()
            records.append(
                DeletionRecord.create(
                    run=run,
                    category="backup",
                    item_id=entry.id,
                    ref=path.name,
                    due_at=entry.created_at + timedelta(days=rotation_days),
                    deleted_at=clock.now(),
                    policy_version=policy_version,
                    method=purge_files.METHOD,
                )
            )
    return records
