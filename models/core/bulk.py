"""P5 capture in bulk: many activity entries, chat messages or system-information snapshots
of one session at once (imports from remote-support tools).

The same checks as the one-at-a-time functions in sessions.py (role, fields, inside the
session), but one multi-row insert and one audit event per session and kind, so a long
activity log neither takes minutes nor floods the audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.core import audit, validation
from models.core.db import write_tx
from models.core.entities import TRANSFER_DIRECTIONS, ActivityEvent, ChatMessage, Staff, SystemInfo
from models.core.errors import ValidationError
from models.core.i18n import _
from models.core.identity import require_role
from models.retention import due as retention_due
from models.sessions.sessions import SESSION_ROLES, _within_session, get_session

_ROWS_PER_INSERT = 100  # 8 columns x 100 rows stays under SQLite's bound-parameter limit


@dataclass(frozen=True)
class ActivityItem:
    at: datetime | str
    action: str
    detail: str | None = None
    file_name: str | None = None
    direction: str | None = None
    file_size: int | None = None
    file_sha256: str | None = None


@dataclass(frozen=True)
class ChatItem:
    at: datetime | str
    sender: str
    text: str


@dataclass(frozen=True)
class SystemInfoItem:
    at: datetime | str
    data: dict[str, Any]


def _activity_row(item: ActivityItem) -> dict[str, Any]:
    row: dict[str, Any] = {
        "at": validation.timestamp("at", item.at),
        "action": validation.name("action", item.action, max_length=64),
        "detail": validation.text("detail", item.detail, required=False, max_length=4000),
        "file_name": None,
        "direction": None,
        "file_size": None,
        "file_sha256": None,
    }
    if item.file_name is not None or item.direction is not None or item.file_sha256 is not None:
        row["file_name"] = validation.name("file.name", item.file_name, max_length=255)
        row["direction"] = validation.choice("file.direction", item.direction, TRANSFER_DIRECTIONS)
        row["file_size"] = validation.non_negative_int("file.size", item.file_size)
        row["file_sha256"] = validation.sha256("file.sha256", item.file_sha256)
    return row


def _chat_row(item: ChatItem) -> dict[str, Any]:
    return {
        "at": validation.timestamp("at", item.at),
        "sender": validation.name("sender", item.sender, max_length=64),
        "text": validation.text("text", item.text),
    }


def _system_info_row(item: SystemInfoItem) -> dict[str, Any]:
    if not isinstance(item.data, dict) or not item.data:
        raise ValidationError("data", _("must be a non-empty JSON object"))
    document = json.dumps(item.data, ensure_ascii=False, sort_keys=True)  # as sessions.add_system_info stores it
    if len(document) > 1_000_000:
        raise ValidationError("data", _("is larger than 1 MB"))
    return {"at": validation.timestamp("at", item.at), "data": document}


def _add_many(
    actor: Staff, session_ref: str, model: type, rows: list[dict[str, Any]], action: str, category: str
) -> int:
    if not rows:
        return 0
    with write_tx():
        session = get_session(session_ref)
        retention_due.note_data(session.order_id, category)
        for row in rows:
            _within_session(session, row["at"], "at")
            row["session"] = session.id
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            model.insert_many(rows[start : start + _ROWS_PER_INSERT]).execute()
        audit.record(actor.username, action, session.ref, f"{len(rows)} entries")
    return len(rows)


def add_activity_many(actor: Staff, session_ref: str, items: Iterable[ActivityItem]) -> int:
    """Log many activity entries of one session; returns how many were stored."""
    require_role(actor, *SESSION_ROLES)
    return _add_many(actor, session_ref, ActivityEvent, [_activity_row(i) for i in items], "activity.add", "activity")


def add_chat_many(actor: Staff, session_ref: str, items: Iterable[ChatItem]) -> int:
    require_role(actor, *SESSION_ROLES)
    return _add_many(actor, session_ref, ChatMessage, [_chat_row(i) for i in items], "chat.add", "chat")


def add_system_info_many(actor: Staff, session_ref: str, items: Iterable[SystemInfoItem]) -> int:
    require_role(actor, *SESSION_ROLES)
    return _add_many(
        actor, session_ref, SystemInfo, [_system_info_row(i) for i in items], "system_info.add", "system_info"
    )
