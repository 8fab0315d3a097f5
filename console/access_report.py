"""Exporting an access report to a file: build the document, render it, write it 0600, and
record the export (its SHA-256 is what `deliver` stores by default)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from models import access, clock, policy
from models.entities import Staff
from models.errors import ValidationError
from models.i18n import _

from .config import Controller
from .reports import html_writer, json_writer, md_writer
from .reports.document import build_document
from .reports.texts import LANGUAGES

WRITERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "json": json_writer.render, "html": html_writer.render, "md": md_writer.render,
}
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
        return {"ref": self.ref, "path": str(self.path), "format": self.format, "language": self.language,
                "sha256": self.sha256, "size": self.size}


def report_document(actor: Staff, ref: str, *, controller: Controller, lang: str = "de") -> dict[str, Any]:
    """The report document of one request (compiles afresh; the compile is audited)."""
    if lang not in LANGUAGES:
        raise ValidationError("--lang", _("{value!r} is not one of: {options}").format(value=lang, options=", ".join(LANGUAGES)))
    request, compilation, data = access.report_material(actor, ref)
    return build_document(request, compilation, data, controller=controller, policy=policy.active(), lang=lang,
                          generated_at=clock.now())


def check_target(path: Path) -> None:
    """Refuse an output path that cannot be written as a file, before anything is read."""
    if path.is_dir():
        raise ValidationError("--out", _("{path} is a folder; name the file to write").format(path=path))
    if not path.parent.is_dir():
        raise ValidationError("--out", _("the folder {path} does not exist").format(path=path.parent))


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to `path` readable by the owner only (0600), replacing it atomically."""
    check_target(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_report(actor: Staff, ref: str, *, fmt: str, out: Path, controller: Controller, lang: str = "de") -> ExportResult:
    """Render the report as `fmt` into `out` (0600) and record the export with the file's SHA-256."""
    if fmt not in WRITERS:
        raise ValidationError("--format", _("{value!r} is not one of: {options}").format(value=fmt, options=", ".join(FORMATS)))
    if lang not in LANGUAGES:
        raise ValidationError("--lang", _("{value!r} is not one of: {options}").format(value=lang, options=", ".join(LANGUAGES)))
    check_target(out)
    access.check_exportable(ref)  # refuse before reading anything
    document = report_document(actor, ref, controller=controller, lang=lang)
    content = WRITERS[fmt](document).encode("utf-8")
    write_private(out, content)
    digest = hashlib.sha256(content).hexdigest()
    access.record_export(actor, ref, digest, fmt=fmt, lang=lang)
    return ExportResult(ref, out.resolve(), fmt, lang, digest, len(content))
