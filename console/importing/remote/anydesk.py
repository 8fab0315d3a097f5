"""AnyDesk: ad_svc.trace, ad.trace (one parser: a portable install writes both into one file) and
connection_trace.txt.

Both traces are written on the machine that is connected to — here the customer's. The
service trace names the connecting AnyDesk id, the address it logged in from (the
technician's, so never the customer's IP), the session id (`SID: …`) and the close; the user
trace names the connecting alias and id, the remote OS and version, file transfers and the
stop. connection_trace.txt has one line per incoming connection with minutes only and the
authentication method; it has no end and no session id. Times are UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from console.importing.remote.base import ConnectionIn, Report, TransferIn, bare_ip, utc
from models.core.i18n import _

_LINE = re.compile(
    r"^\s*(\w+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\s+(\S+)\s+\S+\s+\d+\s+\d+\s+(?:\d+\s+)?\S+ - (.*)$"
)
_ACCEPT = re.compile(r"^Accept request from (\d+)")
_LOGGED_IN = re.compile(r"^Logged in from (\S+?)(?: on relay \S+)?\.?$")
_SID = re.compile(r"\bSID: (\d+)")
_REQUEST = re.compile(r"^Incoming session request: (.*?) ?\((\d+)\)")
_AUTH = re.compile(r"^\d+: (Authenticated .*?)\.?$")
_TRANSFER = re.compile(r"^(Download|Upload) (finished|started|failed|aborted)")
_PREPARE = re.compile(r"^Preparing files in '(.*)'")


def _new(at: datetime, partner: str, source: str) -> ConnectionIn:
    return ConnectionIn(
        tool="anydesk",
        keys=[],
        external_id="",
        started_at=at,
        direction="incoming",
        partner_id=partner,
        source=source,
    )


def trace(lines: Iterable[str], report: Report) -> Iterator[ConnectionIn]:
    """Connections in a service or user trace, in the order they end."""
    service: ConnectionIn | None = None  # the service trace's current connection
    backend: ConnectionIn | None = None  # the user trace's current session
    folder: str | None = None
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            continue
        at = utc(datetime.strptime(match[2], "%Y-%m-%d %H:%M:%S.%f"))
        message = match[4].strip()
        if found := _ACCEPT.match(message):
            if service is not None:
                yield from _done(service, report, cut=False)
            service = _new(at, found[1], "anydesk-service-trace")
            continue
        if found := _REQUEST.match(message):
            if backend is not None:
                yield from _done(backend, report, cut=False)
            backend = _new(at, found[2], "anydesk-user-trace")
            backend.partner_name = found[1] or None
            continue
        if service is not None and service.ended_at is None:
            if found := _LOGGED_IN.match(message):
                # The connecting side's address: on the customer's host that is the technician.
                service.details.setdefault("peer_address", bare_ip(found[1]) or found[1])
            elif found := _SID.search(message):
                service.keys.append(f"sid:{found[1]}")
            elif found := _AUTH.match(message):
                service.details.setdefault("authentication", found[1])
            elif message.startswith("Session closed"):
                service.ended_at = at
                service.details.setdefault("close_reason", message.rstrip("."))
                yield from _done(service, report, cut=False)
                service = None
                continue
        if backend is not None and backend.ended_at is None:
            if message.startswith("Remote OS:"):
                backend.details.setdefault("remote_os", message.split(":", 1)[1].split(",")[0].strip())
            elif message.startswith("Remote version:"):
                backend.details.setdefault("remote_version", message.split(":", 1)[1].strip())
            elif found := _PREPARE.match(message):
                folder = found[1]
            elif found := _TRANSFER.match(message):
                if found[2] != "started":
                    backend.transfers.append(
                        TransferIn(
                            at=at,
                            name=folder,
                            # AnyDesk's words on the customer's host: "Download" is a file fetched
                            # from there by the technician, "Upload" one sent to it.
                            direction="download" if found[1] == "Download" else "upload",
                            status=found[2],
                        )
                    )
                    folder = None
            elif message.startswith(("Session stopped", "Session closed")):
                backend.ended_at = at
                yield from _done(backend, report, cut=False)
                backend = None
    for left in (service, backend):
        if left is not None:
            yield from _done(left, report, cut=True)


def _done(conn: ConnectionIn, report: Report, *, cut: bool) -> Iterator[ConnectionIn]:
    if not any(k.startswith("sid:") for k in conn.keys):
        # No SID in this trace: the connection is known by who connected when (to the second).
        conn.keys.append(f"request:{conn.partner_id}@{conn.started_at.strftime('%Y-%m-%dT%H:%M:%S')}")
    conn.external_id = conn.keys[0].split(":", 1)[1]
    conn.technician_hints = [h for h in (conn.partner_id, conn.partner_name) if h]
    if cut:
        report.warn(
            _(
                "AnyDesk connection from {id} at {start} has no end in the trace (cut before the close); stored as open"
            ).format(id=conn.partner_id, start=conn.started_at.isoformat())
        )
    yield conn


_CONNECTION_TRACE = re.compile(r"^\s*(Incoming|Outgoing)\s+(\d{4}-\d\d-\d\d),\s+(\d\d:\d\d(?::\d\d)?)\s+(.*?)\s*$")
_AUTH_WORDS = {"user", "passwd", "password", "token", "rejected", "auto", "2fa"}


def connection_trace(lines: Iterable[str], report: Report) -> Iterator[ConnectionIn]:
    """connection_trace.txt: direction, date and minute, authentication, alias and id of the other side."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _CONNECTION_TRACE.match(line)
        if match is None:
            report.warn(_("line {n}: not an AnyDesk connection_trace line").format(n=number))
            continue
        clock_text = match[3] if match[3].count(":") == 2 else match[3] + ":00"
        at = utc(datetime.strptime(f"{match[2]} {clock_text}", "%Y-%m-%d %H:%M:%S"))
        words = match[4].split()
        auth = next((w for w in words if w.casefold() in _AUTH_WORDS), None)
        ids = [w for w in words if w.isdigit() and 6 <= len(w) <= 12]
        aliases = [w for w in words if w is not auth and not w.isdigit()]
        partner = ids[-1] if ids else (aliases[0] if aliases else None)
        if partner is None:
            report.warn(_("line {n}: no AnyDesk id of the other side").format(n=number))
            continue
        if auth and auth.casefold() == "rejected":
            report.warn(
                _("line {n}: connection attempt from {id} at {at} was rejected; no session, not stored").format(
                    n=number, id=partner, at=at.isoformat()
                )
            )
            continue
        incoming = match[1] == "Incoming"
        alias = aliases[0] if aliases and aliases[0] != partner else None
        key = f"trace:{partner}@{at.strftime('%Y-%m-%dT%H:%M')}"
        yield ConnectionIn(
            tool="anydesk",
            keys=[key],
            external_id=key.split(":", 1)[1],
            started_at=at,
            precise=False,
            direction="incoming" if incoming else "outgoing",
            partner_id=partner,
            partner_name=alias,
            device_id=None if incoming else partner,
            technician_hints=[h for h in (partner, alias) if h] if incoming else [],
            device_hints=[] if incoming else [partner],
            details={"authentication": auth} if auth else {},
            source="anydesk-connection-trace",
        )
