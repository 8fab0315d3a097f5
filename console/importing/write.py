"""Writing a checked import through the domain functions, in dependency order, in one
transaction: the rules in models/ run again and every change is audited as usual.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from console.importing.plan import Plan, SessionView
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
from models.core import bulk, people
from models.core.entities import BillingRecord, Order, Staff
from models.core.errors import PermissionDenied, Support24Error, ValidationError
from models.purge.files import Intake, Stored
from models.sessions import orders, sessions


class WriteRefused(Exception):
    """A domain function refused a line the checks let through; the transaction rolls back."""

    def __init__(self, line: int, field: str, problem: str) -> None:
        super().__init__(f"line {line}: {field}: {problem}")
        self.line, self.field, self.problem = line, field, problem


@contextmanager
def _line(record: Record) -> Iterator[None]:
    try:
        yield
    except PermissionDenied:
        raise
    except ValidationError as exc:
        raise WriteRefused(record.line, exc.field, exc.problem) from exc
    except Support24Error as exc:
        raise WriteRefused(record.line, "line", str(exc)) from exc


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


def write(plan: Plan, actor: Staff, intake: Intake | None = None) -> int:
    """Store everything marked create or update; returns how many billing records completion made.

    Files named by recording and gathered_file lines are taken in through `intake`.
    """
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
    for rec in plan.to_write(CustomerRec):
        with _line(rec):
            people.register_customer(
                actor,
                rec.number,
                rec.name,
                email=rec.email,
                address=rec.address,
                professional_secrecy=rec.professional_secrecy,
            )
    for rec in plan.to_write(ContactRec):
        with _line(rec):
            people.add_contact(actor, rec.customer, rec.name, email=rec.email, phone=rec.phone)
    for rec in plan.to_write(OrderRec):
        if rec.action == "create":
            with _line(rec):
                orders.open_order(
                    actor,
                    rec.customer,
                    billing_class=rec.billing_class,
                    ref=rec.ref,
                    opened_at=rec.opened_at,
                    description=rec.description,
                )
    _sessions_and_consents(plan, actor)
    for rec in sorted(plan.to_write(ParticipantRec), key=lambda r: r.joined_at):
        with _line(rec):
            sessions.add_participant(
                actor, _ref(plan, rec.session), rec.username, joined_at=rec.joined_at, left_at=rec.left_at
            )
    _captured(plan, actor)
    for rec in plan.to_write(RecordingRec):
        with _line(rec):
            kept = _take_in(intake, rec, "video")
            sessions.add_recording(
                actor,
                _ref(plan, rec.session),
                rec.path,
                started_at=rec.started_at,
                ended_at=rec.ended_at,
                size=kept.size if kept else rec.size,
                sha256=kept.sha256 if kept else rec.sha256,
                stored=kept.relative if kept else None,
            )
    for rec in plan.to_write(GatheredRec):
        with _line(rec):
            kept = _take_in(intake, rec, "gathered_files")
            sessions.add_gathered_file(
                actor,
                _ref(plan, rec.session),
                rec.path,
                kind=rec.kind,
                at=rec.at,
                size=kept.size if kept else rec.size,
                sha256=kept.sha256 if kept else rec.sha256,
                stored=kept.relative if kept else None,
            )
    for rec in plan.to_write(DisclosureRec):
        with _line(rec):
            sessions.record_disclosure(
                actor,
                _ref(plan, rec.session),
                recipient=rec.recipient,
                categories=rec.categories,
                scope=rec.scope,
                basis=rec.basis,
                customer_informed_at=rec.customer_informed_at,
                at=rec.at,
            )
    for rec in plan.to_write(SessionRec):
        if rec.ended_at is not None and (rec.action == "create" or rec.end):
            with _line(rec):
                sessions.end_session(actor, _ref(plan, rec.key), ended_at=rec.ended_at)
    return _orders_lifecycle(plan, actor)


def _sessions_and_consents(plan: Plan, actor: Staff) -> None:
    """New sessions start with their consents (P4 needs them); other consents follow in line order."""
    consents_of: dict[int, list[ConsentRec]] = defaultdict(list)
    for rec in plan.to_write(ConsentRec):
        view = plan.sessions[rec.session]
        assert view is not None
        consents_of[id(view)].append(rec)
    starting = sorted((r for r in plan.of(SessionRec) if r.action == "create"), key=lambda r: r.started_at)
    for rec in starting:
        view = plan.sessions[rec.key]
        assert view is not None
        mine = consents_of.pop(id(view), [])
        with _line(rec):
            session = sessions.start_session(
                actor,
                sessions.SessionInput(
                    order=rec.order,
                    technician=rec.technician,
                    customer_ip=rec.customer_ip,
                    workstation=rec.workstation,
                    customer_person=rec.customer_person,
                    screen_private=rec.screen_private,
                    started_at=rec.started_at,
                    tool=rec.tool,
                    external_id=rec.external_id,
                    ref=rec.ref,
                    consents=[_consent_input(c) for c in mine],
                ),
            )
        view.ref = session.ref
    for recs in consents_of.values():
        for rec in recs:
            with _line(rec):
                sessions.record_consent(actor, _ref(plan, rec.session), _consent_input(rec))


def _captured(plan: Plan, actor: Staff) -> None:
    """Activity, chat and system information per session, in bulk, one audit event each."""
    kinds: list[tuple[type, Any, Any]] = [
        (
            ActivityRec,
            bulk.add_activity_many,
            lambda r: bulk.ActivityItem(
                r.at, r.activity, r.detail, r.file_name, r.direction, r.file_size, r.file_sha256
            ),
        ),
        (ChatRec, bulk.add_chat_many, lambda r: bulk.ChatItem(r.at, r.sender, r.text)),
        (SystemInfoRec, bulk.add_system_info_many, lambda r: bulk.SystemInfoItem(r.at, r.data)),
    ]
    for kind, add_many, item in kinds:
        groups: dict[int, tuple[SessionView, list[Any]]] = {}
        for rec in plan.to_write(kind):
            view = plan.sessions[rec.session]
            assert view is not None
            groups.setdefault(id(view), (view, []))[1].append(rec)
        for view, recs in groups.values():
            recs.sort(key=lambda r: (r.at, r.line))
            with _line(recs[0]):
                assert view.ref is not None
                add_many(actor, view.ref, [item(r) for r in recs])


def _orders_lifecycle(plan: Plan, actor: Staff) -> int:
    completing = sorted(
        (r for r in plan.of(OrderRec) if r.complete and r.action != "skip"), key=lambda r: r.completed_at
    )
    for rec in completing:
        with _line(rec):
            orders.complete_order(actor, rec.ref, completed_at=rec.completed_at)
    for rec in plan.of(OrderRec):
        if rec.bill and rec.action != "skip":
            with _line(rec):
                orders.mark_billed(actor, rec.ref, rec.billed_on)  # type: ignore[arg-type]
    if not completing:
        return 0
    return BillingRecord.select().join(Order).where(Order.ref.in_([r.ref for r in completing])).count()
