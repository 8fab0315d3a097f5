"""Files referenced by an older version, taken into the console's own folders once.

Before the store existed, a recording or gathered file was a path relative to the data folder
that the purge would later act on. At the next command start each such reference is checked
like an import's and moved into `files/`; one that fails the checks (a link, a folder, a file
with two links, one of the console's own files, gone) is reported and never followed: the row
keeps its name, and the purge has no file to act on for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.core.db import write_tx
from models.core.entities import GatheredFile, Recording
from models.core.i18n import _
from models.purge.files import FileRefused, Intake

_KINDS: tuple[tuple[Any, str, str], ...] = (
    (Recording, "video", "recording"),
    (GatheredFile, "gathered_files", "gathered file"),
)


def pending() -> bool:
    """Whether any reference waits to be taken in (a partial index keeps this cheap)."""
    return any(model.select(model.id).where(model.stored.is_null()).exists() for model, _c, _k in _KINDS)


def adopt(data_dir: Path, database: Path | None = None) -> list[str]:
    """Take in every file referenced but not yet stored; returns one notice per refused reference."""
    notices: list[str] = []
    for model, category, label in _KINDS:
        while True:
            rows = list(model.select(model.id, model.path).where(model.stored.is_null()).order_by(model.id).limit(200))
            if not rows:
                break
            for row in rows:
                intake = Intake(data_dir, database)
                try:
                    kept = intake.take(row.path, category, legacy=True)
                except (FileRefused, OSError) as exc:
                    problem = exc.problem if isinstance(exc, FileRefused) else (exc.strerror or str(exc))
                    with write_tx():
                        model.update(stored="").where(model.id == row.id).execute()
                    notices.append(
                        _("{kind} {id}: {path!r} was not taken in: {problem}").format(
                            kind=label, id=row.id, path=row.path, problem=problem
                        )
                    )
                    continue
                try:
                    with write_tx():
                        model.update(stored=kept.relative, size=kept.size, sha256=kept.sha256).where(
                            model.id == row.id
                        ).execute()
                except BaseException:
                    intake.undo()
                    raise
    return notices
