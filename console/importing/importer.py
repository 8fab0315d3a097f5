"""The JSON Lines import (DESIGN.md §9; fields in docs/import-format.md).

Three steps: read and check every line on its own (import_records.py), check the file as
a whole against itself and the database (import_plan.py), then, only if nothing was
wrong, write it in one transaction through the domain functions (import_write.py). On
any problem nothing is stored and every problem is reported as `line N: field: problem`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.importing.plan import Plan
from console.importing.records import GatheredRec, OrderRec, Problems, Record, RecordingRec, StaffRec, parse_line
from console.importing.write import WriteRefused, write
from models.core import audit
from models.core.db import ALL_DATA_LOCKS, current_target, is_sqlite, write_tx
from models.core.entities import Staff
from models.core.errors import PermissionDenied, ValidationError
from models.core.i18n import _
from models.core.identity import require_role
from models.purge import files as purge_files

IMPORT_ROLES = ("admin", "technician")


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


def read_records(path: Path, problems: Problems) -> tuple[list[Record], int]:
    """Every record of the file; bad lines are reported and left out. Blank lines are allowed."""
    records: list[Record] = []
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
                records.extend(parse_line(number, text, problems))
    return records, number


def check_roles(actor: Staff, plan: Plan) -> None:
    """The import may do only what its operator may do: staff needs admin, billing accounting."""
    require_role(actor, *IMPORT_ROLES)
    new_staff = plan.to_write(StaffRec)
    if new_staff and not actor.has_role("admin"):
        raise PermissionDenied(
            _("line {n}: adding staff needs the admin role, which {user} lacks").format(
                n=new_staff[0].line, user=actor.username
            )
        )
    billing = [r for r in plan.of(OrderRec) if r.bill and r.action != "skip"]
    if billing and not (actor.has_role("admin") or actor.has_role("accounting")):
        raise PermissionDenied(
            _("line {n}: billed_at needs the accounting or admin role, which {user} lacks").format(
                n=billing[0].line, user=actor.username
            )
        )


def check_files(plan: Plan, data_dir: Path, problems: Problems) -> None:
    """Every file a recording or gathered_file line names must be there to take in, as a regular
    file with one link, not one of the console's own, named once, and match a given size and SHA-256."""
    database = current_target().path if is_sqlite() else None
    seen: dict[tuple[Path, str], int] = {}
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


def run_import(actor: Staff, path: Path, *, dry_run: bool = False, data_dir: Path | None = None) -> ImportResult:
    """Check the whole file; unless `dry_run` or a problem was found, store it in one transaction.

    Files named by the file are taken into the console's folders under `data_dir` (its own copy).
    """
    require_role(actor, *IMPORT_ROLES)
    problems = Problems()
    records, lines = read_records(path, problems)
    result = ImportResult(str(path), dry_run, lines)
    plan = Plan(records, problems).check()
    result.counts = plan.counts()
    if data_dir is not None:
        check_files(plan, data_dir, problems)
    if problems:
        result.problems = problems.sorted()
        return result
    check_roles(actor, plan)
    if dry_run or result.changed() == 0:
        return result  # a re-import of the same file writes nothing, not even an audit event
    intake = purge_files.Intake(data_dir, current_target().path if is_sqlite() else None) if data_dir else None
    try:
        with write_tx(serialize=ALL_DATA_LOCKS):  # any line may need any lock: all up front, in order
            result.billing_records = write(plan, actor, intake)
            summary = " ".join(
                f"{name}={c['created'] + c['updated']}"
                for name, c in result.counts.items()
                if c["created"] or c["updated"]
            )
            audit.record(actor.username, "import.run", None, summary)
    except WriteRefused as exc:
        if intake is not None:
            intake.undo()
        result.problems = [(exc.line, exc.field, exc.problem)]
    except BaseException:
        if intake is not None:
            intake.undo()
        raise
    return result
