"""Remote sessions and what is captured in them (P3, P4, P5, P6, P11).

Every function takes the acting staff member first and checks role and rule before it
writes; a refusal raises and leaves nothing half-written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.core import audit, clock, validation
from models.core.db import write_tx
from models.core.entities import (
    CONSENT_KINDS,
    CONSENT_METHODS,
    DISCLOSURE_BASES,
    TRANSFER_DIRECTIONS,
    ActivityEvent,
    ChatMessage,
    Consent,
    ConsentWording,
    Customer,
    Disclosure,
    GatheredFile,
    Order,
    Participant,
    Recording,
    RemoteSession,
    Staff,
    SystemInfo,
)
from models.core.errors import FieldProblem, NotFound, RuleViolation, ValidationError, ValidationErrors, problems_of
from models.core.i18n import _
from models.core.identity import require_role
from models.core.refs import next_ref
from models.core.text import fold
from models.retention import due as retention_due
from models.retention.policy import CATEGORIES
from models.sessions import rules

SESSION_ROLES = ("technician", "admin")


@dataclass(frozen=True)
class ConsentInput:
    """A consent as asked and answered: who, how, when, and which wording was used."""

    kind: str
    given_by: str
    method: str
    granted: bool
    at: datetime | str | None = None
    wording_version: int | None = None
    note: str | None = None
    corrects: str | None = None  # ref of the consent this one corrects


@dataclass(frozen=True)
class FileTransfer:
    name: str
    direction: str
    size: int
    sha256: str


@dataclass(frozen=True)
class SessionInput:
    order: str
    technician: str
    customer_ip: str | None
    workstation: str | None
    customer_person: str | None
    screen_private: bool
    started_at: datetime | str | None = None
    tool: str | None = None
    external_id: str | None = None
    ref: str | None = None
    consents: list[ConsentInput] = field(default_factory=list)


def get_session(ref: str) -> RemoteSession:
    session = RemoteSession.get_or_none(RemoteSession.ref == ref)
    if session is None:
        raise NotFound(_("no session {ref}").format(ref=ref))
    return session


def check_committed(staff: Staff, at: datetime, *, customer: Customer | None = None) -> None:
    """P3 (rules.commitment_problem): refuse unless `staff` may do remote maintenance at `at` for `customer`."""
    secrecy_customer = customer.number if customer is not None and customer.professional_secrecy else None
    problem = rules.commitment_problem(staff, at, secrecy_customer=secrecy_customer)
    if problem is not None:
        raise RuleViolation(problem)


def _staff(username: str, field_name: str) -> Staff:
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None:
        raise ValidationError(field_name, _("no staff member {user!r}").format(user=username))
    return staff


def consent_facts(session: RemoteSession, kind: str) -> list[rules.ConsentFact]:
    """The stored answers of `kind` on the session, as the consent rules read them."""
    return [
        rules.ConsentFact(c.at, (0, c.id), c.kind, c.granted, c)
        for c in Consent.select().where((Consent.session == session) & (Consent.kind == kind))
    ]


def _create_consent(actor: Staff, session: RemoteSession, item: ConsentInput) -> Consent:
    kind = validation.choice("kind", item.kind, CONSENT_KINDS)
    method = validation.choice("method", item.method, CONSENT_METHODS)
    given_by = validation.name("given_by", item.given_by)
    assert given_by is not None
    at = validation.timestamp("at", item.at, required=False) or clock.now()
    note = validation.text("note", item.note, required=False, max_length=2000)
    wording = None
    if item.wording_version is not None:
        wording = ConsentWording.get_or_none(
            (ConsentWording.kind == kind) & (ConsentWording.version == item.wording_version)
        )
        if wording is None:
            raise ValidationError(
                "wording_version", _("no wording version {v} for {kind}").format(v=item.wording_version, kind=kind)
            )
    else:
        wording = (
            ConsentWording.select().where(ConsentWording.kind == kind).order_by(ConsentWording.version.desc()).first()
        )
    corrects = None
    if item.corrects:
        corrects = Consent.get_or_none((Consent.ref == item.corrects) & (Consent.session == session))
        if corrects is None:
            raise ValidationError(
                "corrects", _("no consent {ref} on session {session}").format(ref=item.corrects, session=session.ref)
            )
    consent = Consent.create(
        ref=next_ref(Consent, "C", clock.berlin_date(at).year),
        session=session,
        kind=kind,
        given_by=given_by,
        given_by_key=fold(given_by),
        method=method,
        granted=bool(item.granted),
        at=at,
        recorded_by=actor,
        wording=wording,
        corrects=corrects,
        note=note,
        created_at=clock.now(),
    )
    audit.record(actor.username, "consent.record", consent.ref, f"{kind} granted={bool(item.granted)}")
    return consent


def start_session(actor: Staff, data: SessionInput) -> RemoteSession:
    """P3 and P4 at the start: a committed technician, and consent if others can see."""
    require_role(actor, *SESSION_ROLES)
    started = validation.timestamp("started_at", data.started_at, required=False) or clock.now()
    ip = validation.ip_address("customer_ip", data.customer_ip, required=False)
    workstation = validation.name("workstation", data.workstation, required=False)
    person = validation.name("customer_person", data.customer_person, required=False)
    tool = validation.name("tool", data.tool, required=False, max_length=32)
    external_id = validation.name("external_id", data.external_id, required=False, max_length=128)
    with write_tx():
        order = Order.get_or_none(Order.ref == data.order)
        if order is None:
            raise ValidationError("order", _("no order {ref}").format(ref=data.order))
        if order.completed_at is not None:  # its billing records exist; a late session would never be billed
            raise RuleViolation(_("order {ref} is completed; open a new order").format(ref=order.ref))
        if started < order.opened_at:
            raise ValidationError("started_at", _("lies before order {ref} was opened").format(ref=order.ref))
        technician = _staff(data.technician, "technician")
        check_committed(technician, started, customer=order.customer)
        if (
            external_id
            and RemoteSession.select()
            .where((RemoteSession.tool == tool) & (RemoteSession.external_id == external_id))
            .exists()
        ):
            raise ValidationError(
                "external_id", _("a session with {tool} id {id} exists already").format(tool=tool, id=external_id)
            )
        ref = data.ref or next_ref(RemoteSession, "S", clock.berlin_date(started).year)
        if data.ref and RemoteSession.select().where(RemoteSession.ref == ref).exists():
            raise ValidationError("ref", _("session {ref} exists already").format(ref=ref))
        session = RemoteSession.create(
            ref=ref,
            order=order,
            technician=technician,
            started_at=started,
            customer_ip=ip,
            workstation=workstation,
            workstation_key=fold(workstation) or None,
            customer_person=person,
            customer_person_key=fold(person) or None,
            screen_private=bool(data.screen_private),
            tool=tool,
            external_id=external_id,
            created_at=clock.now(),
        )
        for item in data.consents:
            _create_consent(actor, session, item)
        problem = rules.screen_visibility_problem(
            session.screen_private, consent_facts(session, "screen_visibility"), started
        )
        if problem is not None:
            raise RuleViolation(problem)
        audit.record(actor.username, "session.start", session.ref)
    return session


def _collect(problems: list[FieldProblem], check: Any) -> Any:
    try:
        return check()
    except ValidationError as exc:
        problems.extend(problems_of(exc))
        return None


def _committed_problem(staff: Staff, at: datetime, field_name: str, customer: Customer | None) -> str | None:
    try:
        check_committed(staff, at, customer=customer)
    except RuleViolation as exc:
        return str(exc)
    return None


def check_start(actor: Staff, data: SessionInput, *, customer_number: str | None = None) -> None:
    """Every problem start_session would find, except the consent (P4), all at once; nothing is written.

    A form checks this before the technician asks the customer, so that a wrong IP, order or
    colleague does not make them ask twice. Without an order, `customer_number` is the
    customer of the new order.
    """
    require_role(actor, *SESSION_ROLES)
    problems: list[FieldProblem] = []
    _collect(problems, lambda: validation.ip_address("customer_ip", data.customer_ip, required=False))
    _collect(problems, lambda: validation.name("workstation", data.workstation, required=False))
    _collect(problems, lambda: validation.name("customer_person", data.customer_person, required=False))
    at = validation.timestamp("started_at", data.started_at, required=False) or clock.now()
    customer: Customer | None = None
    if data.order:
        order = Order.get_or_none(Order.ref == data.order)
        if order is None:
            problems.append(FieldProblem("order", _("no order {ref}").format(ref=data.order)))
        elif order.completed_at is not None:
            problems.append(
                FieldProblem("order", _("order {ref} is completed; open a new order").format(ref=order.ref))
            )
        else:
            customer = order.customer
    else:
        customer = Customer.get_or_none(Customer.number == (customer_number or ""))
        if customer is None:
            problems.append(FieldProblem("customer", _("no customer {number}").format(number=customer_number or "")))
    technician = Staff.get_or_none(Staff.username == data.technician)
    if technician is None:
        problems.append(FieldProblem("technician", _("no staff member {user!r}").format(user=data.technician)))
    else:
        problem = _committed_problem(technician, at, "technician", customer)
        if problem:
            problems.append(FieldProblem("technician", problem))
    if problems:
        raise ValidationErrors(problems)


def check_participant(actor: Staff, session_ref: str, username: str) -> None:
    """What add_participant would refuse about the colleague, before the customer is asked (P6)."""
    require_role(actor, *SESSION_ROLES)
    session = get_session(session_ref)
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None:
        raise ValidationError("username", _("no staff member {user!r}").format(user=username))
    problem = _committed_problem(staff, clock.now(), "username", session.order.customer)
    if problem:
        raise ValidationError("username", problem)
    if staff.id == session.technician_id:
        raise ValidationError("username", _("{user} runs this session already").format(user=username))
    if (
        Participant.select()
        .where((Participant.session == session) & (Participant.staff == staff) & Participant.left_at.is_null())
        .exists()
    ):
        raise ValidationError(
            "username", _("{user} is in session {ref} already").format(user=username, ref=session.ref)
        )


def end_session(actor: Staff, ref: str, *, ended_at: datetime | str | None = None) -> RemoteSession:
    require_role(actor, *SESSION_ROLES)
    ended = validation.timestamp("ended_at", ended_at, required=False) or clock.now()
    with write_tx():
        session = get_session(ref)
        if session.ended_at is not None:
            raise RuleViolation(_("session {ref} has ended already").format(ref=ref))
        if ended < session.started_at:
            raise ValidationError("ended_at", _("lies before the session started"))
        session.ended_at = ended
        session.save()
        Participant.update(left_at=ended).where(
            (Participant.session == session) & Participant.left_at.is_null()
        ).execute()
        audit.record(actor.username, "session.end", session.ref)
    return session


def record_consent(actor: Staff, session_ref: str, item: ConsentInput) -> Consent:
    """Append a consent; a correction is a new record that names the one it corrects."""
    require_role(actor, *SESSION_ROLES)
    with write_tx():
        return _create_consent(actor, get_session(session_ref), item)


def _within_session(session: RemoteSession, at: datetime, field_name: str) -> None:
    problem = rules.within_session_problem(session.started_at, session.ended_at, at, session.ref)
    if problem is not None:
        raise ValidationError(field_name, problem)


def add_participant(
    actor: Staff,
    session_ref: str,
    username: str,
    *,
    joined_at: datetime | str | None = None,
    left_at: datetime | str | None = None,
) -> Participant:
    """P6: a second technician joins only after the customer agreed."""
    require_role(actor, *SESSION_ROLES)
    joined = validation.timestamp("joined_at", joined_at, required=False) or clock.now()
    left = validation.timestamp("left_at", left_at, required=False)
    if left is not None and left < joined:
        raise ValidationError("left_at", _("lies before joined_at"))
    with write_tx():
        session = get_session(session_ref)
        _within_session(session, joined, "joined_at")
        if left is not None:
            _within_session(session, left, "left_at")
        elif session.ended_at is not None:  # joined an ended session (recorded later): left with its end
            left = session.ended_at
        staff = _staff(username, "username")
        check_committed(staff, joined, customer=session.order.customer)
        if staff.id == session.technician_id:
            raise RuleViolation(_("{user} runs this session already").format(user=username))
        consents = consent_facts(session, "additional_staff")
        problem = rules.additional_staff_problem(username, consents, joined)
        if problem is not None:
            raise RuleViolation(problem)
        granted = rules.granted_consent(consents, "additional_staff", joined)
        consent = None if granted is None else granted.row
        if (
            Participant.select()
            .where((Participant.session == session) & (Participant.staff == staff) & Participant.left_at.is_null())
            .exists()
        ):
            raise RuleViolation(_("{user} is in session {ref} already").format(user=username, ref=session.ref))
        participant = Participant.create(session=session, staff=staff, joined_at=joined, left_at=left, consent=consent)
        audit.record(actor.username, "participant.add", session.ref, staff.username)
    return participant


def record_disclosure(
    actor: Staff,
    session_ref: str,
    *,
    recipient: str,
    categories: list[str],
    scope: str,
    basis: str,
    customer_informed_at: datetime | str,
    at: datetime | str | None = None,
) -> Disclosure:
    """P11: what goes to whom, how much, on which basis, and when the customer was told."""
    require_role(actor, *SESSION_ROLES)
    clean_recipient = validation.name("recipient", recipient)
    clean_scope = validation.text("scope", scope, max_length=2000)
    basis = validation.choice("basis", basis, DISCLOSURE_BASES)
    if not isinstance(categories, list) or not categories:
        raise ValidationError("categories", _("at least one category is required"))
    for category in categories:
        validation.choice("categories", category, CATEGORIES)
    informed = validation.timestamp("customer_informed_at", customer_informed_at)
    when = validation.timestamp("at", at, required=False) or clock.now()
    assert informed is not None
    with write_tx():
        session = get_session(session_ref)
        consents = consent_facts(session, "disclosure")
        problem = rules.disclosure_problem(basis, consents, when)
        if problem is not None:
            raise RuleViolation(problem)
        granted = rules.granted_consent(consents, "disclosure", when) if basis == "consent" else None
        consent = None if granted is None else granted.row
        disclosure = Disclosure.create(
            ref=next_ref(Disclosure, "D", clock.berlin_date(when).year),
            session=session,
            recipient=clean_recipient,
            categories=json.dumps(sorted(set(categories))),
            scope=clean_scope,
            basis=basis,
            consent=consent,
            customer_informed_at=informed,
            at=when,
            recorded_by=actor,
            created_at=clock.now(),
        )
        audit.record(actor.username, "disclosure.record", disclosure.ref)
    return disclosure


def log_activity(
    actor: Staff,
    session_ref: str,
    action: str,
    *,
    detail: str | None = None,
    at: datetime | str | None = None,
    transfer: FileTransfer | None = None,
) -> ActivityEvent:
    """P5: our activity on the customer's system; transfers keep name, direction, size, SHA-256."""
    require_role(actor, *SESSION_ROLES)
    clean_action = validation.name("action", action, max_length=64)
    clean_detail = validation.text("detail", detail, required=False, max_length=4000)
    when = validation.timestamp("at", at, required=False) or clock.now()
    file_fields: dict[str, Any] = {}
    if transfer is not None:
        file_fields = {
            "file_name": validation.name("file.name", transfer.name, max_length=255),
            "direction": validation.choice("file.direction", transfer.direction, TRANSFER_DIRECTIONS),
            "file_size": validation.non_negative_int("file.size", transfer.size),
            "file_sha256": validation.sha256("file.sha256", transfer.sha256),
        }
    with write_tx():
        session = get_session(session_ref)
        _within_session(session, when, "at")
        retention_due.note_data(session.order_id, "activity")
        event = ActivityEvent.create(session=session, at=when, action=clean_action, detail=clean_detail, **file_fields)
        audit.record(actor.username, "activity.add", session.ref)
    return event


def add_chat(
    actor: Staff, session_ref: str, sender: str, text: str, *, at: datetime | str | None = None
) -> ChatMessage:
    require_role(actor, *SESSION_ROLES)
    clean_sender = validation.name("sender", sender, max_length=64)
    clean_text = validation.text("text", text)
    when = validation.timestamp("at", at, required=False) or clock.now()
    with write_tx():
        session = get_session(session_ref)
        _within_session(session, when, "at")
        retention_due.note_data(session.order_id, "chat")
        message = ChatMessage.create(session=session, at=when, sender=clean_sender, text=clean_text)
        audit.record(actor.username, "chat.add", session.ref)
    return message


def add_system_info(
    actor: Staff, session_ref: str, data: dict[str, Any], *, at: datetime | str | None = None
) -> SystemInfo:
    require_role(actor, *SESSION_ROLES)
    if not isinstance(data, dict) or not data:
        raise ValidationError("data", _("must be a non-empty JSON object"))
    document = json.dumps(data, ensure_ascii=False, sort_keys=True)
    if len(document) > 1_000_000:
        raise ValidationError("data", _("is larger than 1 MB"))
    when = validation.timestamp("at", at, required=False) or clock.now()
    with write_tx():
        session = get_session(session_ref)
        _within_session(session, when, "at")
        retention_due.note_data(session.order_id, "system_info")
        info = SystemInfo.create(session=session, at=when, data=document)
        audit.record(actor.username, "system_info.add", session.ref)
    return info


def _relative_path(field_name: str, path: str) -> str:
    """The name a file was given (import line, tool); the console acts only on `stored`, its own copy."""
    clean = validation.name(field_name, path, max_length=500)
    assert clean is not None
    return clean


def _stored(stored: str | None) -> str | None:
    if stored is not None:
        from models.purge.files import check_stored

        check_stored(stored)
    return stored


def add_recording(
    actor: Staff,
    session_ref: str,
    path: str,
    *,
    started_at: datetime | str,
    ended_at: datetime | str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    stored: str | None = None,
) -> Recording:
    """A video recording; `stored` is the console's own copy (models/purge/files.py Intake.take)."""
    require_role(actor, *SESSION_ROLES)
    rel = _relative_path("path", path)
    started = validation.timestamp("started_at", started_at)
    ended = validation.timestamp("ended_at", ended_at, required=False)
    assert started is not None
    if ended is not None and ended < started:
        raise ValidationError("ended_at", _("lies before the recording started"))
    with write_tx():
        session = get_session(session_ref)
        retention_due.note_data(session.order_id, "video")
        recording = Recording.create(
            session=session,
            path=rel,
            started_at=started,
            ended_at=ended,
            size=validation.non_negative_int("size", size, required=False),
            sha256=validation.sha256("sha256", sha256, required=False),
            stored=_stored(stored),
        )
        audit.record(actor.username, "recording.add", session.ref)
    return recording


def add_gathered_file(
    actor: Staff,
    session_ref: str,
    path: str,
    *,
    kind: str = "file",
    at: datetime | str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    stored: str | None = None,
) -> GatheredFile:
    """P7: a copy of a file, a screenshot or other material, kept only 48 h after completion."""
    require_role(actor, *SESSION_ROLES)
    rel = _relative_path("path", path)
    kind = validation.choice("kind", kind, ("file", "screenshot", "other"))
    when = validation.timestamp("at", at, required=False) or clock.now()
    with write_tx():
        session = get_session(session_ref)
        retention_due.note_data(session.order_id, "gathered_files")
        item = GatheredFile.create(
            session=session,
            at=when,
            kind=kind,
            path=rel,
            size=validation.non_negative_int("size", size, required=False),
            sha256=validation.sha256("sha256", sha256, required=False),
            stored=_stored(stored),
        )
        audit.record(actor.username, "gathered_file.add", session.ref)
    return item


def add_wording(actor: Staff, kind: str, text: str, *, language: str = "de") -> ConsentWording:
    """A new version of a consent wording; older versions stay as they were."""
    require_role(actor, "admin", "privacy_officer")
    kind = validation.choice("kind", kind, CONSENT_KINDS)
    clean = validation.text("text", text, max_length=4000)
    with write_tx():
        last = (
            ConsentWording.select()
            .where((ConsentWording.kind == kind) & (ConsentWording.language == language))
            .order_by(ConsentWording.version.desc())
            .first()
        )
        wording = ConsentWording.create(
            kind=kind, version=(last.version + 1) if last else 1, language=language, text=clean, created_at=clock.now()
        )
        audit.record(actor.username, "wording.add", f"{kind}/v{wording.version}")
    return wording


def chat_transcript(actor: Staff, session_ref: str, *, after_id: int = 0, limit: int = 200) -> list[ChatMessage]:
    """Read a page of a session's chat; reading personal data is audited."""
    require_role(actor, "technician", "privacy_officer", "admin")
    session = get_session(session_ref)
    rows = list(
        ChatMessage.select()
        .where((ChatMessage.session == session) & (ChatMessage.id > after_id))
        .order_by(ChatMessage.id)
        .limit(limit)
    )
    audit.record(actor.username, "chat.read", session.ref)
    return rows
