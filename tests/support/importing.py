"""A complete, valid import file (DESIGN.md §9) as a list of dicts, and a writer for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHA = "ab" * 32
S = "S-2026-0001"


def sample() -> list[dict[str, Any]]:
    """Every record type once, valid, with the clock at 2026-11-24 10:00 UTC."""
    return [
        {
            "type": "staff",
            "username": "mmueller",
            "name": "Max Müller",
            "role": "technician",
            "commitment_signed_on": "2024-01-15",
        },
        {
            "type": "staff",
            "username": "jschulz",
            "name": "Jana Schulz",
            "roles": ["technician"],
            "commitment_signed_on": "2024-01-15",
        },
        {
            "type": "customer",
            "number": "K-10042",
            "name": "Bäckerei Schmidt",
            "email": "info@example.org",
            "contacts": [{"name": "Erika Weber", "email": "erika@example.org"}],
        },
        {"type": "contact", "customer": "K-10042", "name": "Paul Schmidt", "phone": "+49 6181 0000"},
        {
            "type": "order",
            "ref": "A-2026-0001",
            "customer": "K-10042",
            "opened_at": "2026-03-02T08:00:00Z",
            "completed_at": "2026-03-02T11:00:00Z",
            "billed_at": "2026-03-31",
            "billing_class": "contract",
        },
        {
            "type": "session",
            "ref": S,
            "order": "A-2026-0001",
            "technician": "mmueller",
            "started_at": "2026-03-02T09:00:00Z",
            "ended_at": "2026-03-02T09:40:00Z",
            "customer_ip": "203.0.113.7",
            "workstation": "EMPFANG-PC",
            "customer_person": "Erika Weber",
            "screen_private": False,
            "tool": "teamviewer",
            "external_id": "7d1c",
        },
        {
            "type": "consent",
            "session": S,
            "kind": "screen_visibility",
            "given_by": "Erika Weber",
            "method": "verbal",
            "granted": True,
            "at": "2026-03-02T08:59:00Z",
        },
        {
            "type": "activity",
            "session": S,
            "at": "2026-03-02T09:05:00Z",
            "action": "file_upload",
            "detail": "driver package",
            "file": {"name": "drv.zip", "size": 1048576, "sha256": SHA},
        },
        {"type": "chat", "session": S, "at": "2026-03-02T09:06:00Z", "sender": "customer", "text": "Danke!"},
        {
            "type": "system_info",
            "session": S,
            "at": "2026-03-02T09:10:00Z",
            "data": {"os": "Windows 11 Pro", "programs": ["Office"]},
        },
        {
            "type": "recording",
            "session": S,
            "path": "recordings/S-2026-0001.mp4",
            "started_at": "2026-03-02T09:00:00Z",
            "ended_at": "2026-03-02T09:40:00Z",
        },
        {
            "type": "consent",
            "session": S,
            "kind": "additional_staff",
            "given_by": "Erika Weber",
            "method": "verbal",
            "granted": True,
            "at": "2026-03-02T09:19:00Z",
        },
        {"type": "participant", "session": S, "username": "jschulz", "joined_at": "2026-03-02T09:20:00Z"},
        {
            "type": "consent",
            "session": S,
            "kind": "disclosure",
            "given_by": "Erika Weber",
            "method": "email",
            "granted": True,
            "at": "2026-03-02T09:24:00Z",
        },
        {
            "type": "disclosure",
            "session": S,
            "recipient": "Hersteller-Support XY",
            "categories": ["system_info"],
            "scope": "Fehlerprotokoll",
            "basis": "consent",
            "customer_informed_at": "2026-03-02T09:25:00Z",
        },
        {
            "type": "gathered_file",
            "session": S,
            "path": "gathered/screen.png",
            "kind": "screenshot",
            "at": "2026-03-02T09:30:00Z",
        },
    ]


SAMPLE_FILES = ("recordings/S-2026-0001.mp4", "gathered/screen.png")


def place_sample_files(data_dir: Path) -> list[Path]:
    """The files the sample's recording and gathered_file lines name, where a tool would drop them."""
    placed = []
    for relative in SAMPLE_FILES:
        path = data_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"sample " + relative.encode())
        placed.append(path)
    return placed


def write_jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    """One JSON object per line; plain strings are written as they are (for broken lines)."""
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def replace(lines: list[dict[str, Any]], index: int, **changes: Any) -> list[dict[str, Any]]:
    copy = [dict(line) for line in lines]
    for key, value in changes.items():
        if value is None:
            copy[index].pop(key, None)
        else:
            copy[index][key] = value
    return copy
