"""`support24 ingest`: read remote-tool logs and reconcile every connection in them with the console.

Every file is recognised first (format and encoding from its content); if any cannot be read,
nothing is stored. Then each file is read as a stream, and each connection goes through
`models.sessions.reconcile.record_connection` in one transaction per file (rolled back for a
dry run). Every connection ends up matched, pending, or reported in the file's warnings.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from console.importing.remote import anydesk, rustdesk, teamviewer
from console.importing.remote.base import ConnectionIn, Report
from console.importing.remote.sniff import FORMATS, Sniffed, Unreadable, describe, read_lines, sniff
from models.core.db import database
from models.core.entities import Staff
from models.core.i18n import _
from models.core.identity import require_role
from models.sessions.reconcile import INGEST_ROLES, record_connection

PARSERS: dict[str, Callable[[Iterable[str], Report], Iterator[ConnectionIn]]] = {
    "teamviewer-connections": teamviewer.connections,
    "teamviewer-logfile": teamviewer.logfile,
    "teamviewer-webapi": teamviewer.webapi,
    "anydesk-trace": anydesk.trace,
    "anydesk-connection-trace": anydesk.connection_trace,
    "rustdesk-log": rustdesk.log,
    "rustdesk-audit-export": rustdesk.audit_export,
    "rustdesk-audit-posts": rustdesk.audit_posts,
}
OUTCOMES = ("matched", "pending", "updated", "unchanged", "purged")


class _DryRun(Exception):
    """Raised inside the file's transaction to roll a dry run back."""


@dataclass
class FileResult:
    path: str
    format: str | None = None
    encoding: str | None = None
    error: str | None = None
    connections: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    reported: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "error": self.error,
            "connections": self.connections,
            "outcomes": {name: self.outcomes.get(name, 0) for name in OUTCOMES},
            "reported": self.reported,
            "warnings": self.warnings,
        }


def recognise(path: Path, tool: str = "auto") -> Sniffed:
    """The file's format, or `Unreadable` naming what it looks like (also when it is another tool's)."""
    found = sniff(path)
    if tool != "auto" and found.tool != tool:
        raise Unreadable(
            _("looks like {what}, not a {tool} log").format(what=describe(found.format), tool=tool.capitalize())
        )
    return found


def connections_of(path: Path, found: Sniffed, report: Report) -> Iterator[ConnectionIn]:
    """The connections in one recognised file, streamed."""
    yield from PARSERS[found.format](read_lines(path, found.encoding), report)


def connection_json(conn: ConnectionIn) -> dict[str, Any]:
    """One connection as the `--emit-jsonl` line: everything the log said, English keys."""
    return {
        "type": "connection",
        "tool": conn.tool,
        "keys": conn.keys,
        "external_id": conn.external_id,
        "started_at": conn.started_at.isoformat(),
        "ended_at": conn.ended_at.isoformat() if conn.ended_at else None,
        "minutes_only": not conn.precise,
        "direction": conn.direction,
        "partner_id": conn.partner_id,
        "partner_name": conn.partner_name,
        "local_user": conn.local_user,
        "device_id": conn.device_id,
        "device_name": conn.device_name,
        "customer_ip": conn.customer_ip,
        "details": conn.details,
        "transfers": [t.as_dict() for t in conn.transfers],
        "source": conn.source,
    }


def ingest_files(
    actor: Staff,
    paths: list[Path],
    *,
    tool: str = "auto",
    dry_run: bool = False,
    emit: TextIO | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileResult]:
    """Recognise every file, then (only if all are readable) read and reconcile them one by one;
    `progress(done, total)` hears after each file."""
    require_role(actor, *INGEST_ROLES)
    results = [FileResult(str(p)) for p in paths]
    found: list[Sniffed | None] = []
    for path, result in zip(paths, results, strict=True):
        try:
            sniffed = recognise(path, tool)
            result.format, result.encoding = sniffed.format, sniffed.encoding
            found.append(sniffed)
        except Unreadable as exc:
            result.error = str(exc)
            found.append(None)
    if any(r.error for r in results):
        return results
    for done, (path, result, known) in enumerate(zip(paths, results, found, strict=True), start=1):
        assert known is not None
        _ingest_one(actor, path, known, result, dry_run=dry_run, emit=emit)
        if progress is not None:
            progress(done, len(paths))
    return results


def _ingest_one(
    actor: Staff, path: Path, sniffed: Sniffed, result: FileResult, *, dry_run: bool, emit: TextIO | None
) -> None:
    report = Report()
    try:
        with database.atomic():
            for conn in connections_of(path, sniffed, report):
                result.connections += 1
                if emit is not None:
                    emit.write(json.dumps(connection_json(conn), ensure_ascii=False) + "\n")
                result.outcomes[record_connection(actor, conn)] += 1
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    result.warnings = report.warnings
    result.reported = report.reported
    if result.connections == 0 and report.reported == 0:
        result.warnings.append(_("no connections found in this {what}").format(what=FORMATS[sniffed.format][1]))
