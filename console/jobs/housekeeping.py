"""What every command start puts in order before it works: the installation's file modes, the
scratch copies of restores that were killed, and files an older version referenced but never
took in. Each change is a notice on stderr, so `--json` output stays one document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.jobs.scratch import remove_stale_scratch
from models.core import modes
from models.core.entities import BackupEntry
from models.core.i18n import _
from models.purge import adopt
from models.purge import files as purge_files
from models.purge import journal as purge_journal

MAX_NOTICES = 10


def tidy(data_dir: Path, database: Path | None) -> list[str]:
    notices = list(modes.notices)
    modes.notices.clear()
    checks = [(data_dir, True), (purge_journal.journal_path(data_dir), False), (data_dir / purge_files.STORE, True)]
    checks += [(data_dir / purge_files.STORE / sub, True) for sub in purge_files.FOLDERS.values()]
    kept: Any = BackupEntry.select(BackupEntry.path).where(BackupEntry.deleted_at.is_null()).tuples()
    checks += [(Path(row[0]), False) for row in kept]
    for path, folder in checks:
        notice = modes.enforce(path, folder=folder)
        if notice:
            notices.append(notice)
    for path in remove_stale_scratch(data_dir):
        notices.append(_("shredded {path}, left behind by a restore that did not finish").format(path=path.name))
    if adopt.pending():
        notices += adopt.adopt(data_dir, database)
    if len(notices) > MAX_NOTICES:
        rest = len(notices) - MAX_NOTICES
        notices = notices[:MAX_NOTICES] + [_("… and {n} more").format(n=rest)]
    return notices
