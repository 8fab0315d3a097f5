"""The scratch file an import stages its lines in, so memory does not grow with the file.

Every parsed record goes into a SQLite file of its own (not the console's database: no lock
of the console's is held while it is filled), grouped by the order it belongs to; the plan
then checks one chunk of orders at a time and stages what it decided, and the write reads
the chunks back one after the other. The file holds customer data, so it lives in a folder
only this OS account can enter (0700), is deleted in `finally`, and one that a killed import
left behind is overwritten and deleted by the next import (`sweep`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import pickle
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from console.importing.records import ChildRec, ContactRec, CustomerRec, OrderRec, Record, SessionRec, StaffRec
from models.core.errors import Support24Error
from models.core.i18n import _

GLOBAL = ""  # the group of staff, customers and contacts: checked and written first, once
STAGE_FILE = "stage.db"
ROWS_PER_BATCH = 500  # staged rows per executemany
RUN_RECORDS = 200  # consecutive records of one group pickled together at most
GLOBAL_KINDS = (StaffRec, CustomerRec, ContactRec)


class ScratchUnavailable(Support24Error):
    """The scratch folder cannot be made or written (full disk, someone else's folder)."""

    exit_code = 1


F = TypeVar("F", bound=Callable[..., Any])


def _guarded(method: F) -> F:
    """OS and SQLite errors of the scratch file as one clear message, never a traceback."""

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (OSError, sqlite3.Error) as exc:
            raise ScratchUnavailable(
                _("the import's scratch folder {path} cannot be used: {error}").format(
                    path=scratch_root(), error=getattr(exc, "strerror", None) or exc
                )
            ) from exc

    return cast(F, guarded)


def scratch_root() -> Path:
    """The folder this OS account's import scratch folders live in (created 0700)."""
    return Path(tempfile.gettempdir()) / f"support24-import-{os.getuid()}"


def _private_root() -> Path:
    root = scratch_root()
    root.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise PermissionError(errno.EPERM, _("it is not a folder of this account"))
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(root, 0o700)
    return root


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _shred(path: Path) -> None:
    """Overwrite a regular file with zeros, then delete it."""
    with contextlib.suppress(OSError):
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode):
            with open(path, "r+b", buffering=0) as handle:
                block = b"\0" * (1 << 20)
                left = info.st_size
                while left > 0:
                    left -= handle.write(block[: min(left, len(block))])
                os.fsync(handle.fileno())
    with contextlib.suppress(OSError):
        path.unlink()


def _remove(folder: Path, *, shred: bool) -> None:
    for entry in folder.iterdir() if folder.is_dir() else ():
        if shred:
            _shred(entry)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


def sweep() -> int:
    """Shred the scratch folders of imports that are no longer running (killed); how many."""
    root = scratch_root()
    if not root.is_dir():
        return 0
    removed = 0
    for folder in root.iterdir():
        try:
            pid = int(folder.name.split("-")[1])  # run-<pid>-<random>: named by its process at birth
        except (IndexError, ValueError):
            pid = 0
        if pid == os.getpid() or (pid and _alive(pid)):
            continue  # an import that is running (this process's own, or another one's)
        _remove(folder, shred=True)
        removed += 1
    return removed


def _dump(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _load(data: bytes) -> Any:
    return pickle.loads(data)  # our own scratch file in a 0700 folder, written by this process


class Stage:
    """One import's scratch file: records in, chunks of whole orders out."""

    @_guarded
    def __init__(self) -> None:
        sweep()
        self.folder = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=_private_root()))
        self.path = self.folder / STAGE_FILE
        self.db = sqlite3.connect(str(self.path), isolation_level=None)
        os.chmod(self.path, 0o600)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -8000", "temp_store = FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(
            """
            CREATE TABLE rec (line INTEGER NOT NULL, grp TEXT, skey TEXT, data BLOB NOT NULL, records INTEGER);
            CREATE TABLE skeys (skey TEXT PRIMARY KEY, grp TEXT NOT NULL);
            CREATE TABLE chunk_of (grp TEXT PRIMARY KEY, chunk INTEGER NOT NULL);
            CREATE TABLE checked (chunk INTEGER PRIMARY KEY, data BLOB NOT NULL);
            """
        )
        self.session_group: dict[str, str] = {}  # session key -> group: small, one per session
        self.child_keys: set[str] = set()
        self.chunks = 0
        self._last: Any = None
        self._pending: list[tuple[int, str | None, str | None, bytes, int]] = []
        self._run: list[Record] = []
        self._run_key: tuple[str | None, str | None] = (None, None)
        self.db.execute("BEGIN")

    # --- filling ----------------------------------------------------------------------------

    @_guarded
    def add(self, records: Iterable[Record]) -> None:
        """Stage parsed records. Consecutive records of one group (or session) are kept as one
        row: an order's lines mostly follow each other, and pickling them together is cheaper."""
        for rec in records:
            grp: str | None
            skey = None
            if isinstance(rec, GLOBAL_KINDS):
                grp = GLOBAL
            elif isinstance(rec, OrderRec):
                grp = "o:" + rec.ref
            elif isinstance(rec, SessionRec):
                keys = [rec.key]
                if rec.ref and rec.tool and rec.external_id:
                    keys.append(f"{rec.tool}:{rec.external_id}")
                grp = next((self.session_group[k] for k in keys if k in self.session_group), "o:" + rec.order)
                for k in keys:
                    self.session_group.setdefault(k, grp)
            else:
                assert isinstance(rec, ChildRec)
                grp, skey = None, rec.session
                self.child_keys.add(rec.session)
            if (grp, skey) != self._run_key or len(self._run) >= RUN_RECORDS:
                self._end_run()
                self._run_key = (grp, skey)
            self._run.append(rec)

    def _end_run(self) -> None:
        if self._run:
            grp, skey = self._run_key
            self._pending.append((self._run[0].line, grp, skey, _dump(self._run), len(self._run)))
            self._run = []
        if len(self._pending) >= ROWS_PER_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self.db.executemany("INSERT INTO rec VALUES (?, ?, ?, ?, ?)", self._pending)
            self._pending = []

    @_guarded
    def group(self, stored_groups: dict[str, str], chunk_records: int) -> None:
        """Give every child line its session's group and cut the groups into chunks of about
        `chunk_records` records. `stored_groups`: session key -> group of stored sessions."""
        self._end_run()
        self._flush()
        rows = []
        for key in self.child_keys:
            rows.append((key, self.session_group.get(key) or stored_groups.get(key) or "?" + key))
        self.db.executemany("INSERT INTO skeys VALUES (?, ?)", rows)
        self.db.execute("UPDATE rec SET grp = (SELECT grp FROM skeys WHERE skeys.skey = rec.skey) WHERE grp IS NULL")
        self.db.execute("CREATE INDEX rec_grp ON rec (grp, line)")
        chunk, size, batch = 0, 0, []
        for grp, count in self.db.execute(
            "SELECT grp, sum(records) FROM rec WHERE grp != ? GROUP BY grp ORDER BY grp", (GLOBAL,)
        ):
            if size and size + count > chunk_records:
                chunk, size = chunk + 1, 0
            batch.append((grp, chunk))
            size += count
        self.db.executemany("INSERT INTO chunk_of VALUES (?, ?)", batch)
        self.chunks = chunk + 1 if batch else 0
        self.session_group, self.child_keys = {}, set()  # in the scratch file now
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def unknown_child_keys(self) -> list[str]:
        """Session keys children refer to that no session line of the file defines (before group())."""
        return sorted(k for k in self.child_keys if k not in self.session_group)

    # --- reading back -----------------------------------------------------------------------

    @_guarded
    def global_records(self) -> list[Record]:
        return self._records(self.db.execute("SELECT data FROM rec WHERE grp = ?", (GLOBAL,)))

    @_guarded
    def chunk_records(self, chunk: int) -> list[Record]:
        return self._records(
            self.db.execute("SELECT r.data FROM chunk_of c JOIN rec r ON r.grp = c.grp WHERE c.chunk = ?", (chunk,))
        )

    @staticmethod
    def _records(rows: Iterable[tuple[bytes]]) -> list[Record]:
        """The records of the rows, in line order (as the plan expects them)."""
        records = [rec for (data,) in rows for rec in _load(data)]
        records.sort(key=lambda r: r.line)
        return records

    @_guarded
    def keep(self, chunk: int, value: Any) -> None:
        """Stage what the checks decided for a chunk (its plan and prepared rows). A file that
        is one chunk stays in memory, so the write does not unpickle it while it holds the lock."""
        if self.chunks <= 1 and chunk == self.chunks - 1:
            self._last = value
        else:
            self.db.execute("INSERT OR REPLACE INTO checked VALUES (?, ?)", (chunk, _dump(value)))

    @_guarded
    def kept_chunks(self) -> range:
        """The chunks keep() staged, in the order they are written (staff and customers first)."""
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")
        return range(-1, self.chunks)

    @_guarded
    def kept_bytes(self, chunk: int) -> int:
        """How large the staged form of a chunk is (0 for the one kept in memory)."""
        if self._last is not None and chunk == self.chunks - 1:
            return 0
        row = self.db.execute("SELECT length(data) FROM checked WHERE chunk = ?", (chunk,)).fetchone()
        return int(row[0]) if row else 0

    @_guarded
    def kept(self, chunk: int) -> Any:
        if self._last is not None and chunk == self.chunks - 1:
            last, self._last = self._last, None
            return last
        row = self.db.execute("SELECT data FROM checked WHERE chunk = ?", (chunk,)).fetchone()
        return _load(row[0])

    # --- away with it -----------------------------------------------------------------------

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        _remove(self.folder, shred=False)

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
