"""All matches of one kind left out of an access report at once, and taken in again (Art. 15).

A requester with a common name can match tens of thousands of chat lines or sessions that
are not theirs; excluding them one by one is not a task. The reason is kept per match, as
with exclude_match, so include_match can still take a single one back.
"""

from __future__ import annotations

from models.access.matching import MATCH_KINDS, Subject, find_matches
from models.access.requests import ROLE, _back_to_compiled, _open
from models.core import audit, clock, validation
from models.core.db import write_tx
from models.core.entities import AccessRequestExclusion, Staff
from models.core.errors import RuleViolation
from models.core.i18n import _
from models.core.identity import require_role
from models.core.labels import term

_CHUNK = 500


def included_of_kind(actor: Staff, ref: str, record_kind: str) -> int:
    """How many matches of the kind are in the report now (what exclude_kind would leave out)."""
    require_role(actor, ROLE)
    kind = validation.choice("record_kind", record_kind, MATCH_KINDS)
    request = _open(ref, "exclude")
    return sum(1 for m in find_matches(Subject.of(request)) if m.kind == kind and not m.excluded)


def exclude_kind(actor: Staff, ref: str, record_kind: str, reason: str) -> int:
    """Leave every included match of `record_kind` out of the report of `ref`; returns how many."""
    require_role(actor, ROLE)
    kind = validation.choice("record_kind", record_kind, MATCH_KINDS)
    clean_reason = validation.text("reason", reason, max_length=2000)
    with write_tx():
        request = _open(ref, "exclude")
        ids = [m.id for m in find_matches(Subject.of(request)) if m.kind == kind and not m.excluded]
        if not ids:
            raise RuleViolation(_("no {kind} match of {ref} is in the report").format(kind=term(kind), ref=ref))
        now = clock.now()
        for start in range(0, len(ids), _CHUNK):
            AccessRequestExclusion.insert_many(
                [
                    {
                        "request": request.id,
                        "record_kind": kind,
                        "record_id": record_id,
                        "reason": clean_reason,
                        "excluded_by": actor.username,
                        "at": now,
                    }
                    for record_id in ids[start : start + _CHUNK]
                ]
            ).execute()
        _back_to_compiled(request)
        audit.record(actor.username, "access.exclude", ref, f"{kind}:all count={len(ids)}")
    return len(ids)


def include_kind(actor: Staff, ref: str, record_kind: str) -> int:
    """Undo the exclusions of `record_kind` on `ref`: those matches are in the report again."""
    require_role(actor, ROLE)
    kind = validation.choice("record_kind", record_kind, MATCH_KINDS)
    with write_tx():
        request = _open(ref, "include")
        count = (
            AccessRequestExclusion.delete()
            .where((AccessRequestExclusion.request == request) & (AccessRequestExclusion.record_kind == kind))
            .execute()
        )
        if not count:
            raise RuleViolation(_("no {kind} match is excluded from {ref}").format(kind=term(kind), ref=ref))
        _back_to_compiled(request)
        audit.record(actor.username, "access.include", ref, f"{kind}:all count={count}")
    return count
