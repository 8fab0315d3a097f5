"""File modes of an installation, decided in one place (DESIGN.md §7).

One OS account: folders 0700, files 0600. A shared group on one terminal server: the data
folder 2770 (setgid, so everything made in it belongs to the group) and files 0660 for that
group. Everything that creates a file or folder asks this module for the mode, and every
command start puts the installation's files back to exactly these modes, saying what it changed.
"""

from __future__ import annotations

import errno
import grp
import os
import stat
from pathlib import Path

from models.core.errors import ValidationError
from models.core.i18n import _

PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600
SHARED_FOLDER, SHARED_FILE = 0o2770, 0o660
_state: dict[str, int | None] = {"gid": None}
notices: list[str] = []  # what was put back to the installation's modes; the CLI prints and clears it


def group_id(group: str | int) -> int:
    """The id of a group named by name or number; ValidationError if there is none."""
    try:
        return grp.getgrgid(int(group)).gr_gid if str(group).isdigit() else grp.getgrnam(str(group)).gr_gid
    except (KeyError, ValueError):
        raise ValidationError(
            "shared_group", _("there is no group {group!r} on this system").format(group=group)
        ) from None


def configure(group: str | int | None) -> None:
    """Use the shared-group modes for `group`, or the single-account modes for None."""
    _state["gid"] = None if group in (None, "") else group_id(group)


def shared_gid() -> int | None:
    return _state["gid"]


def detect(data_dir: Path) -> int | None:
    """The group of a shared installation made by `init --shared-group`: its data folder is setgid."""
    try:
        info = os.stat(data_dir)
    except FileNotFoundError:
        return None
    return info.st_gid if info.st_mode & stat.S_ISGID else None


def folder_mode() -> int:
    return SHARED_FOLDER if _state["gid"] is not None else PRIVATE_FOLDER


def file_mode() -> int:
    return SHARED_FILE if _state["gid"] is not None else PRIVATE_FILE


def apply_fd(fd: int, *, folder: bool = False) -> str | None:
    """Give an open file or folder exactly the installation's mode and group; returns the old mode
    (as octal text) when it had to be changed, None when it was right."""
    want = folder_mode() if folder else file_mode()
    gid = _state["gid"]
    info = os.fstat(fd)
    changed = None
    if gid is not None and info.st_gid != gid:
        os.fchown(fd, -1, gid)
        changed = f"{stat.S_IMODE(info.st_mode):04o}"
    if stat.S_IMODE(info.st_mode) != want or changed:
        os.fchmod(fd, want)  # after chown, which may clear the setgid bit
        changed = f"{stat.S_IMODE(info.st_mode):04o}"
    return changed


def enforce(path: Path, *, folder: bool = False) -> str | None:
    """Put an existing file or folder to the installation's mode; a notice when something changed.

    A symbolic link is never followed; a file this account may not change is reported, not fatal.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | (os.O_DIRECTORY if folder else 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            return _("{path} is a symbolic link; its mode was left alone").format(path=path)
        return _("cannot check the mode of {path}: {error}").format(path=path, error=exc.strerror)
    try:
        old = apply_fd(fd, folder=folder)
    except PermissionError:
        info = os.fstat(fd)
        if stat.S_IMODE(info.st_mode) & ~(folder_mode() if folder else file_mode()) & 0o777:
            return _("{path} has mode {mode:04o} and belongs to another account; it could not be tightened").format(
                path=path, mode=stat.S_IMODE(info.st_mode)
            )
        return None
    finally:
        os.close(fd)
    if old is None:
        return None
    return _("{path}: mode {old} set to {new:04o}").format(
        path=path, old=old, new=folder_mode() if folder else file_mode()
    )


def ensure_folder(path: Path) -> list[str]:
    """Create a folder (and missing parents) with the installation's mode; notices for what changed."""
    path.mkdir(parents=True, exist_ok=True, mode=folder_mode() & 0o777)
    notice = enforce(path, folder=True)
    return [notice] if notice else []


def create_file(path: Path) -> None:
    """Create an empty file with the installation's mode before anyone else writes to it."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, file_mode())
    try:
        apply_fd(fd)
    finally:
        os.close(fd)


def refuse_if_writable_by_others(path: Path, what: str) -> None:
    """A configuration or policy file that another account could write (group or world) is refused."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:  # a group member could change it too: the policy decides what is deleted
        raise ValidationError(
            str(path),
            _(
                "the {what} has mode {mode:04o}: other accounts can change it, so it is not used; "
                "make it writable by its owner only (chmod go-w)"
            ).format(what=what, mode=mode),
        )
