"""RustDesk: the service log of the controlled machine, the client log of the controlling one, and the
RustDesk Server Pro connection audit export.

- Service log (`log/server/RustDesk_r*.log` on the customer's machine): `#N Connection opened
  from ADDR.` and `#N Connection closed: REASON`. N is the connection id of that service run;
  ADDR is the controlling side, i.e. the technician, and never becomes the customer's IP.
- Client log (the technician's machine): `Session ID start` opens an outgoing connection to the
  device ID; `Hole Punched ID = ADDR` is the customer's address as seen from here; `Connection
  closed` or the next session ends it.
- Server Pro audit export (CSV from the web console's connection log): one row per connection
  with the device id, the peer (technician) id and name, the connection id, IP, start and end.
- Raw audit posts (`POST /api/audit/conn` bodies) carry no times: each connection in them is
  reported, not stored.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from console.importing.remote.base import ConnectionIn, Report, bare_ip, utc
from models.core.i18n import _

_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d\d:\d\d)\] (\w+) \[[^\]]*\] (.*)$")
_OPENED = re.compile(r"^#(\d+) Connection opened from (\S+?)\.?$")
_CLOSED = re.compile(r"^#(\d+) Connection closed: ?(.*)$")
_SESSION = re.compile(r"^Session (\d+) start")
_PUNCHED = re.compile(r"Hole Punched (\d+) = (\S+)")
_CLIENT_CLOSED = re.compile(r"^(?:Connection closed|closed \d+ outgoing session)")


def _at(stamp: str, offset: str) -> datetime:
    return utc(datetime.fromisoformat(f"{stamp}{offset}"))


def log(lines: Iterable[str], report: Report) -> Iterator[ConnectionIn]:
    """Connections of a service log (incoming) and of a client log (outgoing)."""
    incoming: dict[str, ConnectionIn] = {}
    outgoing: ConnectionIn | None = None
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            continue
        at = _at(match[1], match[2])
        message = match[4].strip()
        if found := _OPENED.match(message):
            if found[1] in incoming:  # the id counts again from 1 after a restart
                yield _cut(incoming.pop(found[1]), report)
            key = f"conn:{found[1]}@{at.strftime('%Y-%m-%dT%H:%M:%S.%f')}"
            incoming[found[1]] = ConnectionIn(
                tool="rustdesk",
                keys=[key],
                external_id=key.split(":", 1)[1],
                started_at=at,
                direction="incoming",
                details={"connection_id": int(found[1]), "peer_address": bare_ip(found[2]) or found[2]},
                source="rustdesk-service-log",
            )
        elif (found := _CLOSED.match(message)) and found[1] in incoming:
            conn = incoming.pop(found[1])
            conn.ended_at = at
            if found[2]:
                conn.details["close_reason"] = found[2].strip()
            yield conn
        elif found := _SESSION.match(message):
            if outgoing is not None:
                outgoing.ended_at = outgoing.ended_at or at
                yield outgoing
            key = f"session:{found[1]}@{at.strftime('%Y-%m-%dT%H:%M:%S.%f')}"
            outgoing = ConnectionIn(
                tool="rustdesk",
                keys=[key],
                external_id=key.split(":", 1)[1],
                started_at=at,
                direction="outgoing",
                partner_id=found[1],
                device_id=found[1],
                device_hints=[found[1]],
                source="rustdesk-client-log",
            )
        elif outgoing is not None and (found := _PUNCHED.search(message)) and found[1] == outgoing.partner_id:
            # Seen from the technician's machine, the other side's address is the customer's.
            outgoing.customer_ip = outgoing.customer_ip or bare_ip(found[2])
        elif outgoing is not None and _CLIENT_CLOSED.match(message):
            outgoing.ended_at = at
            yield outgoing
            outgoing = None
    for conn in incoming.values():
        yield _cut(conn, report)
    if outgoing is not None:
        yield _cut(outgoing, report)


def _cut(conn: ConnectionIn, report: Report) -> ConnectionIn:
    report.warn(
        _("RustDesk connection {id} from {start} has no end in the log (cut before the close); stored as open").format(
            id=conn.external_id, start=conn.started_at.isoformat()
        )
    )
    return conn


_COLUMNS = {
    "device": ("remote id", "device id", "device", "id", "controlled"),
    "device_name": ("device name", "remote name", "hostname"),
    "peer": ("peer id", "peer", "from id", "operator id", "controlling"),
    "peer_name": ("peer name", "from name", "operator", "user"),
    "conn": ("conn id", "connection id", "conn_id"),
    "session": ("session id", "session_id"),
    "ip": ("ip", "ip address", "peer ip"),
    "start": ("start", "start time", "created at", "created_at", "time"),
    "end": ("end", "end time", "closed at", "closed_at"),
    "type": ("type", "connection type"),
    "note": ("note", "notes"),
}


def audit_export(lines: Iterable[str], report: Report) -> Iterator[ConnectionIn]:
    """Rows of the Server Pro connection log export, keyed by device, connection and session id."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    names = [h.strip().lstrip("'").casefold() for h in header]
    column: dict[str, int] = {}
    for field_name, options in _COLUMNS.items():
        for option in options:
            if option in names and option not in column.values():
                column[field_name] = names.index(option)
                break
    if "device" not in column or "start" not in column:
        report.warn(_("the header names no device id or start column"))
        return
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str | None:
            index = column.get(name)
            if index is None or index >= len(row):
                return None
            value = row[index].strip()
            return value.lstrip("'") if value[:2] in ("'=", "'+", "'-", "'@") else value or None

        try:
            started = utc(datetime.fromisoformat(str(cell("start"))))
            end = cell("end")
            ended = utc(datetime.fromisoformat(end)) if end else None
        except ValueError:
            report.warn(_("line {n}: start or end is not a timestamp").format(n=number))
            continue
        device = cell("device")
        conn_id = cell("conn") or cell("session")
        if not device or not conn_id:
            report.warn(_("line {n}: no device id or connection id").format(n=number))
            continue
        key = f"audit:{device}:{conn_id}:{cell('session') or started.strftime('%Y-%m-%dT%H:%M:%S')}"
        peer = cell("peer")
        yield ConnectionIn(
            tool="rustdesk",
            keys=[key],
            external_id=key.split(":", 1)[1][:128],
            started_at=started,
            ended_at=ended,
            direction="incoming",
            partner_id=peer,
            partner_name=cell("peer_name"),
            device_id=device,
            device_name=cell("device_name"),
            # The server's connection log records the address the controlled device reported
            # for the controlling side, so it is the technician's, not the customer's.
            details={
                k: v for k, v in (("peer_address", cell("ip")), ("type", cell("type")), ("note", cell("note"))) if v
            },
            technician_hints=[h for h in (peer, cell("peer_name")) if h],
            device_hints=[device],
            source="rustdesk-audit-export",
        )


def audit_posts(lines: Iterable[str], report: Report) -> Iterator[ConnectionIn]:
    """Audit posts carry no times: every connection in them is reported, none stored."""
    seen: set[tuple[str, str]] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            post = json.loads(line)
        except ValueError:
            report.warn(_("line {n}: not a JSON object").format(n=number))
            continue
        if not isinstance(post, dict) or "conn_id" not in post:
            continue
        ident = (str(post.get("id")), str(post.get("conn_id")))
        if ident in seen:
            continue
        seen.add(ident)
        report.reported += 1
        report.warn(
            _(
                "connection {conn} of RustDesk device {id}: audit posts carry no time, so it is not stored; "
                "export the connection log from the RustDesk server console and ingest that"
            ).format(conn=ident[1], id=ident[0])
        )
    return
    yield  # a generator that stores nothing
