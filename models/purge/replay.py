"""Re-applying journalled deletions after a restore (P10: deleted "with all copies on backup media").

A restored backup holds data purged after it was made. The journal, kept outside the database
file, lists every deletion; each one the database does not know (by deletion record id) is made
again, with its original record, before the database is used. Idempotent: a second replay
finds every id present and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import fn

from models.core import clock
from models.core.db import database, is_postgres, write_tx
from models.core.entities import AccessRequest, AccessRequestExclusion, BackupEntry, BillingRecord, DeletionRecord
from models.purge import files as purge_files
from models.purge.items import FILE_TABLES, delete_order_rows, order_files
from models.retention.due import SESSION_CATEGORIES
from models.retention.holds import ITEM_LOCK


@dataclass
class ReplayResult:
    applied: int = 0
    already: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"applied": self.applied, "already_present": self.already}


def _apply(entry: dict[str, Any], data_dir: Path) -> None:
    category, item_id = entry["category"], int(entry["item_id"])
    if category in SESSION_CATEGORIES:
        wanted = list(SESSION_CATEGORIES) if category == "connection" else [category]
        for stored in order_files(item_id, [c for c in wanted if c in FILE_TABLES]):
            try:
                purge_files.shred_stored(data_dir, stored)
            except purge_files.FileRefused:
                pass  # not a file the console may touch; the rows go all the same
        delete_order_rows(wanted, item_id)
    elif category == "billing":
        BillingRecord.delete().where(BillingRecord.id == item_id).execute()
    elif category == "access_requests":
        AccessRequestExclusion.delete().where(AccessRequestExclusion.request == item_id).execute()
        AccessRequest.delete().where(AccessRequest.id == item_id).execute()
    elif category == "backup":
        entry_row = BackupEntry.get_or_none(BackupEntry.id == item_id)
        if entry_row is not None and entry_row.deleted_at is None:
            try:
                purge_files.shred_path(Path(entry_row.path))
            except purge_files.FileRefused:
                pass
            entry_row.deleted_at = clock.now()
            entry_row.save()


def reapply(entries: Iterable[dict[str, Any]], data_dir: Path) -> ReplayResult:
    """Make every journalled deletion the database lacks, each in its own transaction with its record."""
    result = ReplayResult()
    for entry in entries:
        if DeletionRecord.select().where(DeletionRecord.id == int(entry["id"])).exists():
            result.already += 1
            continue
        with write_tx(serialize=ITEM_LOCK):
            _apply(entry, data_dir)
            DeletionRecord.insert(
                id=int(entry["id"]),
                run=None,
                category=entry["category"],
                item_id=int(entry["item_id"]),
                ref=entry.get("ref"),
                due_at=entry["due_at"],
                deleted_at=entry["deleted_at"],
                policy_version=entry["policy_version"],
                method=entry["method"],
            ).execute()
        result.applied += 1
    if result.applied and is_postgres():  # explicit ids: move the sequence past them
        top = DeletionRecord.select(fn.MAX(DeletionRecord.id)).scalar()
        database.execute_sql("SELECT setval(pg_get_serial_sequence('deletion_record', 'id'), %s)", (top,))
    return result
