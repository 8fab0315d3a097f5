"""Writing a checked import through the domain functions, in dependency order, in one
transaction: the rules in models/ run again and every change is audited.

The many-row kinds (customers, contacts, orders, sessions with their consents, activity,
chat, system information, session ends, completion and billing) go through the set-wise
functions of models/ (models/sessions/batch.py, people.py, bulk.py): the same checks per
item, one executemany per table and one audit event per kind, so the transaction that holds
the write lock is short. The rare kinds go one at a time through the ordinary functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from console.importing.plan import Plan
from console.importing.records import (
    ActivityRec,
    ChatRec,
    ConsentRec,
    ContactRec,
    CustomerRec,
    DisclosureRec,
    GatheredRec,
    OrderRec,
    ParticipantRec,
    Record,
    RecordingRec,
    SessionRec,
    StaffRec,
    SystemInfoRec,
)
from models.core import bulk, clock, people
from models.core.bulk_rows import ItemRefused
from models.core.entities import RemoteSession, Staff
from models.core.errors import PermissionDenied, Support24Error, ValidationError
from models.core.refs import next_ref, numbering_could_give
from models.purge.files import Intake, Stored
from models.sessions import batch, sessions

CAPTURED_KINDS = (ActivityRec, ChatRec, SystemInfoRec)  # written from Prepared.captured alone


class WriteRefused(Exception):
    """A domain function refused a line the checks let through; the transaction rolls back."""

    def __init__(self, line: int, field: str, problem: str) -> None:
        super().__init__(f"line {line}: {field}: {problem}")
        self.line, self.field, self.problem = line, field, problem


def _refused(line: int, exc: Support24Error) -> WriteRefused:
    if isinstance(exc, ValidationError):
        return WriteRefused(line, exc.field, exc.problem)
    return WriteRefused(line, "line", str(exc))


@contextmanager
def _line(record: Record) -> Iterator[None]:
    try:
        yield
    except PermissionDenied:
        raise
    except Support24Error as exc:
        raise _refused(record.line, exc) from exc


@contextmanager
def _lines(records: list[Record]) -> Iterator[None]:
    """A set-wise call: a refused item is reported on the line it came from."""
    try:
        yield
    except ItemRefused as exc:
        if isinstance(exc.error, PermissionDenied):
            raise exc.error from exc
        raise _refused(records[exc.index].line, exc.error) from exc
    except PermissionDenied:
        raise
    except Support24Error as exc:
        raise _refused(records[0].line if records else 0, exc) from exc


def _consent_input(rec: ConsentRec) -> sessions.ConsentInput:
    return sessions.ConsentInput(
        rec.kind,
        rec.given_by,
        rec.method,
        rec.granted,
        at=rec.at,
        wording_version=rec.wording_version,
        note=rec.note,
        corrects=rec.corrects,
    )


def _take_in(intake: Intake | None, rec: RecordingRec | GatheredRec, category: str) -> Stored | None:
    """The console's own copy of the file a line names (moved or copied in, hashed)."""
    if intake is None:
        return None
    return intake.take(rec.path, category, sha256=rec.sha256, size=rec.size)


def _ref(plan: Plan, key: str) -> str:
    view = plan.sessions[key]
    assert view is not None and view.ref is not None
    return view.ref


@dataclass
class Prepared:
    """What can be checked and converted before the write transaction begins."""

    captured: list[tuple[list[Record], bulk.CapturedBatch]]
    sessions: list[dict[str, Any]]


def _starting(plan: Plan) -> list[SessionRec]:
    return sorted((r for r in plan.of(SessionRec) if r.action == "create"), key=lambda r: r.started_at)


def prepare(plan: Plan) -> Prepared:
    """The field checks and conversions of the many-row kinds, outside the write lock."""
    starting = _starting(plan)
    with _lines(starting):
        cleaned = batch.prepare_sessions([_session_input(rec, rec.ref, []) for rec in starting])
    return Prepared(prepare_captured(plan), cleaned)


def can_write_early(plan: Plan) -> bool:
    """Whether write_early may store this chunk before the advisory locks are taken: every new
    session has a ref, and no new order's or session's ref is one the console's numbering
    could hand out (refs.numbering_could_give)."""
    starting = _starting(plan)
    if not all(r.ref for r in starting):
        return False
    orders = [r.ref for r in plan.to_write(OrderRec) if r.action == "create"]
    return not any(numbering_could_give("A", ref) for ref in orders) and not any(
        numbering_could_give("S", r.ref or "") for r in starting
    )


def numbers_can_wait(plan: Plan) -> bool:
    """Whether write() of this plan reads nothing that refs.insert_numbered() may still keep back
    (the first consents and billing records of earlier plans, stored when the numbering runs):
    no participants, recordings, gathered files or disclosures (their rules read consents) and
    no consent but the first ones of sessions this plan starts."""
    if any(plan.to_write(kind) for kind in (ParticipantRec, RecordingRec, GatheredRec, DisclosureRec)):
        return False
    starting = {id(plan.sessions[r.key]) for r in _starting(plan)}
    return all(id(plan.sessions[rec.session]) in starting for rec in plan.to_write(ConsentRec))


def write_early(plan: Plan, actor: Staff, prepared: Prepared) -> None:
    """The part of write() that takes none of the advisory locks: staff, customers, contacts,
    new orders, new sessions (their consents checked, not yet stored) and the captured rows
    (their retention rows not yet noted). write(..., early=True) does the rest, in the same
    transaction, once the locks are taken: a long job holds them only for that."""
    _people(plan, actor)
    _new_orders(plan, actor)
    _sessions_and_consents(plan, actor, prepared.sessions, part="early")
    _captured(plan, actor, prepared.captured, part="early")


def _people(plan: Plan, actor: Staff) -> None:
    for rec in plan.to_write(StaffRec):
        with _line(rec):
            people.register_staff(
                actor,
                rec.username,
                rec.name,
                rec.roles.split(),
                rec.commitment_signed_on,
                secrecy_commitment_on=rec.secrecy_commitment_on,
            )
            if not rec.active:
                people.update_staff(actor, rec.username, active=False)
    customers = plan.to_write(CustomerRec)
    with _lines(customers):
        people.register_customers(
            actor,
            [people.CustomerInput(r.number, r.name, r.email, r.address, r.professional_secrecy) for r in customers],
        )
    contacts = plan.to_write(ContactRec)
    with _lines(contacts):
        people.add_contacts(actor, [people.ContactInput(r.customer, r.name, r.email, r.phone) for r in contacts])


def _new_orders(plan: Plan, actor: Staff) -> None:
    new_orders = [r for r in plan.to_write(OrderRec) if r.action == "create"]
    with _lines(new_orders):
        batch.open_orders(
            actor,
            [batch.OrderInput(r.customer, r.ref, r.billing_class, r.opened_at, r.description) for r in new_orders],
        )


def write(
    plan: Plan,
    actor: Staff,
    intake: Intake | None = None,
    prepared: Prepared | None = None,
    *,
    early: bool = False,
) -> int:
    """Store everything marked create or update; returns how many billing records completion made.

    Files named by recording and gathered_file lines are taken in through `intake`; `prepared`
    is what prepare() checked before the write transaction (computed here if not given);
    `early`: write_early stored its part of this plan already, in the same transaction.
    """
    prepared = prepared or prepare(plan)
    if not early:
        _people(plan, actor)
        _new_orders(plan, actor)
    _sessions_and_consents(plan, actor, prepared.sessions, part="late" if early else "all")
    for rec in sorted(plan.to_write(ParticipantRec), key=lambda r: r.joined_at):
        with _line(rec):
            sessions.add_participant(
                actor, _ref(plan, rec.session), rec.username, joined_at=rec.joined_at, left_at=rec.left_at
            )
    _captured(plan, actor, prepared.captured, part="late" if early else "all")
    for recording in plan.to_write(RecordingRec):
        with _line(recording):
            kept = _take_in(intake, recording, "video")
            sessions.add_recording(
                actor,
                _ref(plan, recording.session),
                recording.path,
                started_at=recording.started_at,
                ended_at=recording.ended_at,
                size=kept.size if kept else recording.size,
                sha256=kept.sha256 if kept else recording.sha256,
                stored=kept.relative if kept else None,
            )
    for gathered in plan.to_write(GatheredRec):
        with _line(gathered):
            kept = _take_in(intake, gathered, "gathered_files")
            sessions.add_gathered_file(
                actor,
                _ref(plan, gathered.session),
                gathered.path,
                kind=gathered.kind,
                at=gathered.at,
                size=kept.size if kept else gathered.size,
                sha256=kept.sha256 if kept else gathered.sha256,
                stored=kept.relative if kept else None,
            )
    for disclosure in plan.to_write(DisclosureRec):
        with _line(disclosure):
            sessions.record_disclosure(
                actor,
                _ref(plan, disclosure.session),
                recipient=disclosure.recipient,
                categories=disclosure.categories,
                scope=disclosure.scope,
                basis=disclosure.basis,
                customer_informed_at=disclosure.customer_informed_at,
                at=disclosure.at,
            )
    ending = [r for r in plan.to_write(SessionRec) if r.ended_at is not None and (r.action == "create" or r.end)]
    with _lines(ending):
        batch.end_sessions(actor, [(_ref(plan, r.key), r.ended_at) for r in ending])  # type: ignore[misc]
    return _orders_lifecycle(plan, actor)


def _session_input(rec: SessionRec, ref: str | None, consents: list[ConsentRec]) -> sessions.SessionInput:
    return sessions.SessionInput(
        order=rec.order,
        technician=rec.technician,
        customer_ip=rec.customer_ip,
        workstation=rec.workstation,
        customer_person=rec.customer_person,
        screen_private=rec.screen_private,
        started_at=rec.started_at,
        tool=rec.tool,
        external_id=rec.external_id,
        ref=ref,
        consents=[_consent_input(c) for c in consents],
    )


def _sessions_and_consents(
    plan: Plan, actor: Staff, cleaned: list[dict[str, Any]] | None = None, part: str = "all"
) -> None:
    """New sessions start with their consents (P4 needs them); other consents follow in line order.

    `part` "early": the sessions only (their consents checked); "late": the consents of the
    sessions the early part started, then the others."""
    consents_of: dict[int, list[ConsentRec]] = defaultdict(list)
    for rec in plan.to_write(ConsentRec):
        view = plan.sessions[rec.session]
        assert view is not None
        consents_of[id(view)].append(rec)
    starting = _starting(plan)
    inputs = []
    for rec in starting:
        view = plan.sessions[rec.key]
        assert view is not None
        mine = consents_of.pop(id(view), [])
        # a session known by its tool id only gets the next free ref, as start_session gives it
        ref = rec.ref or next_ref(RemoteSession, "S", clock.berlin_date(rec.started_at).year)
        inputs.append(_session_input(rec, ref, mine))
        view.ref = ref
    with _lines(starting):
        if part == "late":
            batch.record_first_consents(actor, inputs)
        else:
            batch.start_sessions(actor, inputs, cleaned, with_consents=part == "all")
    if part == "early":
        return
    for recs in consents_of.values():
        for rec in recs:
            with _line(rec):
                sessions.record_consent(actor, _ref(plan, rec.session), _consent_input(rec))


def prepare_captured(plan: Plan) -> list[tuple[list[Record], bulk.CapturedBatch]]:
    """Activity, chat and system information checked and converted before the write transaction."""
    kinds: list[tuple[type, str, Any]] = [
        (
            ActivityRec,
            "activity",
            lambda r: bulk.ActivityItem(
                r.at, r.activity, r.detail, r.file_name, r.direction, r.file_size, r.file_sha256
            ),
        ),
        (ChatRec, "chat", lambda r: bulk.ChatItem(r.at, r.sender, r.text)),
        (SystemInfoRec, "system_info", lambda r: bulk.SystemInfoItem(r.at, r.data)),
    ]
    prepared = []
    for kind, category, item in kinds:
        keyed = sorted(((r.session, r) for r in plan.to_write(kind)), key=lambda p: (p[0], p[1].at, p[1].line))
        ordered: list[Record] = [r for _ref_, r in keyed]
        with _lines(ordered):
            prepared.append((ordered, bulk.prepare_captured(category, [(ref, item(r)) for ref, r in keyed])))
    return prepared


def _captured(
    plan: Plan, actor: Staff, prepared: list[tuple[list[Record], bulk.CapturedBatch]], part: str = "all"
) -> None:
    """Every session's captured data, set-wise, one audit event per kind (`part` as for
    _sessions_and_consents: "early" stores the rows, "late" notes their retention rows)."""
    for ordered, captured in prepared:
        keys = captured.keys if captured.keys is not None else captured.refs
        captured.refs = [_ref(plan, key) for key in keys]  # sessions known by tool id have refs now
        with _lines(ordered):
            if part == "late":
                bulk.note_captured(captured)
            else:
                bulk.store_captured(actor, captured, note=part == "all")


def _orders_lifecycle(plan: Plan, actor: Staff) -> int:
    completing = sorted(
        (r for r in plan.of(OrderRec) if r.complete and r.action != "skip"), key=lambda r: r.completed_at
    )
    billing = [r for r in plan.of(OrderRec) if r.bill and r.action != "skip"]
    with _lines([*completing, *billing]):
        created, _billed = batch.settle_orders(
            actor,
            [(r.ref, r.completed_at) for r in completing],  # type: ignore[misc]
            [(r.ref, r.billed_on) for r in billing],  # type: ignore[misc]
        )
    return created
