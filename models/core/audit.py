"""The hash-chained audit trail (DESIGN.md §3): who changed or read what, and when.

Each event's hash covers its id, time, actor, action, reference, detail and the previous
hash; ids are contiguous and the head (last id and hash) is kept in schema_meta, so an
edited, removed, reordered or truncated event is found by `verify()`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from models.core import clock
from models.core.db import write_tx
from models.core.entities import AuditEvent, SchemaMeta

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
_BATCH = 5000


def digest(
    event_id: int, at: datetime, actor: str, action: str, ref: str | None, detail: str | None, prev_hash: str
) -> str:
    at_text = at.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    payload = json.dumps([event_id, at_text, actor, action, ref, detail, prev_hash], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _set_head(event_id: int, event_hash: str) -> None:
    value = f"{event_id}:{event_hash}"
    SchemaMeta.insert(key=HEAD_KEY, value=value).on_conflict(
        conflict_target=[SchemaMeta.key], update={SchemaMeta.value: value}
    ).execute()


def record(actor: str, action: str, ref: str | None = None, detail: str | None = None) -> int:
    """Append one event and return its id. Joins the caller's transaction if there is one."""
    with write_tx(serialize="audit"):
        last = AuditEvent.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
        prev_hash = last.hash if last else GENESIS
        event_id = (last.id + 1) if last else 1
        at = clock.now()
        event_hash = digest(event_id, at, actor, action, ref, detail, prev_hash)
        AuditEvent.insert(
            id=event_id,
            at=at,
            actor=actor,
            action=action,
            ref=ref,
            detail=detail,
            prev_hash=prev_hash,
            hash=event_hash,
        ).execute()
        _set_head(event_id, event_hash)
    return event_id


def chained_rows(
    events: Iterable[tuple[datetime, str, str, str | None, str | None]], start_id: int, prev_hash: str
) -> Iterator[dict[str, object]]:
    """Rows for a bulk insert (demo data): (at, actor, action, ref, detail) tuples, chained."""
    event_id = start_id
    for at, actor, action, ref, detail in events:
        event_hash = digest(event_id, at, actor, action, ref, detail, prev_hash)
        yield {
            "id": event_id,
            "at": at,
            "actor": actor,
            "action": action,
            "ref": ref,
            "detail": detail,
            "prev_hash": prev_hash,
            "hash": event_hash,
        }
        prev_hash = event_hash
        event_id += 1


def head() -> tuple[int, str]:
    """The last id and hash of the chain (0 and the genesis hash when empty)."""
    row = SchemaMeta.get_or_none(SchemaMeta.key == HEAD_KEY)
    if row is None:
        return 0, GENESIS
    event_id, event_hash = row.value.split(":", 1)
    return int(event_id), event_hash


def set_head(event_id: int, event_hash: str) -> None:
    """After a bulk insert of chained rows, record the new head."""
    with write_tx():
        _set_head(event_id, event_hash)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "checked": self.checked, "first_bad_id": self.first_bad_id, "problem": self.problem}


def verify() -> VerifyResult:
    """Walk the chain in id order, in batches, and report the first event that does not fit."""
    from models.core.i18n import _

    expected_id = 1
    prev_hash = GENESIS
    checked = 0
    while True:
        batch = list(AuditEvent.select().where(AuditEvent.id >= expected_id).order_by(AuditEvent.id).limit(_BATCH))
        if not batch:
            break
        for event in batch:
            if event.id != expected_id:
                return VerifyResult(False, checked, expected_id, _("event {id} is missing").format(id=expected_id))
            if event.prev_hash != prev_hash:
                return VerifyResult(
                    False, checked, event.id, _("event {id} does not follow its predecessor").format(id=event.id)
                )
            if (
                digest(event.id, event.at, event.actor, event.action, event.ref, event.detail, event.prev_hash)
                != event.hash
            ):
                return VerifyResult(False, checked, event.id, _("event {id} was altered").format(id=event.id))
            prev_hash = event.hash
            expected_id += 1
            checked += 1
    head_id, head_hash = head()
    if head_id != checked or head_hash != prev_hash:
        first_bad = min(head_id, checked) + 1 if head_id != checked else checked
        return VerifyResult(
            False,
            checked,
            first_bad,
            _("the chain ends at event {last} but its recorded head is event {head}").format(
                last=checked, head=head_id
            ),
        )
    return VerifyResult(True, checked)
