"""The JSON Lines import (DESIGN.md §9; fields in docs/import-format.md).

Four steps: read and check every line on its own (records.py) into a scratch file
(staging.py), grouped by the order each line belongs to; check the file as a whole against
itself and the database one chunk of whole orders at a time (plan.py, reads only); check and
convert the rows of the many-row kinds (write.prepare) and stage them; then, only if nothing
was wrong, write every chunk in one transaction through the set-wise domain functions
(write.py). Memory is bounded by the chunk, not the file; no lock is held until the write;
one transaction keeps the contract exactly — on any problem nothing is stored, a crash leaves
nothing half-written. Inside it, on PostgreSQL, what needs none of the advisory locks other
writers queue for (write.write_early: the bulk of sessions and captured rows, refs the console
never hands out) is stored first, and the locks are taken only for the rest; what the rest
numbers (first consents, billing records) waits in temporary tables until the very end
(refs.numbering_deferred), so the `ref` lock every numbering desk needs is held only for that.
SQLite's one write lock is held from the start: there it is one pass. Every problem is
reported as `line N: field: problem`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from console.importing.plan import Plan, stored_session_groups
from console.importing.records import GatheredRec, OrderRec, Problems, Record, RecordingRec, StaffRec, parse_line
from console.importing.staging import Stage
from console.importing.write import (
    CAPTURED_KINDS,
    Prepared,
    WriteRefused,
    can_write_early,
    numbers_can_wait,
    prepare,
    write,
    write_early,
)
from models.core import audit, bulk, refs
from models.core.db import (
    ALL_DATA_LOCKS,
    background_job,
    current_target,
    database,
    is_postgres,
    is_sqlite,
    take_lock,
    write_tx,
)
from models.core.entities import Staff
from models.core.errors import PermissionDenied, ValidationError
from models.core.i18n import _
from models.core.identity import require_role
from models.purge import files as purge_files

IMPORT_ROLES = ("admin", "technician")
IMPORT_PAGE_CACHE = -4000  # KiB of SQLite page cache while the import writes
CHUNK_RECORDS = 25_000  # records checked (and held) at once: bounds memory, whatever the file's length
PRELOAD_BYTES = 1 << 20  # staged chunks read back before the lock, at most (pickled; ~5x that as objects, kept)


@dataclass
class ImportResult:
    path: str
    dry_run: bool
    lines: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    billing_records: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "lines": self.lines,
            "written": self.ok and not self.dry_run and self.changed() > 0,
            "counts": self.counts,
            "billing_records_created": self.billing_records,
            "problems": [{"line": n, "field": f, "problem": p} for n, f, p in self.problems],
        }


def stage_records(path: Path, problems: Problems, stage: Stage) -> int:
    """Parse the file line by line into the scratch file; bad lines are reported and left out.
    Blank lines are allowed. Returns the number of lines."""
    number = 0
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ValidationError("FILE", _("cannot read {path}: {error}").format(path=path, error=exc.strerror)) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                problems.add(number, "json", _("is not UTF-8 text"))
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            if text.strip():
                stage.add(parse_line(number, text, problems))
    return number


def read_records(path: Path, problems: Problems) -> tuple[list[Record], int]:
    """Every record of the file in memory (small files, tests); run_import streams instead."""
    records: list[Record] = []

    class _Keep:
        def add(self, recs: list[Record]) -> None:
            records.extend(recs)

    lines = stage_records(path, problems, _Keep())  # type: ignore[arg-type]
    return records, lines


@dataclass
class _Roles:
    """What the role check needs from the whole file: the first line adding staff or billing."""

    new_staff: int | None = None
    billing: int | None = None

    def note(self, plan: Plan) -> None:
        staff = [r.line for r in plan.to_write(StaffRec)]
        bills = [r.line for r in plan.of(OrderRec) if r.bill and r.action != "skip"]
        self.new_staff = min([*staff, *([self.new_staff] if self.new_staff else [])], default=None)
        self.billing = min([*bills, *([self.billing] if self.billing else [])], default=None)


def check_roles(actor: Staff, roles: _Roles) -> None:
    """The import may do only what its operator may do: staff needs admin, billing accounting."""
    require_role(actor, *IMPORT_ROLES)
    if roles.new_staff is not None and not actor.has_role("admin"):
        raise PermissionDenied(
            _("line {n}: adding staff needs the admin role, which {user} lacks").format(
                n=roles.new_staff, user=actor.username
            )
        )
    if roles.billing is not None and not (actor.has_role("admin") or actor.has_role("accounting")):
        raise PermissionDenied(
            _("line {n}: billed_at needs the accounting or admin role, which {user} lacks").format(
                n=roles.billing, user=actor.username
            )
        )


def check_files(
    plan: Plan, data_dir: Path, problems: Problems, seen: dict[tuple[Path, str], int] | None = None
) -> None:
    """Every file a recording or gathered_file line names must be there to take in, as a regular
    file with one link, not one of the console's own, named once, and match a given size and SHA-256.
    `seen`: the files earlier chunks of the same file named."""
    database = current_target().path if is_sqlite() else None
    seen = {} if seen is None else seen
    records: list[RecordingRec | GatheredRec] = [*plan.to_write(RecordingRec), *plan.to_write(GatheredRec)]
    for rec in sorted(records, key=lambda r: r.line):
        try:
            source = purge_files.check_source(data_dir, rec.path, database=database)
        except ValidationError as exc:
            problems.add(rec.line, exc.field, exc.problem)
            continue
        key = (source.folder, source.name)
        if key in seen:
            problems.add(rec.line, "path", _("names the same file as line {n}").format(n=seen[key]))
            continue
        seen[key] = rec.line
        if rec.size is not None and rec.size != source.size:
            problems.add(
                rec.line,
                "size",
                _("the file has {actual} bytes, not {given}").format(actual=source.size, given=rec.size),
            )
        if rec.sha256 is not None and rec.sha256 != _sha256(source.folder / source.name):
            problems.add(rec.line, "sha256", _("does not match the file's SHA-256"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Line:
    """What the write needs of a captured line once its row is prepared: where it came from."""

    line: int


def slim(plan: Plan, prepared: Prepared, chunk: int | None = None) -> tuple[Plan, Prepared]:
    """The plan and rows as the write needs them: activity, chat and system information are
    written from their prepared rows, so their records are dropped (memory, and the cost of
    staging them) and only their line numbers kept for reporting a refusal. With `chunk`, the
    rows themselves go into the connection's staging tables now, before the write lock
    (bulk.staging_tables must be open)."""
    for kind in CAPTURED_KINDS:
        plan.by_type[kind] = []
    prepared.captured = [
        (cast(list[Record], [_Line(r.line) for r in ordered]), batch) for ordered, batch in prepared.captured
    ]
    if chunk is not None:
        for _ordered, batch in prepared.captured:
            bulk.stage_captured(batch, chunk)
    return plan, prepared


def _add_counts(total: dict[str, dict[str, int]], counts: dict[str, dict[str, int]]) -> None:
    for name, tally in counts.items():
        mine = total.setdefault(name, dict.fromkeys(tally, 0))
        for key, value in tally.items():
            mine[key] += value


def _staged() -> None:
    """Called when the file is checked and staged, before the write transaction (a test hook)."""


def _chunk_written(chunk: int) -> None:
    """Called inside the write transaction after each staged chunk is written (a test hook)."""


def run_import(actor: Staff, path: Path, *, dry_run: bool = False, data_dir: Path | None = None) -> ImportResult:
    """Check the whole file; unless `dry_run` or a problem was found, store it in one transaction.

    The file is read line by line into a scratch file (staging.py) and checked in chunks of
    whole orders, so memory does not grow with it; nothing of the console's database is locked
    until the write. Files named by the file are taken into the console's folders under
    `data_dir` (its own copy).
    """
    require_role(actor, *IMPORT_ROLES)
    with Stage() as stage, bulk.staging_tables(), background_job():  # waits for the lock as a job may
        return _run(actor, path, stage, dry_run=dry_run, data_dir=data_dir)


def _run(actor: Staff, path: Path, stage: Stage, *, dry_run: bool, data_dir: Path | None) -> ImportResult:
    problems = Problems()
    lines = stage_records(path, problems, stage)
    result = ImportResult(str(path), dry_run, lines)
    stage.group(stored_session_groups(stage.unknown_child_keys()), CHUNK_RECORDS)
    roles, seen = _Roles(), dict[tuple[Path, str], int]()
    counts: dict[str, dict[str, int]] = {}
    refused: WriteRefused | None = None
    base = Plan(stage.global_records(), problems).check()
    for chunk in range(-1, stage.chunks):
        plan = base if chunk < 0 else Plan(stage.chunk_records(chunk), problems, base).check()
        _add_counts(counts, plan.counts())
        if data_dir is not None:
            check_files(plan, data_dir, problems, seen)
        roles.note(plan)
        if not problems and not dry_run and refused is None:
            try:
                stage.keep(chunk, slim(plan, prepare(plan), chunk))  # checked and converted before the write lock
            except WriteRefused as exc:
                refused = exc  # reported unless the checks of a later chunk find problems
        del plan
    result.counts = counts
    if problems:
        result.problems = problems.sorted()
        return result
    check_roles(actor, roles)
    if refused is not None and result.changed():
        result.problems = [(refused.line, refused.field, refused.problem)]
        return result
    try:
        if dry_run or result.changed() == 0:
            return result  # a re-import of the same file writes nothing, not even an audit event
        _staged()
        _write(actor, stage, data_dir, result)
    except WriteRefused as exc:
        result.problems = [(exc.line, exc.field, exc.problem)]
    return result


@contextmanager
def _small_page_cache() -> Iterator[None]:
    """SQLite: the write appends, it hardly reads back what it wrote; a small page cache on the
    import's connection keeps its memory the same for any length of file (restored after)."""
    if not is_sqlite():
        yield
        return
    (before,) = database.execute_sql("PRAGMA cache_size").fetchone()
    database.execute_sql(f"PRAGMA cache_size = {IMPORT_PAGE_CACHE}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA cache_size = {int(before)}")


def _preload(stage: Stage, chunks: range) -> dict[int, Any]:
    """The first chunks read back before the write lock is taken, as many as PRELOAD_BYTES of
    their staged form allow (at least staff, customers and the first orders): the write then
    does not unpickle them while it holds the lock, and memory stays bounded for any file."""
    loaded: dict[int, Any] = {}
    size = 0
    for chunk in chunks:
        size += stage.kept_bytes(chunk)
        if len(loaded) >= 2 and size > PRELOAD_BYTES:
            break
        loaded[chunk] = stage.kept(chunk)
    return loaded


def _write(actor: Staff, stage: Stage, data_dir: Path | None, result: ImportResult) -> None:
    """One transaction for the whole file: all of it is stored, or none of it. On PostgreSQL the
    early part of every chunk first, without advisory locks; then the locks, in order, and the
    rest, its numbering last."""
    intake = purge_files.Intake(data_dir, current_target().path if is_sqlite() else None) if data_dir else None
    try:
        chunks = stage.kept_chunks()
        loaded = _preload(stage, chunks)
        with _small_page_cache(), write_tx(serialize="import"):  # one import at a time; desks never take it
            early = set()
            # what needs no advisory lock (write_early), so the locks are held briefly; SQLite's one
            # write lock is held from the start, and a second pass would only read the chunks twice
            for chunk in chunks if is_postgres() else ():
                plan, prepared = loaded[chunk] if chunk in loaded else stage.kept(chunk)
                if can_write_early(plan):
                    write_early(plan, actor, prepared)
                    early.add(chunk)
                del plan, prepared
            # in LOCK_ORDER, all at once: the rest may touch anything. `ref` (numbering) last of
            # all: what the chunks number waits for the end (refs.numbering_deferred) unless a
            # chunk reads it or stores refs of the numbering's form (not written early)
            for name in ALL_DATA_LOCKS[: ALL_DATA_LOCKS.index("ref")]:
                take_lock(name)
            with refs.numbering_deferred():
                for number, chunk in enumerate(chunks):
                    plan, prepared = loaded.pop(chunk) if chunk in loaded else stage.kept(chunk)
                    if not numbers_can_wait(plan) or (is_postgres() and chunk not in early):
                        refs.flush()
                        take_lock("ref")
                    result.billing_records += write(plan, actor, intake, prepared, early=chunk in early)
                    del plan, prepared  # one chunk in memory at a time
                    _chunk_written(number)
            summary = " ".join(
                f"{name}={c['created'] + c['updated']}"
                for name, c in result.counts.items()
                if c["created"] or c["updated"]
            )
            audit.record(actor.username, "import.run", None, summary)
    except BaseException:
        if intake is not None:
            intake.undo()
        raise
