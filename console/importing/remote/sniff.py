"""Recognise a remote tool's log from its content, and read it line by line in constant memory.

Windows writes these files as UTF-8 with or without a BOM, or as UTF-16 (with a BOM, and
AnyDesk's connection_trace.txt also without one); lines end in CRLF; AnyDesk traces carry runs
of NUL bytes where the file was preallocated. The format is decided from the first lines, never
from the file name, and a file that is none of the known formats gets one line saying what it
looks like.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from models.core.i18n import _

HEAD_BYTES = 64 * 1024
CHUNK = 1024 * 1024
MAX_LINE = 64 * 1024  # a longer "line" is cut: a log line is never that long, a binary blob may be

# format name -> (tool, description)
FORMATS: dict[str, tuple[str, str]] = {
    "teamviewer-connections": ("teamviewer", "TeamViewer Connections_incoming.txt / Connections.txt"),
    "teamviewer-logfile": ("teamviewer", "TeamViewer log file (TeamViewer15_Logfile.log)"),
    "teamviewer-webapi": ("teamviewer", "TeamViewer Web API reports/connections JSON"),
    "anydesk-trace": ("anydesk", "AnyDesk trace (ad_svc.trace / ad.trace)"),
    "anydesk-connection-trace": ("anydesk", "AnyDesk connection_trace.txt"),
    "rustdesk-log": ("rustdesk", "RustDesk client or service log"),
    "rustdesk-audit-export": ("rustdesk", "RustDesk Server Pro connection audit export (CSV)"),
    "rustdesk-audit-posts": ("rustdesk", "RustDesk audit posts (POST /api/audit/conn bodies)"),
}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "teamviewer-connections",
        re.compile(r"^\d{5,12}\s.*\d\d-\d\d-\d{4} \d\d:\d\d:\d\d\s.*\{?[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}\}?"),
    ),
    ("teamviewer-logfile", re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{3}\s+\d+\s+\d+\s")),
    (
        "anydesk-trace",
        re.compile(r"^\s*(?:info|warning|error|auth|debug|trace)\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+\S+"),
    ),
    ("anydesk-connection-trace", re.compile(r"^\s*(?:Incoming|Outgoing)\s+\d{4}-\d\d-\d\d,\s+\d\d:\d\d")),
    (
        "rustdesk-log",
        re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d\d:\d\d\] (?:INFO|DEBUG|WARN|ERROR|TRACE) "),
    ),
]


class Unreadable(Exception):
    """The file is not a log this console reads; the message says what it looks like."""


@dataclass(frozen=True)
class Sniffed:
    format: str
    encoding: str

    @property
    def tool(self) -> str:
        return FORMATS[self.format][0]


def _encoding(head: bytes) -> tuple[str, int]:
    """The encoding and the length of its BOM, from the first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    sample = head[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le", 0  # UTF-16 without a BOM: ASCII text with every other byte NUL
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be", 0
    return "utf-8", 0


def read_lines(path: Path, encoding: str | None = None) -> Iterator[str]:
    """Every line of the file as text without line end, BOM or NUL bytes; streamed in 1 MB chunks."""
    with path.open("rb") as handle:
        head = handle.read(4)
        found, bom = _encoding(head + handle.read(4092))
        handle.seek(bom)
        decoder = codecs.getincrementaldecoder(encoding or found)(errors="replace")
        pending = ""
        while True:
            chunk = handle.read(CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if text:
                pending += text.replace("\x00", "")
                lines = pending.split("\n")
                pending = lines.pop()
                for line in lines:
                    yield line[:MAX_LINE].rstrip("\r").lstrip("\ufeff")
                if len(pending) > MAX_LINE:  # no line end in sight: keep memory bounded
                    yield pending[:MAX_LINE]
                    pending = ""
            if not chunk:
                break
        if pending:
            yield pending[:MAX_LINE].rstrip("\r").lstrip("\ufeff")


def _looks_binary(head: bytes, encoding: str) -> str | None:
    if head.startswith(b"\x7fELF"):
        return _("a binary file (an ELF program), not a log")
    if head.startswith(b"MZ"):
        return _("a binary file (a Windows program), not a log")
    if head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        return _("a compressed archive; unpack it first")
    if head.startswith(b"SQLite format 3"):
        return _("an SQLite database, not a log")
    if encoding != "utf-8":
        return None
    body = head.replace(b"\x00", b"")
    if not body:
        return _("only NUL bytes, no text")
    controls = sum(1 for b in body if b < 9 or 13 < b < 32)
    try:
        body.decode("utf-8")
        bad = 0
    except UnicodeDecodeError as exc:
        bad = len(body) - exc.start if exc.start < len(body) - 4 else 0
    if controls > max(16, 0.02 * len(body)) or bad > max(16, 0.1 * len(body)):
        return _("a binary file, not a text log")
    return None


def sniff(path: Path) -> Sniffed:
    """The format and encoding of a log, or `Unreadable` with one line on what the file looks like."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except IsADirectoryError:
        raise Unreadable(_("is a folder; use --watch for a drop folder")) from None
    except OSError as exc:
        raise Unreadable(_("cannot be read: {error}").format(error=exc.strerror)) from None
    if not head.strip(b"\x00 \r\n\t"):
        raise Unreadable(_("is empty"))
    encoding, _bom = _encoding(head)
    binary = _looks_binary(head, encoding)
    if binary:
        raise Unreadable(binary)
    lines = []
    for line in read_lines(path, encoding):
        if line.strip():
            lines.append(line)
        if len(lines) >= 400:
            break
    found = _classify(lines)
    if found is None:
        raise Unreadable(_unknown(lines, encoding))
    return Sniffed(found, encoding)


def _classify(lines: list[str]) -> str | None:
    text = "\n".join(lines[:50]).lstrip()
    if text.startswith("{") or re.match(r"\[\s*[\[{\]\"]", text):
        if '"records"' in text and ("start_date" in text or "records" in text):
            return "teamviewer-webapi"
        if '"conn_id"' in text or '"uuid"' in text or '"session_id"' in text:
            return "rustdesk-audit-posts"
        return None
    first = lines[0].lower() if lines else ""
    if "," in first and ("conn" in first or "session" in first) and ("peer" in first or "device" in first):
        return "rustdesk-audit-export"
    counts: dict[str, int] = {}
    for line in lines:
        for name, pattern in _PATTERNS:
            if pattern.match(line):
                counts[name] = counts.get(name, 0) + 1
                break
    if not counts:
        return None
    return max(counts, key=lambda name: counts[name])


def _unknown(lines: list[str], encoding: str) -> str:
    text = "\n".join(lines[:50])
    if "AnyDesk" in text or "anynet." in text:
        return _("looks like AnyDesk output, but not a trace or connection_trace.txt this console reads")
    if "TeamViewer" in text:
        return _("looks like TeamViewer output, but not a connection list, log file or Web API report")
    if "rustdesk" in text.lower():
        return _("looks like RustDesk output, but not a log or audit export this console reads")
    if text.lstrip().startswith("{") or re.match(r"\s*\[\s*[\[{\]\"]", text):
        return _("is JSON, but not a TeamViewer Web API report or RustDesk audit data")
    where = "" if encoding == "utf-8" else " (" + encoding.upper() + ")"
    return _("is text{encoding}, but in no format of TeamViewer, AnyDesk or RustDesk this console knows").format(
        encoding=where
    )


def describe(format_name: str) -> str:
    return FORMATS[format_name][1]
