"""Turn connection logs of remote-support tools into import lines (docs/import-format.md).

A log knows when a connection started and ended, the tool's session id and sometimes the
customer's IP or a few actions; it does not know the order, the technician or whether the
screen was private. Those come from the caller, and `support24 import --dry-run` then
checks the result like any other file. Unrecognised log lines are ignored (logs are noisy);
a connection row that cannot be read is reported by line number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from models.core.i18n import _

TOOLS = ("teamviewer", "anydesk", "rustdesk")
_TV_DATE = "%d-%m-%Y %H:%M:%S"
_AD_LINE = re.compile(r"^\s*\w+\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\s+.*? - (.*)$")


@dataclass
class Connection:
    external_id: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    customer_ip: str | None = None
    workstation: str | None = None
    activity: list[tuple[datetime, str, str]] = field(default_factory=list)


@dataclass
class Defaults:
    """What the log cannot say: the order, the technician, whether others could see the screen."""

    order: str
    technician: str
    screen_private: bool
    started_at: datetime | None = None  # RustDesk posts carry no time
    ended_at: datetime | None = None


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def _teamviewer(text: str, problems: list[str]) -> list[Connection]:
    """Connections_incoming.txt (TAB-separated, with partner name), Connections.txt (space-padded),
    or the Web API's reports/connections JSON."""
    if text.lstrip().startswith("{"):
        records = json.loads(text).get("records", [])
        return [
            Connection(
                str(r["id"]),
                datetime.fromisoformat(r["start_date"].replace("Z", "+00:00")),
                datetime.fromisoformat(r["end_date"].replace("Z", "+00:00")) if r.get("end_date") else None,
                workstation=r.get("devicename"),
            )
            for r in records
        ]
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in (line.split("\t") if "\t" in line else re.split(r"\s{2,}", line.strip()))]
        cells = [c for c in cells if c]
        if len(cells) == 6:
            cells.insert(1, "")  # the outgoing list has no partner-name column
        try:
            partner, _name, start, end, _user, kind, guid = cells[:7]
            started = datetime.strptime(start, _TV_DATE).replace(tzinfo=timezone.utc)
            ended = datetime.strptime(end, _TV_DATE).replace(tzinfo=timezone.utc)
        except ValueError:
            problems.append(_("line {n}: not a TeamViewer connection row").format(n=number))
            continue
        connection = Connection(f"{partner}-{guid.strip('{}')}", started, ended)
        connection.activity.append((started, "connect", f"{kind} with TeamViewer ID {partner}"))
        found.append(connection)
    return found


def _anydesk(text: str, problems: list[str]) -> list[Connection]:
    """ad_svc.trace / ad.trace: incoming request opens a connection, 'Session closed/stopped' ends it."""
    found: list[Connection] = []
    current: Connection | None = None
    for line in text.replace("\x00", "").splitlines():
        match = _AD_LINE.match(line)
        if match is None:
            continue
        at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
        message = match.group(2)
        start = re.match(r"(?:Accept request from|Incoming session request: .*\()\s*(\d+)", message)
        if start and (current is None or current.ended_at is not None):
            current = Connection(f"{start.group(1)}@{_iso(at.replace(microsecond=0))}", at)
            found.append(current)
            current.activity.append((at, "connect", f"AnyDesk ID {start.group(1)}"))
            continue
        if current is None or current.ended_at is not None:
            continue
        if logged := re.match(r"Logged in from ([0-9a-fA-F.:]+):\d+", message):
            current.customer_ip = logged.group(1)
        elif message.startswith(("Session closed", "Session stopped")):
            current.ended_at = at
        elif message.startswith(("Download finished", "Upload finished")):
            current.activity.append((at, "file_transfer", message.rstrip(".")))
        elif message.startswith("Received a sysinfo request"):
            current.activity.append((at, "sysinfo_request", "system information requested"))
        elif message.startswith("Remote OS:"):
            current.activity.append((at, "remote_os", message.split(",")[0]))
    return found


def _rustdesk(text: str, problems: list[str]) -> list[Connection]:
    """Audit posts of a RustDesk client (POST /api/audit/conn): one connection per uuid."""
    by_uuid: dict[str, Connection] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            post: dict[str, Any] = json.loads(line)  # Python ints keep session_id exact beyond 64 bits
        except ValueError:
            problems.append(_("line {n}: not a JSON object").format(n=number))
            continue
        uuid = post.get("uuid")
        if not uuid:
            continue  # a note without connection
        connection = by_uuid.setdefault(uuid, Connection(f"{post.get('id')}-{uuid}"))
        if post.get("action") == "new" and post.get("ip"):
            connection.customer_ip = post["ip"]
    return list(by_uuid.values())


PARSERS = {"teamviewer": _teamviewer, "anydesk": _anydesk, "rustdesk": _rustdesk}


def convert(tool: str, text: str, defaults: Defaults) -> tuple[list[dict[str, Any]], list[str]]:
    """Import lines (session, then its activity) for every connection found, and the problems."""
    problems: list[str] = []
    lines: list[dict[str, Any]] = []
    for connection in PARSERS[tool](text, problems):
        started = connection.started_at or defaults.started_at
        ended = connection.ended_at or defaults.ended_at
        if started is None:
            problems.append(_("{id}: the log has no start time; give --started-at").format(id=connection.external_id))
            continue
        session: dict[str, Any] = {
            "type": "session",
            "order": defaults.order,
            "technician": defaults.technician,
            "started_at": _iso(started),
            "screen_private": defaults.screen_private,
            "tool": tool,
            "external_id": connection.external_id[:128],
        }
        if ended is not None:
            session["ended_at"] = _iso(ended)
        for key in ("customer_ip", "workstation"):
            if getattr(connection, key):
                session[key] = getattr(connection, key)
        lines.append(session)
        ref = f"{tool}:{session['external_id']}"
        for at, action, detail in connection.activity:
            lines.append({"type": "activity", "session": ref, "at": _iso(at), "action": action, "detail": detail})
    return lines, problems
