"""Billing batch files for accounting (P9): a CSV for the German ERP importers and a JSON twin.

`support24-billing-<number:06d>.csv` is semicolon-separated UTF-8 with BOM, dates dd.mm.yyyy,
times HH:MM on the Berlin clock, durations in minutes, and cells that a spreadsheet would
run as a formula escaped. The `.json` holds the same records, the batch number, its
creation time and the SHA-256 of the CSV. Columns: docs/billing-export.md.

Both files are written to temporary names inside the batch transaction and renamed only
after it committed: a failed write rolls the batch back, and a crash never leaves a file
for a batch the database does not know.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path

from models.billing import outbox as billing
from models.billing.outbox import BatchContent, BillingRow
from models.core import clock, modes
from models.core.entities import Staff
from models.core.errors import ValidationError
from models.core.i18n import _
from models.core.identity import require_role

FORMAT = "support24-billing/1"
COLUMNS = (
    "batch",
    "record",
    "order",
    "session",
    "customer_number",
    "customer_name",
    "billing_class",
    "session_date",
    "start_time",
    "end_date",
    "end_time",
    "duration_minutes",
    "workstation_or_employee",
)
# OWASP CSV injection: a leading = + - @ starts a formula; tab and CR can hide one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def file_stem(number: int) -> str:
    return f"support24-billing-{number:06d}"


def escape_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with a quote, so it stays text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _berlin(row: BillingRow) -> tuple[str, str, str]:
    start, end = clock.to_berlin(row.started_at), clock.to_berlin(row.ended_at)
    return start.strftime("%H:%M"), end.strftime("%d.%m.%Y"), end.strftime("%H:%M")


def csv_cells(number: int, row: BillingRow) -> list[str]:
    """One CSV row in COLUMNS order, every text cell escaped."""
    start_time, end_date, end_time = _berlin(row)
    values = [
        str(number),
        row.ref,
        row.order_ref,
        row.session_ref,
        row.customer_number,
        row.customer_name,
        row.billing_class,
        row.session_date.strftime("%d.%m.%Y"),
        start_time,
        end_date,
        end_time,
        str(row.duration_minutes),
        row.workstation_or_employee or "",
    ]
    return [escape_cell(value) for value in values]


def json_record(number: int, row: BillingRow) -> dict[str, object]:
    """The same record for machines: ISO dates, Berlin HH:MM, UTC instants, text unescaped."""
    start_time, _end_date, end_time = _berlin(row)
    return {
        "batch": number,
        "record": row.ref,
        "order": row.order_ref,
        "session": row.session_ref,
        "customer_number": row.customer_number,
        "customer_name": row.customer_name,
        "billing_class": row.billing_class,
        "session_date": row.session_date.isoformat(),
        "start_time": start_time,
        "end_date": clock.berlin_date(row.ended_at).isoformat(),
        "end_time": end_time,
        "duration_minutes": row.duration_minutes,
        "workstation_or_employee": row.workstation_or_employee,
        "started_at": _utc(row.started_at),
        "ended_at": _utc(row.ended_at),
    }


def _utc(value) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Staged:
    """Temporary files of one batch, waiting for the transaction to commit."""

    pairs: list[tuple[Path, Path]] = field(default_factory=list)  # (temporary, final)
    sha256: str = ""

    def publish(self) -> None:
        for temporary, final in self.pairs:
            os.replace(temporary, final)
        if self.pairs:
            _fsync_dir(self.pairs[0][1].parent)
        self.pairs.clear()

    def discard(self) -> None:
        for temporary, _final in self.pairs:
            temporary.unlink(missing_ok=True)
        self.pairs.clear()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_file(directory: Path, final: Path) -> tuple[Path, int]:
    fd, name = tempfile.mkstemp(dir=directory, prefix=f".{final.name}.", suffix=".tmp")  # 0600
    modes.apply_fd(fd)
    return Path(name), fd


def _write_csv(fd: int, content: BatchContent) -> None:
    with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")  # quotes as needed, rows end in CRLF
        writer.writerow(COLUMNS)
        for row in content.rows():
            writer.writerow(csv_cells(content.batch.number, row))
        handle.flush()
        os.fsync(handle.fileno())


def _json_chunks(content: BatchContent, csv_name: str, csv_sha256: str) -> Iterator[str]:
    head = {
        "format": FORMAT,
        "batch": content.batch.number,
        "created_at": _utc(content.batch.created_at),
        "record_count": content.batch.record_count,
        "csv_file": csv_name,
        "csv_sha256": csv_sha256,
    }
    yield json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "records": ['
    for index, row in enumerate(content.rows()):
        yield ("," if index else "") + "\n    " + json.dumps(json_record(content.batch.number, row), ensure_ascii=False)
    yield "\n  ]\n}\n"


def _write_json(fd: int, chunks: Iterator[str]) -> None:
    with open(fd, "w", encoding="utf-8", newline="\n") as handle:
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def stage_files(directory: Path, content: BatchContent, staged: Staged) -> str:
    """Write both files under temporary names; returns the CSV's SHA-256."""
    stem = file_stem(content.batch.number)
    csv_final, json_final = directory / f"{stem}.csv", directory / f"{stem}.json"
    if not content.reexport:
        for final in (csv_final, json_final):
            if final.exists():  # another database, or a restored backup, used this number already
                raise ValidationError(
                    "out_dir", _("{file} exists already; refusing to overwrite another batch").format(file=final)
                )
    for leftover in directory.glob(f".{stem}.*.tmp"):  # of an export killed before its commit; the number
        leftover.unlink(missing_ok=True)  # is taken inside the serialized transaction, so none runs now
    csv_temp, fd = _temp_file(directory, csv_final)
    staged.pairs.append((csv_temp, csv_final))
    _write_csv(fd, content)
    staged.sha256 = _sha256_of(csv_temp)
    json_temp, fd = _temp_file(directory, json_final)
    staged.pairs.append((json_temp, json_final))
    _write_json(fd, _json_chunks(content, csv_final.name, staged.sha256))
    return staged.sha256


@dataclass(frozen=True)
class ExportResult:
    """What `billing export` did: the batch, its files, and for a re-export whether it matched."""

    batch: billing.BatchInfo | None  # None: the outbox was empty, nothing written
    csv_path: Path | None = None
    json_path: Path | None = None
    sha256: str | None = None
    reexport: bool = False
    repaired: tuple[int, ...] = ()  # incomplete batches whose files this export wrote first

    @property
    def identical(self) -> bool:
        """A re-export reproduced the stored checksum (always true for a new batch)."""
        return self.batch is not None and self.sha256 == self.batch.sha256

    def as_dict(self) -> dict[str, object]:
        if self.batch is None:
            return {
                "batch": None,
                "record_count": 0,
                "files": [],
                "repaired": list(self.repaired),
                "message": _("the outbox is empty; nothing written"),
            }
        return {
            "repaired": list(self.repaired),
            "batch": self.batch.number,
            "record_count": self.batch.record_count,
            "reexport": self.reexport,
            "created_at": _utc(self.batch.created_at),
            "sha256": self.sha256,
            "identical": self.identical,
            "files": [str(self.csv_path), str(self.json_path)],
        }


def prepare_dir(directory: Path) -> Path:
    """The output folder, created private (0700) if missing; refused if it is not a folder."""
    if directory.exists() and not directory.is_dir():
        raise ValidationError("out_dir", _("{path} is not a folder").format(path=directory))
    try:
        modes.ensure_folder(directory)
    except OSError as exc:
        problem = _("cannot create {path}: {error}").format(path=directory, error=exc.strerror)
        raise ValidationError("out_dir", problem) from exc
    return directory


def export(
    actor: Staff, directory: Path, *, reexport: int | None = None, progress: Callable[[int, int], None] | None = None
) -> ExportResult:
    """Write the next batch (or `reexport` an old one) into `directory`; see the module docstring.
    `progress(done, total)` hears how many of the batch's records each file has so far."""
    require_role(actor, *billing.BILLING_ROLES)  # before anything touches the disk
    out = prepare_dir(Path(directory))
    repaired = tuple(repair(actor, out)) if reexport is None else ()
    staged = Staged()
    try:
        try:
            content = billing.create_batch(
                actor, reexport=reexport, deliver=lambda c: stage_files(out, c, staged), progress=progress
            )
        except OSError as exc:  # disk full, permissions: the transaction rolled the batch back
            raise ValidationError(
                "out_dir",
                _("cannot write the batch files: {error}; nothing was exported").format(error=exc.strerror or exc),
            ) from exc
        if content is None:
            return ExportResult(None, repaired=repaired)
        try:
            staged.publish()
            billing.files_in_place(content.batch.number)
        except OSError as exc:  # after the commit: the batch exists, so say how to get its files
            raise ValidationError(
                "out_dir",
                _(
                    "batch {number} is recorded but its files could not be put in place ({error}); "
                    "write them with --reexport {number}"
                ).format(number=content.batch.number, error=exc.strerror or exc),
            ) from exc
    finally:
        staged.discard()
    stem = file_stem(content.batch.number)
    return ExportResult(
        content.batch, out / f"{stem}.csv", out / f"{stem}.json", staged.sha256, content.reexport, repaired
    )


def repair(actor: Staff, out: Path) -> list[int]:
    """Batches recorded without their files (killed between commit and rename): write their files
    into `out` from the stored records, drop the leftover temporary files, mark them whole."""
    done = []
    for number in billing.incomplete_batches():
        staged = Staged()
        try:
            billing.repair_batch(actor, number, deliver=lambda c, s=staged: stage_files(out, c, s))
            staged.publish()
        finally:
            staged.discard()
        billing.files_in_place(number)
        done.append(number)
    return done
