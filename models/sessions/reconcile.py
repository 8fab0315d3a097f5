"""Reconcile connections from remote-tool logs with the sessions the console recorded (P4, P5, P6).

Each connection a log names is stored once, under the tool's own session identities. It is
matched to the console's session with the same tool session id, or else to the session of the
same technician (and device, when the device register knows it) whose time overlaps. A match
takes what the log knows better: the exact start and end, the file transfers, the customer's
address. A connection without a console session is *pending* until a technician assigns it to
an order or marks it as not customer work, with a reason. A connection for which the console
holds no screen-privacy check (P4) is a compliance finding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from models.core import audit, clock, validation
from models.core.db import write_tx
from models.core.entities import ActivityEvent, Order, RemoteSession, Staff
from models.core.errors import NotFound, RuleViolation, ValidationError
from models.core.i18n import _
from models.core.identity import require_role
from models.core.text import fold
from models.retention import due as retention_due
from models.sessions import registers
from models.sessions.registers import ConnectionKey, LoggedConnection
from models.sessions.registers import findings_count as findings_count  # where the CLI finds it
from models.sessions.sessions import SessionInput, end_session, start_session

INGEST_ROLES = ("admin", "technician")
# Two files of one tool see one connection a few seconds apart (service and user trace, a list
# with minute precision); within this much, with no conflicting session id, it is the same one.
SAME_CONNECTION = timedelta(seconds=90)
OVERLAP = timedelta(minutes=2)  # slack when matching a console session by technician and time


@dataclass
class TransferIn:
    at: datetime
    name: str | None = None
    size: int | None = None
    direction: str | None = None  # upload (to the customer) / download (from the customer)
    status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "name": self.name,
            "size": self.size,
            "direction": self.direction,
            "status": self.status,
        }


@dataclass
class ConnectionIn:
    """What one log says about one connection. `keys` are the tool's own session identities,
    each as `kind:value` (e.g. `guid:…`, `sid:…`); `external_id` is the one a session is filed under."""

    tool: str
    keys: list[str]
    external_id: str
    started_at: datetime
    ended_at: datetime | None = None
    precise: bool = True  # False when the log gives minutes only
    direction: str | None = None
    partner_id: str | None = None
    partner_name: str | None = None
    local_user: str | None = None
    device_id: str | None = None
    device_name: str | None = None
    customer_ip: str | None = None
    technician_hints: list[str] = field(default_factory=list)
    device_hints: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    transfers: list[TransferIn] = field(default_factory=list)
    source: str = ""


def _full_keys(conn: ConnectionIn) -> list[str]:
    return [f"{conn.tool}:{key}"[:160] for key in dict.fromkeys(conn.keys)]


def _kinds(keys: list[str]) -> dict[str, str]:
    """kind -> value of stored keys `tool:kind:value`."""
    out = {}
    for key in keys:
        parts = key.split(":", 2)
        if len(parts) == 3:
            out[parts[1]] = parts[2]
    return out


def _same_connection(conn: ConnectionIn) -> LoggedConnection | None:
    """The stored connection a second file of the tool describes: same partner, same time, no other id."""
    if not conn.partner_id:
        return None
    end = conn.ended_at or conn.started_at
    candidates = (
        LoggedConnection.select()
        .where(
            (LoggedConnection.tool == conn.tool)
            & (LoggedConnection.partner_id == conn.partner_id)
            & (LoggedConnection.started_at >= conn.started_at - SAME_CONNECTION - timedelta(days=1))
            & (LoggedConnection.started_at <= end + SAME_CONNECTION)
        )
        .order_by(LoggedConnection.started_at)
    )
    mine = _kinds(_full_keys(conn))
    for row in candidates:
        row_end = row.ended_at or row.started_at
        if row.started_at - SAME_CONNECTION > end or row_end + SAME_CONNECTION < conn.started_at:
            continue
        theirs = _kinds([k.key for k in row.keys])
        if any(kind in theirs and theirs[kind] != value for kind, value in mine.items()):
            continue  # another session of the same partner
        return row
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # as for every single-line field (text.py)
_LIMITS = {"direction": 16, "partner_id": 64, "device_id": 64, "customer_ip": 45}


def _clean(value: Any, limit: int = 200) -> Any:
    """Text from a log as it may be stored: one line, no control characters (no terminal escapes)."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value).strip()[:limit] or None


def _sanitise(conn: ConnectionIn) -> None:
    for name in ("direction", "partner_id", "partner_name", "local_user", "device_id", "device_name", "customer_ip"):
        setattr(conn, name, _clean(getattr(conn, name), _LIMITS.get(name, 200)))
    conn.details = {_clean(k, 64): _clean(v, 2000) for k, v in conn.details.items() if _clean(k, 64)}
    for item in conn.transfers:
        item.name = _clean(item.name, 255)
        item.status = _clean(item.status, 200)
    if conn.customer_ip is not None:
        try:
            conn.customer_ip = validation.ip_address("customer_ip", conn.customer_ip)
        except ValidationError:
            conn.customer_ip = None


def _json_list(text: str | None) -> list[dict[str, Any]]:
    return json.loads(text) if text else []


def _merge(row: LoggedConnection, conn: ConnectionIn, *, new: bool) -> bool:
    """Take into `row` what `conn` adds; True if anything changed."""
    changed = new
    if (
        not new
        and conn.precise
        and row.source
        and row.source.endswith(":minutes")
        and row.started_at != conn.started_at
    ):
        row.started_at = conn.started_at
        row.source = conn.source
        changed = True
    if conn.ended_at is not None and (row.ended_at is None or conn.ended_at > row.ended_at):
        row.ended_at = conn.ended_at  # a second file of the tool that saw the session end later
        changed = True
    for name in ("direction", "partner_id", "partner_name", "local_user", "device_id", "device_name", "customer_ip"):
        value = getattr(conn, name)
        if value and not getattr(row, name):
            setattr(row, name, value)
            changed = True
    details = json.loads(row.details) if row.details else {}
    for key, value in conn.details.items():
        if value not in (None, "") and key not in details:
            details[key] = value
            changed = True
    row.details = json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None
    transfers = _json_list(row.transfers)
    seen = {(t["at"], t.get("name")) for t in transfers}
    for item in conn.transfers:
        if (item.at.isoformat(), item.name) not in seen:
            transfers.append(item.as_dict())
            seen.add((item.at.isoformat(), item.name))
            changed = True
    row.transfers = json.dumps(transfers, ensure_ascii=False) if transfers else None
    if row.technician_id is None:
        staff = registers.staff_for(conn.tool, *conn.technician_hints)
        if staff is not None:
            row.technician = staff
            changed = True
    if row.customer_id is None:
        device = registers.device_for(conn.tool, *conn.device_hints)
        if device is not None:
            row.customer = device.customer_id
            if not row.device_name and device.workstation:
                row.device_name = device.workstation
            changed = True
    return changed


def _find_session(row: LoggedConnection, ids: list[str]) -> RemoteSession | None:
    """The console's session: the same tool session id, else the same technician (and customer) in time."""
    if ids:
        found = (
            RemoteSession.select().where((RemoteSession.tool == row.tool) & RemoteSession.external_id.in_(ids)).first()
        )
        if found is not None:
            return found
    if row.technician_id is None:
        return None
    end = row.ended_at or row.started_at
    query = (
        RemoteSession.select(RemoteSession)
        .join(Order)
        .where(
            (RemoteSession.technician == row.technician_id)
            & (RemoteSession.started_at <= end + OVERLAP)
            & (RemoteSession.ended_at.is_null() | (RemoteSession.ended_at >= row.started_at - OVERLAP))
        )
    )
    if row.customer_id is not None:
        query = query.where(Order.customer == row.customer_id)
    candidates = list(query.order_by(RemoteSession.started_at).limit(20))
    if row.device_name:
        key = fold(row.device_name)
        same_device = [s for s in candidates if s.workstation_key in (None, key)]
        candidates = same_device
    elif row.customer_id is None and len(candidates) > 1:
        return None  # the technician had two sessions then; without the device it is a guess
    if not candidates:
        return None
    return min(candidates, key=lambda s: abs((s.started_at - row.started_at).total_seconds()))


def _apply_to_session(actor: Staff, row: LoggedConnection, session: RemoteSession) -> None:
    """The log knows the exact start and end and the transfers; the console keeps the rest."""
    changed = []
    order = Order.get_by_id(session.order_id)
    # Once the order is completed its billing records hold the times (P9): they stay as billed.
    precise = not (row.source or "").endswith(":minutes") and order.completed_at is None
    if precise and row.started_at != session.started_at and row.started_at >= order.opened_at:
        session.started_at = row.started_at
        changed.append("started_at")
    if row.ended_at is not None and precise and row.ended_at != session.ended_at and row.ended_at >= session.started_at:
        session.ended_at = row.ended_at
        changed.append("ended_at")
    if row.customer_ip and not session.customer_ip:
        session.customer_ip = row.customer_ip
        changed.append("customer_ip")
    if changed:
        session.save()
        audit.record(actor.username, "session.from_log", session.ref, " ".join(changed))
    added = 0
    for item in _json_list(row.transfers):
        at = validation.timestamp("at", item["at"], allow_future=True)
        assert at is not None
        name = (item.get("name") or "")[:255] or None
        exists = (
            ActivityEvent.select()
            .where(
                (ActivityEvent.session == session)
                & (ActivityEvent.at == at)
                & (ActivityEvent.action == "file_transfer")
                & ((ActivityEvent.file_name == name) if name else ActivityEvent.file_name.is_null())
            )
            .exists()
        )
        if exists:
            continue
        direction = item.get("direction") if item.get("direction") in ("upload", "download") else None
        words = [w for w in (item.get("direction"), item.get("name"), item.get("status")) if w]
        ActivityEvent.create(
            session=session,
            at=at,
            action="file_transfer",
            detail=_("{tool} log: {what}").format(tool=row.tool, what=" ".join(words) or _("file transfer")),
            file_name=name,
            direction=direction,
            file_size=item.get("size"),
        )
        added += 1
    if added:
        retention_due.note_data(session.order_id, "activity")
        audit.record(actor.username, "activity.from_log", session.ref, str(added))


def record_connection(actor: Staff, conn: ConnectionIn) -> str:
    """Store one logged connection and reconcile it. Returns what happened:
    'matched', 'pending' (both new), 'updated', 'unchanged', or 'purged' (its data is gone for good)."""
    require_role(actor, *INGEST_ROLES)
    _sanitise(conn)
    conn.keys = [k for k in (_clean(k, 150) for k in conn.keys) if k]
    conn.external_id = _clean(conn.external_id, 128) or ""
    keys = _full_keys(conn)
    with write_tx():
        known = list(ConnectionKey.select().where(ConnectionKey.key.in_(keys)))
        if any(k.connection_id is None for k in known):
            return "purged"
        row = LoggedConnection.get_by_id(known[0].connection_id) if known else _same_connection(conn)
        new = row is None
        if row is None:
            row = LoggedConnection(
                tool=conn.tool,
                started_at=conn.started_at,
                state="pending",
                source=conn.source + ("" if conn.precise else ":minutes"),
                seen_at=clock.now(),
            )
        changed = _merge(row, conn, new=new)
        have = {k.key for k in known} if not new and known else set()
        if not new and not known:
            have = {k.key for k in row.keys}
        missing = [k for k in keys if k not in have]
        if not changed and not missing and row.state != "pending":
            return "unchanged"
        if changed:
            row.seen_at = clock.now()
            row.save()
        for key in missing:
            ConnectionKey.insert(key=key, connection=row.id).on_conflict_ignore().execute()
        if row.state == "pending":
            ids = list(dict.fromkeys([conn.external_id, *_kinds(keys).values()]))
            session = _find_session(row, ids)
            if session is not None:
                row.session = session
                row.state = "matched"
                row.privacy_recorded = True  # the console asked at session start (P4)
                row.save()
                changed = True
        if row.session_id is not None and changed:
            _apply_to_session(actor, row, RemoteSession.get_by_id(row.session_id))
        if new:
            audit.record(actor.username, "ingest.connection", None, f"{conn.tool} {row.state}")
            return row.state
        return "updated" if changed or missing else "unchanged"


def pending(*, after_id: int = 0, limit: int = 200) -> list[LoggedConnection]:
    """Connections no console session accounts for, oldest first."""
    return list(
        LoggedConnection.select()
        .where((LoggedConnection.state == "pending") & (LoggedConnection.id > after_id))
        .order_by(LoggedConnection.id)
        .limit(limit)
    )


def _pending_row(connection_id: int) -> LoggedConnection:
    row = LoggedConnection.get_or_none(LoggedConnection.id == connection_id)
    if row is None:
        raise NotFound(_("no logged connection {id}").format(id=connection_id))
    if row.state != "pending":
        raise RuleViolation(
            _("connection {id} is {state} already; only pending connections can be assigned or dismissed").format(
                id=connection_id, state=row.state
            )
        )
    return row


def _external_id(row: LoggedConnection) -> str | None:
    for key in sorted(k.key for k in row.keys):
        return key.split(":", 2)[-1][:128]
    return None


def assign(
    actor: Staff,
    connection_id: int,
    order_ref: str,
    *,
    technician: str | None = None,
    screen_private: bool | None = None,
) -> RemoteSession:
    """File a pending connection as a session of `order_ref`. Without `screen_private` the console
    has no P4 record for it and it stays a compliance finding."""
    require_role(actor, *INGEST_ROLES)
    with write_tx():
        row = _pending_row(connection_id)
        who = technician or (Staff.get_by_id(row.technician_id).username if row.technician_id else None)
        if who is None:
            raise ValidationError(
                "--technician", _("the log does not say which technician it was; name one with --technician")
            )
        session = start_session(
            actor,
            SessionInput(
                order=order_ref,
                technician=who,
                customer_ip=row.customer_ip,
                workstation=row.device_name,
                customer_person=None,
                screen_private=True if screen_private is None else screen_private,
                started_at=row.started_at,
                tool=row.tool,
                external_id=_external_id(row),
            ),
        )
        if row.ended_at is not None:
            session = end_session(actor, session.ref, ended_at=row.ended_at)
        row.session = session
        row.state = "assigned"
        row.privacy_recorded = screen_private is not None
        row.reason = _("assigned to {order} by {user}").format(order=order_ref, user=actor.username)
        row.save()
        _apply_to_session(actor, row, session)
        audit.record(actor.username, "ingest.assign", session.ref, str(row.id))
    return session


def dismiss(actor: Staff, connection_id: int, reason: str) -> LoggedConnection:
    """Mark a pending connection as not customer work (a test, an internal machine), with the reason."""
    require_role(actor, *INGEST_ROLES)
    clean = validation.text("--reason", reason, max_length=2000)
    with write_tx():
        row = _pending_row(connection_id)
        row.state = "dismissed"
        row.reason = clean
        row.save()
        audit.record(actor.username, "ingest.dismiss", None, str(row.id))
    return row
