"""Exporting an access report to a file: open the document, write it 0600 as it is read (the
SHA-256 computed on the way), and record the export (its hash is what `deliver` stores by default)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from console.reports import html_writer, json_writer, md_writer
from console.reports.document import Progress, ReportDocument, build_document
from console.reports.texts import LANGUAGES
from console.settings.config import Controller
from models.access import requests as access
from models.core import clock, modes
from models.core.entities import Staff
from models.core.errors import ValidationError
from models.core.i18n import _
from models.retention import policy

WRITERS: dict[str, Callable[[ReportDocument, TextIO], None]] = {
    "json": json_writer.write,
    "html": html_writer.write,
    "md": md_writer.write,
}
RENDERERS: dict[str, Callable[[ReportDocument], str]] = {
    "json": json_writer.render,
    "html": html_writer.render,
    "md": md_writer.render,
}
BUFFER = 1 << 20  # characters collected before they are encoded, hashed and written
FORMATS = tuple(WRITERS)


@dataclass(frozen=True)
class ExportResult:
    ref: str
    path: Path
    format: str
    language: str
    sha256: str
    size: int

    def as_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "path": str(self.path),
            "format": self.format,
            "language": self.language,
            "sha256": self.sha256,
            "size": self.size,
        }


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValidationError(
            "language", _("{value!r} is not one of: {options}").format(value=lang, options=", ".join(LANGUAGES))
        )


def open_report(actor: Staff, ref: str, *, controller: Controller, lang: str = "de") -> ReportDocument:
    """The report of one request, to be written by a writer (compiles afresh; the compile is audited)."""
    _check_lang(lang)
    return _document(access.permit_export(actor, ref), controller=controller, lang=lang)


def _document(
    permit: access.ExportPermit, *, controller: Controller, lang: str, progress: Progress | None = None
) -> ReportDocument:
    request, compilation, data = access.report_source(permit)
    return build_document(
        request,
        compilation,
        data,
        controller=controller,
        policy=policy.active(),
        lang=lang,
        generated_at=clock.now(),
        progress=progress,
    )


def report_document(actor: Staff, ref: str, *, controller: Controller, lang: str = "de") -> dict[str, Any]:
    """The whole report document of one request as JSON data (for small reports and tests)."""
    return open_report(actor, ref, controller=controller, lang=lang).as_dict()


class _HashingWriter:
    """A text sink that encodes UTF-8 in large pieces, hashes and counts what it writes."""

    def __init__(self, handle: Any) -> None:
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0
        self._pending: list[str] = []
        self._length = 0

    def write(self, text: str) -> int:
        self._pending.append(text)
        self._length += len(text)
        if self._length >= BUFFER:
            self.flush()
        return len(text)

    def flush(self) -> None:
        data = "".join(self._pending).encode("utf-8")
        self._pending, self._length = [], 0
        self.sha256.update(data)
        self.size += len(data)
        self.handle.write(data)


def check_target(path: Path) -> None:
    """Refuse an output path that cannot be written as a file, before anything is read."""
    if path.is_dir():
        raise ValidationError("out", _("{path} is a folder; name the file to write").format(path=path))
    if not path.parent.is_dir():
        raise ValidationError("out", _("the folder {path} does not exist").format(path=path.parent))


def write_private(path: Path, produce: Callable[[Any], None]) -> tuple[str, int]:
    """Write what `produce(handle)` writes to `path`, readable by the owner only (0600), replacing it
    atomically; returns the SHA-256 and the size of the bytes written."""
    check_target(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, modes.file_mode())
    modes.apply_fd(fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            sink = _HashingWriter(handle)
            produce(sink)
            sink.flush()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return sink.sha256.hexdigest(), sink.size


def export_report(
    actor: Staff,
    ref: str,
    *,
    fmt: str,
    out: Path,
    controller: Controller,
    lang: str = "de",
    progress: Progress | None = None,
) -> ExportResult:
    """Write the report as `fmt` into `out` (0600) as it is read, and record the export with the file's SHA-256.
    `progress(done, total)` hears how many of the report's records are written."""
    if fmt not in WRITERS:
        raise ValidationError(
            "format", _("{value!r} is not one of: {options}").format(value=fmt, options=", ".join(FORMATS))
        )
    _check_lang(lang)
    check_target(out)
    permit = access.permit_export(actor, ref)  # role and state, once, before anything is read
    document = _document(permit, controller=controller, lang=lang, progress=progress)
    digest, size = write_private(out, lambda handle: WRITERS[fmt](document, handle))
    access.record_export(permit, digest, fmt=fmt, lang=lang)
    return ExportResult(ref, out.resolve(), fmt, lang, digest, size)
