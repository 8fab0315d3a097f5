"""The scratch copies a restore works on, and the shredding of those a killed restore left behind.

Apart from console/jobs/backup.py so that every command start (console/jobs/housekeeping.py) can
look for leftovers without importing the backup and purge machinery a restore needs.
"""

from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path

from models.purge import files as purge_files

SCRATCH_PREFIX = ".restore-"
SCRATCH = re.compile(r"^(\.restore-[0-9A-Za-z-]+\.db)(?:-wal|-shm|-journal)?$")  # a scratch copy and its companions


def shred_scratch(scratch: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        purge_files.shred_path(scratch.with_name(scratch.name + suffix))


def remove_stale_scratch(data_dir: Path) -> list[Path]:
    """Shred the scratch copies of restores that no longer run (killed, or the machine went down).

    A running restore holds a lock on its scratch file; a scratch copy nobody holds is a
    leftover with data the replay may not have removed yet. Returns what was shredded.
    """
    removed: list[Path] = []
    try:
        names = sorted(entry.name for entry in os.scandir(data_dir))
    except FileNotFoundError:
        return removed
    bases = {match.group(1) for name in names if (match := SCRATCH.match(name))}
    for base in sorted(bases):
        path = data_dir / base
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = -1  # only a -wal or -shm is left
        except OSError:
            continue  # a link or something odd under that name: not the console's to touch
        try:
            if fd >= 0:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its restore is running
            shred_scratch(path)
            removed.append(path)
        except purge_files.FileRefused:
            continue
        finally:
            if fd >= 0:
                os.close(fd)
    return removed
