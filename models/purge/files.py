"""Irrecoverable file deletion (P7 "dauerhaft und unwiederbringlich"): overwrite, sync, unlink.

Paths come from the database relative to the data folder; one that leaves the folder or is a
symlink is refused, so a crafted import line cannot make the purge shred a file elsewhere.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from models.core.errors import ValidationError
from models.core.i18n import _

CHUNK = 1 << 20
METHOD = "overwrite-zero+fsync+unlink"


def resolve_inside(data_dir: Path, relative: str) -> Path:
    """The absolute path of a stored relative path, refusing anything outside the data folder."""
    base = data_dir.resolve()
    path = (base / relative).absolute()
    if relative.startswith("/") or ".." in Path(relative).parts or not path.is_relative_to(base):
        raise ValidationError("path", _("{path!r} lies outside the data folder").format(path=relative))
    return path


def shred(path: Path) -> bool:
    """Overwrite a regular file with zeros, fsync, unlink and sync the folder; False if absent."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return False
    except OSError as exc:
        if path.is_symlink():  # never follow: unlink the link only
            path.unlink()
            return True
        raise exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValidationError("path", _("{path} is not a regular file").format(path=path))
        zeros = bytes(CHUNK)
        remaining = info.st_size
        while remaining > 0:
            remaining -= os.write(fd, zeros[: min(CHUNK, remaining)])
        os.fsync(fd)
    finally:
        os.close(fd)
    os.unlink(path)
    _sync_dir(path.parent)
    return True


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
