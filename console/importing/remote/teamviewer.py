"""TeamViewer: Connections_incoming.txt, Connections.txt, TeamViewer15_Logfile.log, Web API reports/connections.

- Connections_incoming.txt is written on the machine that was connected to (the customer's):
  the partner is the technician (TeamViewer ID and display name), the local user is the
  customer's Windows account. Connections.txt is the technician's own list of outgoing
  connections: the partner is the customer's device, the local user the technician. Rows are
  TAB-separated or padded with spaces; times are UTC; the session GUID is the key.
- The log file has local times (the UTC offset is in each process-start header), the
  TeamViewer session id (`sessionID = …`), the partner's id and name, the end of the session and
  file streams with the names the log mentions.
- The Web API report is one JSON page with `records` and, when there are more, `next_offset`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone

from console.importing.remote.base import ConnectionIn, Report, TransferIn, clean_key, utc
from models.core.i18n import _

_ROW = re.compile(
    r"^(?P<pid>\d{5,12})(?P<mid>.*?)(?P<start>\d\d-\d\d-\d{4} \d\d:\d\d:\d\d)\s+(?P<end>\d\d-\d\d-\d{4} \d\d:\d\d:\d\d)"
    r"(?P<rest>.*?)(?P<guid>\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?)\s*$"
)
_TV_DATE = "%d-%m-%Y %H:%M:%S"


def connections(lines: Iterable[str], report: Report) -> Iterator[ConnectionIn]:
    """Rows of Connections_incoming.txt (with a partner-name column) or Connections.txt (without)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _ROW.match(line.strip(" "))
        if match is None:
            report.warn(_("line {n}: not a TeamViewer connection row").format(n=number))
            continue
        try:
            started = utc(datetime.strptime(match["start"], _TV_DATE))
            ended = utc(datetime.strptime(match["end"], _TV_DATE))
        except ValueError:
            report.warn(_("line {n}: the start or end is not a date").format(n=number))
            continue
        if "\t" in line:  # TAB-separated: empty cells (a missing user) keep their place
            cells = [c.strip() for c in line.strip("\r\n").rstrip("\t").split("\t")]
            incoming = len(cells) >= 7
            name = cells[1] if incoming else ""
            user, kind = (cells[4], cells[5]) if incoming else (cells[3], cells[4]) if len(cells) >= 5 else ("", "")
        else:  # padded with spaces: Connections.txt has no partner-name column
            name = match["mid"].strip()
            incoming = bool(name)
            rest = [c for c in re.split(r"\s{2,}", match["rest"].strip()) if c]
            kind = rest[-1] if rest else ""
            user = rest[-2] if len(rest) >= 2 else ""
        guid = clean_key(match["guid"])
        partner = match["pid"]
        if incoming:
            yield ConnectionIn(
                tool="teamviewer",
                keys=[f"guid:{guid}"],
                external_id=guid,
                started_at=started,
                ended_at=ended,
                direction="incoming",
                partner_id=partner,
                partner_name=name or None,
                local_user=user or None,
                technician_hints=[partner, name],
                details={"connection_type": kind} if kind else {},
                source="teamviewer-incoming",
            )
        else:
            yield ConnectionIn(
                tool="teamviewer",
                keys=[f"guid:{guid}"],
                external_id=guid,
                started_at=started,
                ended_at=ended,
                direction="outgoing",
                partner_id=partner,
                device_id=partner,
                local_user=user or None,
                technician_hints=[user] if user else [],
                device_hints=[partner],
                details={"connection_type": kind} if kind else {},
                source="teamviewer-outgoing",
            )


_LOG = re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{3})\s+\d+\s+\d+\s+\S+\s+(.*)$")
_OFFSET = re.compile(r"^Start:\s+\S+ \S+ \(UTC([+-]\d{1,2})(?::(\d\d))?\)")
_LOCAL_ID = re.compile(r"^ID:\s+(\d+)")
_INCOMING = re.compile(r"Connection incoming, sessionID = (\d+)")
_PARTICIPANT = re.compile(r"AddParticipant: \[(\d+),(\d+)\] type=(\d+) name=(.*)$")
_HELLO = re.compile(r"client hello received from (\d+)")
_ENDED = re.compile(r"SessionStatistics\[\d+\] Session to (\d+) ended")
_TERMINATE = re.compile(r"SessionTerminate: removing session with tvsessionprotocol::TVSessionID = (\d+)")
_FILE_STREAM = re.compile(r"StreamType_File.*source=\[(\d+),\d+\].*streamID=(\d+)")
_FILE_NAME = re.compile(r'FileManager::\w+: .*?: "([^"\\]+)\\?"')
_FILE_ERROR = re.compile(r"CopyFilesOperation(Incoming|Outgoing)::HandleError: \w+ Error on Stream: (\d+)")


def logfile(lines: Iterable[str], report: Report) -> Iterator[ConnectionIn]:
    """Incoming sessions of a TeamViewer15_Logfile.log: start, partner, file streams, end."""
    offset = None
    local_id = None
    warned_offset = False
    open_sessions: dict[str, ConnectionIn] = {}
    streams: dict[str, TransferIn] = {}
    latest: ConnectionIn | None = None
    for line in lines:
        if header := _OFFSET.match(line):
            hours = int(header[1])
            minutes = int(header[2] or 0) * (1 if hours >= 0 else -1)
            offset = timezone(timedelta(hours=hours, minutes=minutes))
            continue
        if found := _LOCAL_ID.match(line):
            local_id = found[1]
            continue
        match = _LOG.match(line)
        if match is None:
            continue
        message = match[2]
        at = datetime.strptime(match[1], "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=offset or UTC)
        at = at.astimezone(UTC)
        if found := _INCOMING.search(message):
            sid = found[1]
            if offset is None and not warned_offset:
                report.warn(
                    _("no process-start header with the UTC offset before the first session; times read as UTC")
                )
                warned_offset = True
            if sid not in open_sessions:
                latest = open_sessions[sid] = ConnectionIn(
                    tool="teamviewer",
                    keys=[f"session:{sid}"],
                    external_id=sid,
                    started_at=at,
                    direction="incoming",
                    device_id=local_id,  # this machine: the customer's
                    device_hints=[local_id] if local_id else [],
                    details={"teamviewer_session_id": sid},
                    source="teamviewer-logfile",
                )
            continue
        if (found := _TERMINATE.search(message)) and found[1] in open_sessions:
            session = open_sessions.pop(found[1])
            session.ended_at = session.ended_at or at
            yield _finish(session)
            latest = next(reversed(open_sessions.values()), None)
            continue
        if latest is None or latest.ended_at is not None:
            continue
        if (found := _PARTICIPANT.search(message)) and found[1] != local_id and found[3] != "3":
            latest.partner_id = latest.partner_id or found[1]
            latest.partner_name = latest.partner_name or found[4].strip()
        elif (found := _HELLO.search(message)) and not latest.partner_id:
            latest.partner_id = found[1]
        elif (found := _FILE_STREAM.search(message)) and found[1] != local_id:
            # A file stream the partner opened; this machine's answering stream is no transfer.
            # The direction is known once a copy operation names it (Incoming: sent to this machine).
            item = TransferIn(at=at, status=_("stream {n}").format(n=found[2]))
            streams[found[2]] = item
            latest.transfers.append(item)
        elif found := _FILE_NAME.search(message):
            for item in reversed(latest.transfers):
                if item.name is None:
                    item.name = found[1]
                    break
        elif found := _FILE_ERROR.search(message):
            if failed := streams.get(found[2]):
                failed.status = _("failed (stream {n})").format(n=found[2])
                failed.direction = "upload" if found[1] == "Incoming" else "download"
        elif (found := _ENDED.search(message)) and latest.partner_id == found[1]:
            latest.ended_at = at  # the service's end; the desktop process's SessionTerminate follows
    for session in open_sessions.values():
        if session.ended_at is None:
            report.warn(
                _(
                    "TeamViewer session {id} from {start} has no end in the log (cut before the close); stored as open"
                ).format(id=session.external_id, start=session.started_at.isoformat())
            )
        yield _finish(session)


def _finish(session: ConnectionIn) -> ConnectionIn:
    session.technician_hints = [h for h in (session.partner_id, session.partner_name) if h]
    return session


def webapi(lines: Iterable[str], report: Report) -> Iterator[ConnectionIn]:
    """One page of GET /api/v1/reports/connections."""
    text = "\n".join(lines)  # one page: the API returns at most 1000 records per request
    try:
        document = json.loads(text)
    except ValueError as exc:
        report.warn(_("not valid JSON: {error}").format(error=exc))
        return
    records = document.get("records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        report.warn(_("no 'records' list in the report"))
        return
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict) or not record.get("id") or not record.get("start_date"):
            report.warn(_("record {n}: no id or start_date").format(n=index))
            continue
        try:
            started = utc(datetime.fromisoformat(str(record["start_date"])))
            end = record.get("end_date")
            ended = utc(datetime.fromisoformat(str(end))) if end else None
        except ValueError:
            report.warn(_("record {n}: start_date or end_date is not a timestamp").format(n=index))
            continue
        guid = clean_key(str(record["id"]))
        details = {
            key: record.get(key)
            for key in (
                "userid",
                "groupid",
                "groupname",
                "notes",
                "fee",
                "currency",
                "billing_state",
                "contact_name",
                "support_session_type",
                "session_code",
            )
            if record.get(key) not in (None, "")
        }
        if not ended:
            report.warn(_("record {n}: connection {id} has no end_date; stored as open").format(n=index, id=guid))
        yield ConnectionIn(
            tool="teamviewer",
            keys=[f"guid:{guid}"],
            external_id=guid,
            started_at=started,
            ended_at=ended,
            direction="outgoing",
            partner_id=str(record["deviceid"]) if record.get("deviceid") else None,
            partner_name=record.get("devicename"),
            local_user=record.get("username"),
            device_id=str(record["deviceid"]) if record.get("deviceid") else None,
            device_name=record.get("devicename"),
            technician_hints=[str(v) for v in (record.get("username"), record.get("userid")) if v],
            device_hints=[str(v) for v in (record.get("deviceid"), record.get("devicename")) if v],
            details=details,
            source="teamviewer-webapi",
        )
    if document.get("next_offset"):
        report.warn(
            _(
                "the report has more pages: next_offset {offset} was not followed; fetch the next page with "
                "offset_id={offset} and ingest it too, or the connections after this page are missing"
            ).format(offset=document["next_offset"])
        )
