"""The copy of the data (GDPR Art. 15(3)) behind the included matches of a compilation.

Plain dictionaries with Python values, one query per table over indexed ids, so that the
report writers in console/ need no database. Each record says when it will be deleted:
a concrete date from the policy, or what the date still waits for (completion, billing,
closing of a request, a legal hold).
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any, Callable, Iterable

from peewee import JOIN

from . import clock, policy
from .entities import (
    AccessRequest, ActivityEvent, BillingBatch, BillingRecord, ChatMessage, Consent, ContactPerson, Customer,
    Disclosure, GatheredFile, LegalHold, Order, Participant, Recording, RemoteSession, Staff, SystemInfo,
)
from .matching import Match, chunks

SESSION_CATEGORIES = ("connection", "activity", "chat", "video", "system_info", "gathered_files")
Record = dict[str, Any]


def _due(day: datetime | None, status: str | None = None) -> Record:
    """A deletion date as the report shows it: the Berlin day, or a status saying what it waits for."""
    if day is not None:
        return {"due_on": clock.berlin_date(day).isoformat(), "status": "scheduled"}
    return {"due_on": None, "status": status}


def _order_dues(order: Order, held: bool) -> dict[str, Record]:
    """Deletion date per session-bound category of one order, from its anchors and the active policy."""
    if held:
        return {c: _due(None, "held") for c in SESSION_CATEGORIES}
    if order.completed_at is None:
        return {c: _due(None, "after_completion") for c in SESSION_CATEGORIES}
    try:  # the retention helper's per-category dues, when present, are what the purge uses
        from .retention_due import order_dues
        dues = order_dues(order.completed_at, order.billed_on)
    except ImportError:
        active = policy.active()
        dues = {}
        for category in SESSION_CATEGORIES:
            rule = active.rule(category)
            anchor = order.completed_at if rule.anchor == "order_completed" else order.billed_on
            dues[category] = rule.due_from(anchor) if anchor is not None else None
    return {c: _due(dues.get(c), "after_billing") for c in SESSION_CATEGORIES}


def _ids(matches: Iterable[Match], kind: str) -> list[int]:
    return [m.id for m in matches if m.kind == kind and not m.excluded]


def _fetch(make_query: Callable[[list[int]], Any], ids: Iterable[int]) -> list[Any]:
    """The rows for `ids`, queried in chunks so that no IN list outgrows a backend's parameter limit."""
    rows: list[Any] = []
    for chunk in chunks(sorted(set(ids))):
        rows.extend(make_query(chunk))
    return rows


def _by_session(model: Any, session_ids: list[int], order_by: Any) -> dict[int, list[Any]]:
    """Rows per session; each session's rows come from one chunk, so they keep the query's order."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in _fetch(lambda ids: model.select().where(model.session.in_(ids)).order_by(order_by, model.id), session_ids):
        grouped[row.session_id].append(row)
    return grouped


def _held(order_ids: Iterable[int]) -> set[int]:
    """Orders under an active legal hold (a billing dispute, P8)."""
    return {h.order_id for h in _fetch(lambda ids: LegalHold.select(LegalHold.order).where(
        LegalHold.order.in_(ids) & LegalHold.released_at.is_null()), order_ids)}


def _consent(c: Consent) -> Record:
    return {"ref": c.ref, "kind": c.kind, "given_by": c.given_by, "method": c.method, "granted": c.granted,
            "at": c.at, "note": c.note}


def subject_data(matches: list[Match]) -> dict[str, list[Record]]:
    """Everything the included matches hold, grouped by kind, sessions with what they captured."""
    customers = sorted(_fetch(lambda ids: Customer.select().where(Customer.id.in_(ids)), _ids(matches, "customer")),
                       key=lambda c: c.number)
    contacts = _fetch(lambda ids: ContactPerson.select(ContactPerson, Customer).join(Customer)
                      .where(ContactPerson.id.in_(ids)).order_by(ContactPerson.id), _ids(matches, "contact"))
    session_ids = _ids(matches, "session")
    sessions = sorted(_fetch(lambda ids: RemoteSession.select(RemoteSession, Order, Staff).join(Order)
                             .switch(RemoteSession).join(Staff).where(RemoteSession.id.in_(ids)), session_ids),
                      key=lambda s: (s.started_at, s.id))
    order_ids = set(_ids(matches, "order")) | {s.order_id for s in sessions}
    orders = sorted(_fetch(lambda ids: Order.select(Order, Customer).join(Customer).where(Order.id.in_(ids)), order_ids),
                    key=lambda o: (o.opened_at, o.id))
    held = _held(order_ids)
    dues = {o.id: _order_dues(o, o.id in held) for o in orders}
    return {
        "customers": [{"number": c.number, "name": c.name, "email": c.email, "address": c.address,
                       "professional_secrecy": c.professional_secrecy, "created_at": c.created_at,
                       "deletion": _due(None, "while_customer")} for c in customers],
        "contacts": [{"customer_number": c.customer.number, "name": c.name, "email": c.email, "phone": c.phone,
                      "created_at": c.created_at, "deletion": _due(None, "while_customer")} for c in contacts],
        "orders": [{"ref": o.ref, "customer_number": o.customer.number, "opened_at": o.opened_at,
                    "completed_at": o.completed_at, "billed_on": o.billed_on, "billing_class": o.billing_class,
                    "description": o.description, "legal_hold": o.id in held} for o in orders],
        "sessions": _sessions(sessions, dues),
        "consents": _direct_consents(matches, set(session_ids)),
        "billing_records": _billing_records(_ids(matches, "billing_record")),
        "access_requests": _requests(_ids(matches, "access_request")),
    }


def _sessions(sessions: list[RemoteSession], dues: dict[int, dict[str, Record]]) -> list[Record]:
    ids = [s.id for s in sessions]
    activity = _by_session(ActivityEvent, ids, ActivityEvent.at)
    chat = _by_session(ChatMessage, ids, ChatMessage.at)
    consents = _by_session(Consent, ids, Consent.at)
    disclosures = _by_session(Disclosure, ids, Disclosure.at)
    infos = _by_session(SystemInfo, ids, SystemInfo.at)
    files = _by_session(GatheredFile, ids, GatheredFile.at)
    recordings = _by_session(Recording, ids, Recording.started_at)
    participants: dict[int, list[Any]] = defaultdict(list)
    for p in _fetch(lambda chunk: Participant.select(Participant, Staff).join(Staff).where(Participant.session.in_(chunk))
                    .order_by(Participant.joined_at, Participant.id), ids):
        participants[p.session_id].append(p)
    out = []
    for s in sessions:
        out.append({
            "ref": s.ref, "order_ref": s.order.ref, "technician": s.technician.name, "started_at": s.started_at,
            "ended_at": s.ended_at, "customer_ip": s.customer_ip, "workstation": s.workstation,
            "customer_person": s.customer_person, "screen_private": s.screen_private, "tool": s.tool,
            "deletion": dues[s.order_id],
            "activity": [{"at": a.at, "action": a.action, "detail": a.detail, "file_name": a.file_name,
                          "direction": a.direction, "file_size": a.file_size, "file_sha256": a.file_sha256}
                         for a in activity[s.id]],
            "chat": [{"at": m.at, "sender": m.sender, "text": m.text} for m in chat[s.id]],
            "consents": [_consent(c) for c in consents[s.id]],
            "disclosures": [{"ref": d.ref, "recipient": d.recipient, "categories": json.loads(d.categories),
                             "scope": d.scope, "basis": d.basis, "customer_informed_at": d.customer_informed_at,
                             "at": d.at} for d in disclosures[s.id]],
            "participants": [{"name": p.staff.name, "joined_at": p.joined_at, "left_at": p.left_at}
                             for p in participants[s.id]],
            "system_info": [{"at": i.at, "data": json.loads(i.data)} for i in infos[s.id]],
            "gathered_files": [{"at": f.at, "kind": f.kind, "path": f.path, "size": f.size, "sha256": f.sha256}
                               for f in files[s.id]],
            "recordings": [{"path": r.path, "started_at": r.started_at, "ended_at": r.ended_at, "size": r.size,
                            "sha256": r.sha256} for r in recordings[s.id]],
        })
    return out


def _direct_consents(matches: list[Match], session_ids: set[int]) -> list[Record]:
    """Consents the subject gave in sessions that are not in the report otherwise."""
    ids = _ids(matches, "consent")
    if not ids:
        return []
    rows = sorted(_fetch(lambda chunk: Consent.select(Consent, RemoteSession, Order).join(RemoteSession).join(Order)
                         .where(Consent.id.in_(chunk)), ids), key=lambda c: (c.at, c.id))
    held = _held(c.session.order_id for c in rows)
    out = []
    for c in rows:
        if c.session_id in session_ids:
            continue  # shown with its session
        record = _consent(c)
        record["session_ref"] = c.session.ref
        record["deletion"] = _order_dues(c.session.order, c.session.order_id in held)["connection"]
        out.append(record)
    return out


def _billing_records(ids: list[int]) -> list[Record]:
    rows = sorted(_fetch(lambda chunk: BillingRecord.select(BillingRecord, BillingBatch)
                         .join(BillingBatch, JOIN.LEFT_OUTER).where(BillingRecord.id.in_(chunk)), ids),
                  key=lambda b: (b.session_date, b.ref))
    return [{
        "ref": b.ref, "session_ref": b.session_ref, "session_date": b.session_date, "started_at": b.started_at,
        "ended_at": b.ended_at, "duration_minutes": b.duration_minutes, "customer_number": b.customer_number,
        "customer_name": b.customer_name, "workstation_or_employee": b.workstation_or_employee,
        "billing_class": b.billing_class, "batch": b.batch.number if b.batch_id else None,
        "restricted_at": b.restricted_at, "restriction_reason": b.restriction_reason,
        "deletion": _due(b.due_at, "after_billing"),
    } for b in rows]


def _requests(ids: list[int]) -> list[Record]:
    rows = sorted(_fetch(lambda chunk: AccessRequest.select().where(AccessRequest.id.in_(chunk)), ids),
                  key=lambda r: (r.received_on, r.ref))
    return [{"ref": r.ref, "name": r.name, "received_on": r.received_on, "channel": r.channel, "state": r.state,
             "delivered_on": r.delivered_on, "rejected_reason": r.rejected_reason,
             "deletion": _due(r.due_at, "after_closing")} for r in rows]


def request_record(request: AccessRequest) -> Record:
    """The request itself as the report shows it (it is the subject's data too)."""
    extra = json.loads(request.identifiers) if request.identifiers else {"workstations": [], "ips": []}
    return {
        "ref": request.ref, "name": request.name, "email": request.email, "address": request.address,
        "customer_number": request.customer.number if request.customer_id else None,
        "workstations": extra.get("workstations", []), "ips": extra.get("ips", []),
        "received_on": request.received_on, "channel": request.channel, "due_on": request.due_on,
        "extended_due_on": request.extended_due_on, "extension_reason": request.extension_reason,
        "extension_notified_on": request.extension_notified_on, "verified_at": request.verified_at,
        "verification_method": request.verification_method,
        "deletion": _due(request.due_at, "after_closing"),
    }
