"""The deletion journal: every deletion record, appended as a JSON line to a file in the data
folder, outside the database file. After a restore the journal says what was deleted since the
backup was made, so those deletions are made again (backup.py, `deletions reapply`).

Lines are appended after the database commit; a crash between the two is caught up by the next
run, which appends every record with a larger id than the journal's last one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from models.core import modes
from models.core.db import database
from models.core.entities import DeletionRecord

FILE_NAME = "deletion-journal.jsonl"
TAIL = 65536


def journal_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def as_line(record: DeletionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "run": record.run_id,
        "category": record.category,
        "item_id": record.item_id,
        "ref": record.ref,
        "due_at": record.due_at.isoformat(),
        "deleted_at": record.deleted_at.isoformat(),
        "policy_version": record.policy_version,
        "method": record.method,
    }


def _complete_end(path: Path) -> int:
    """Cut a half-written last line (a crash mid-append) and return the last complete id."""
    with open(path, "rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - TAIL))
        tail = handle.read()
        if tail and not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n") + 1
            handle.truncate(size - len(tail) + cut)
            tail = tail[:cut]
    lines = [line for line in tail.split(b"\n") if line.strip()]
    for line in reversed(lines):
        try:
            return int(json.loads(line)["id"])
        except (ValueError, KeyError, TypeError):
            continue
    return 0


def last_id(data_dir: Path) -> int:
    path = journal_path(data_dir)
    return _complete_end(path) if path.exists() else 0


# json.dumps(entry, ensure_ascii=False) builds a new encoder per call; one is made once here
_encode = json.JSONEncoder(ensure_ascii=False).encode
_COLUMNS = ("id", "run", "category", "item_id", "ref", "due_at", "deleted_at", "policy_version", "method")


def _line(values: tuple[Any, ...], instants: dict[object, str]) -> str:
    """One journal line from a stored row of _COLUMNS, as as_line() gives it for a model instance."""
    entry = dict(zip(_COLUMNS, values, strict=True))
    for name in ("due_at", "deleted_at"):  # a run's records share a few instants: convert each once
        raw = entry[name]
        if raw not in instants:
            instants[raw] = DeletionRecord.due_at.python_value(raw).isoformat()
        entry[name] = instants[raw]
    return _encode(entry) + "\n"


def catch_up(data_dir: Path, batch: int = 5000) -> int:
    """Append every deletion record not yet in the journal; returns how many were appended."""
    path = journal_path(data_dir)
    if not path.exists():
        modes.create_file(path)
    after = _complete_end(path)
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        while True:
            fields = [DeletionRecord._meta.fields[name] for name in _COLUMNS]
            query = (
                DeletionRecord.select(*fields).where(DeletionRecord.id > after).order_by(DeletionRecord.id).limit(batch)
            )
            rows = database.execute(query).fetchall()  # stored values; _line converts the instants
            if not rows:
                break
            instants: dict[object, str] = {}
            os.write(fd, "".join(_line(row, instants) for row in rows).encode("utf-8"))
            written += len(rows)
            after = rows[-1][0]
        os.fsync(fd)
    finally:
        os.close(fd)
    return written


def read(path: Path) -> Iterator[dict[str, Any]]:
    """The complete lines of a journal file, oldest first; a torn last line is skipped."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.endswith("\n"):
                break
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            entry["due_at"] = datetime.fromisoformat(entry["due_at"])
            entry["deleted_at"] = datetime.fromisoformat(entry["deleted_at"])
            yield entry
