"""The console's own files and their irrecoverable deletion (P7 "dauerhaft und unwiederbringlich").

Recordings and gathered files live in folders of the console's own under the data folder
(`files/recordings`, `files/gathered`). An import names a file to *take in*: it is moved there
(when it lies inside the data folder) or copied (when outside), hashed, and from then on the
console acts only on its copy, by the stored name `files/<folder>/<name>`.

Every operation here walks from a descriptor of the data folder one component at a time with
O_NOFOLLOW, so no symbolic link is followed at any level, and refuses anything that is not a
regular file with exactly one link. Nothing outside `files/` can be named: the database, its
WAL and SHM, the journal, backups and the configuration are out of reach of the purge.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from models.core import modes
from models.core.errors import ValidationError
from models.core.i18n import _

CHUNK = 1 << 20
METHOD = "overwrite-zero+fsync+unlink"
STORE = "files"
FOLDERS = {"video": "recordings", "gathered_files": "gathered"}
STORED = re.compile(r"^files/(recordings|gathered)/[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# Names in the data folder a take-in must never move: the database family, the journal,
# backups and scratch copies (dot files), and the store itself.
_PROTECTED_SUFFIXES = (".db", ".db-wal", ".db-shm", ".db-journal", ".bak", ".sqlite", ".sqlite3", ".jsonl", ".toml")


class FileRefused(ValidationError):
    """A file operation the console will not do (a link, a folder, a file with other names)."""

    def __init__(self, problem: str, field_name: str = "path") -> None:
        super().__init__(field_name, problem)


@dataclass(frozen=True)
class Stored:
    """A file taken into the store: its stored name (relative to the data folder), size and SHA-256."""

    relative: str
    size: int
    sha256: str


def _open_dir(base_fd: int, parts: list[str], *, create: bool = False) -> int:
    """A descriptor of base/parts[0]/parts[1]/…, each opened with O_NOFOLLOW (no link at any level)."""
    fd = os.dup(base_fd)
    try:
        for part in parts:
            if part in ("", ".", "..") or "/" in part:
                raise FileRefused(_("{part!r} is not a folder name").format(part=part))
            try:
                nxt = os.open(part, _DIR, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, modes.folder_mode(), dir_fd=fd)
                nxt = os.open(part, _DIR, dir_fd=fd)
                modes.apply_fd(nxt, folder=True)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise FileRefused(
                        _("{part} is a symbolic link or not a folder; the console follows no links").format(part=part)
                    ) from None
                raise
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


def _data_fd(data_dir: Path) -> int:
    try:
        return os.open(data_dir, _DIR)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise FileRefused(_("the data folder {path} is a symbolic link").format(path=data_dir)) from None
        raise


def _check_regular(info: os.stat_result, name: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(_("{name} is not a regular file").format(name=name))
    if info.st_nlink != 1:
        raise FileRefused(
            _("{name} has {n} links (a hard link reaches another file); only a file with one link is handled").format(
                name=name, n=info.st_nlink
            )
        )


def _open_file(dir_fd: int, name: str, flags: int) -> int:
    try:
        return os.open(name, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileRefused(_("{name} is a symbolic link; the console follows no links").format(name=name)) from None
        if exc.errno in (errno.EISDIR, errno.ENXIO, errno.ENOTDIR):
            raise FileRefused(_("{name} is not a regular file").format(name=name)) from None
        raise


def _overwrite_and_unlink(dir_fd: int, name: str) -> None:
    fd = _open_file(dir_fd, name, os.O_WRONLY)
    try:
        info = os.fstat(fd)
        _check_regular(info, name)
        zeros = bytes(CHUNK)
        remaining = info.st_size
        while remaining > 0:
            remaining -= os.write(fd, zeros[: min(CHUNK, remaining)])
        os.fsync(fd)
        now = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):  # swapped meanwhile: leave the new one
            raise FileRefused(_("{name} was replaced while it was deleted").format(name=name))
    finally:
        os.close(fd)
    os.unlink(name, dir_fd=dir_fd)
    os.fsync(dir_fd)


def check_stored(relative: str) -> list[str]:
    """The components of a stored name; refused unless it names a file in the console's own folders."""
    if not isinstance(relative, str) or not STORED.fullmatch(relative):
        raise FileRefused(_("{path!r} is not a file the console stored").format(path=relative))
    return relative.split("/")


def shred_stored(data_dir: Path, relative: str) -> bool:
    """Overwrite a stored file with zeros, fsync, unlink; False if it is absent already."""
    *folders, name = check_stored(relative)
    root = _data_fd(data_dir)
    try:
        try:
            folder = _open_dir(root, folders)
        except FileNotFoundError:
            return False
    finally:
        os.close(root)
    try:
        _overwrite_and_unlink(folder, name)
    except FileNotFoundError:
        return False
    finally:
        os.close(folder)
    return True


def shred_path(path: Path) -> bool:
    """Shred a file the console made outside its store (a backup, a scratch copy) by its full path:
    its own folder is opened without following a link, and only a regular file with one link is
    overwritten. False if absent."""
    try:
        folder = os.open(path.parent, _DIR)
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise FileRefused(_("{path} is a symbolic link or not a folder").format(path=path.parent)) from None
        raise
    try:
        _overwrite_and_unlink(folder, path.name)
    except FileNotFoundError:
        return False
    finally:
        os.close(folder)
    return True


# --- taking a file in ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A checked file to take in: where it is, whether it lies in the data folder (then it is moved)."""

    given: str
    folder: Path  # its real folder (links resolved), absolute
    name: str
    inside: tuple[str, ...] | None  # its folder's components below the data folder, or None if outside
    size: int


def _protected(name: str, parts: tuple[str, ...], database: Path | None) -> bool:
    if parts[:1] == (STORE,) or name.startswith("."):
        return True
    if name.endswith(_PROTECTED_SUFFIXES) or name.startswith("support24-backup-"):
        return True
    return database is not None and name.startswith(database.name)


def check_source(
    data_dir: Path, given: str, *, database: Path | None = None, field_name: str = "path", legacy: bool = False
) -> Source:
    """Check a file an import names: it exists, is a regular file with one link and is not one of
    the console's own (database, journal, backups, store). A relative name is taken from the data folder.

    `legacy`: a path stored by an older version, which must lie inside the data folder with no
    link on the way; anything else is refused, never followed.
    """
    path = Path(given)
    if not path.is_absolute():
        path = data_dir / path
    if path.name in ("", ".", "..") or given.endswith("/"):
        raise FileRefused(_("{path!r} names a folder, not a file").format(path=given), field_name)
    folder = Path(os.path.realpath(path.parent))
    real_data = Path(os.path.realpath(data_dir))
    inside = tuple(folder.relative_to(real_data).parts) if folder.is_relative_to(real_data) else None
    if legacy and (
        Path(given).is_absolute() or inside is None or folder != Path(os.path.normpath(real_data / Path(given).parent))
    ):
        raise FileRefused(
            _("{path!r} leaves the data folder or passes a symbolic link; it is not followed").format(path=given),
            field_name,
        )
    if (
        database is not None
        and folder == Path(os.path.realpath(database.parent))
        and path.name.startswith(database.name)
    ):
        raise FileRefused(_("{path!r} is the database; it cannot be taken in").format(path=given), field_name)
    if inside is not None and _protected(path.name, inside, database):
        raise FileRefused(
            _("{path!r} is one of the console's own files (database, journal, backup or store)").format(path=given),
            field_name,
        )
    try:
        dir_fd = os.open(folder, _DIR)
    except FileNotFoundError:
        raise FileRefused(_("{path!r} does not exist").format(path=given), field_name) from None
    try:
        fd = _open_file(dir_fd, path.name, os.O_RDONLY)
    except FileNotFoundError:
        raise FileRefused(_("{path!r} does not exist").format(path=given), field_name) from None
    except FileRefused as exc:
        raise FileRefused(exc.problem, field_name) from None
    finally:
        os.close(dir_fd)
    try:
        info = os.fstat(fd)
        try:
            _check_regular(info, given)
        except FileRefused as exc:
            raise FileRefused(exc.problem, field_name) from None
    finally:
        os.close(fd)
    return Source(given, folder, path.name, inside, info.st_size)


def _stored_name(source_name: str) -> str:
    suffix = Path(source_name).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
        suffix = ""
    return secrets.token_hex(12) + suffix


@dataclass
class Intake:
    """Files taken in during one import; undo() puts moved files back and shreds copies if the
    import's transaction does not commit."""

    data_dir: Path
    database: Path | None = None
    moved: list[tuple[Path, Path]] = field(default_factory=list)  # (stored, original)
    copied: list[Path] = field(default_factory=list)

    def take(
        self, given: str, category: str, *, sha256: str | None = None, size: int | None = None, legacy: bool = False
    ) -> Stored:
        source = check_source(self.data_dir, given, database=self.database, legacy=legacy)
        sub = FOLDERS[category]
        name = _stored_name(source.name)
        root = _data_fd(self.data_dir)
        try:
            store = _open_dir(root, [STORE, sub], create=True)
            if source.inside is not None:
                origin = _open_dir(root, list(source.inside))
        finally:
            os.close(root)
        try:
            if source.inside is not None:
                try:
                    os.rename(source.name, name, src_dir_fd=origin, dst_dir_fd=store)
                finally:
                    os.close(origin)
                self.moved.append((self.data_dir / STORE / sub / name, source.folder / source.name))
                digest, length = self._hash(store, name, given)
            else:
                digest, length = self._copy(source, store, name, given)
                self.copied.append(self.data_dir / STORE / sub / name)
            os.fsync(store)
        finally:
            os.close(store)
        if sha256 is not None and sha256 != digest:
            raise FileRefused(
                _("the file's SHA-256 is {actual}, not the {given} given").format(actual=digest, given=sha256)
            )
        if size is not None and size != length:
            raise FileRefused(_("the file has {actual} bytes, not the {given} given").format(actual=length, given=size))
        return Stored(f"{STORE}/{sub}/{name}", length, digest)

    @staticmethod
    def _hash(store: int, name: str, given: str) -> tuple[str, int]:
        fd = _open_file(store, name, os.O_RDONLY)
        try:
            _check_regular(os.fstat(fd), given)
            modes.apply_fd(fd)
            digest, length = hashlib.sha256(), 0
            while block := os.read(fd, CHUNK):
                digest.update(block)
                length += len(block)
        finally:
            os.close(fd)
        return digest.hexdigest(), length

    @staticmethod
    def _copy(source: Source, store: int, name: str, given: str) -> tuple[str, int]:
        src_dir = os.open(source.folder, _DIR)
        try:
            src = _open_file(src_dir, source.name, os.O_RDONLY)
        finally:
            os.close(src_dir)
        try:
            _check_regular(os.fstat(src), given)
            dst = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, modes.file_mode(), dir_fd=store)
            try:
                modes.apply_fd(dst)
                digest, length = hashlib.sha256(), 0
                while block := os.read(src, CHUNK):
                    digest.update(block)
                    length += len(block)
                    os.write(dst, block)
                os.fsync(dst)
            finally:
                os.close(dst)
        finally:
            os.close(src)
        return digest.hexdigest(), length

    def undo(self) -> None:
        """The import did not commit: moved files go back where they were, copies are shredded."""
        for stored, original in reversed(self.moved):
            try:
                os.rename(stored, original)
            except OSError:
                pass
        for copy in self.copied:
            try:
                shred_path(copy)
            except OSError:
                pass
        self.moved.clear()
        self.copied.clear()
