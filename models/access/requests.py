"""The access-request workflow of GDPR Art. 15 (P12, DESIGN.md §6), role privacy_officer.

received → verified (identity, how and by whom) → compiled (matches found, false ones
excluded with a reason) → reviewed (the report exported) → delivered, or rejected with a
reason at any open step. Steps out of order are refused with the reason. Every step and
every compile (a read of personal data) is an audit event; a closed request gets its own
deletion date from the policy's `access_requests` rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from models.access import current as access_current
from models.access.deadlines import answer_due, extended_due
from models.access.matching import MATCH_KINDS, Match, Progress, Subject, find_matches
from models.access.queries import (  # noqa: F401 (part of this module's API)
    OPEN_STATES,
    STATE_FILTERS,
    OpenSummary,
    RequestRow,
    list_requests,
    open_requests_summary,
)
from models.core import audit, clock, validation
from models.core.db import database, write_tx
from models.core.entities import (
    ACCESS_CHANNELS,
    ACCESS_STATES,
    AccessRequest,
    AccessRequestExclusion,
    BillingRecord,
    Customer,
    Staff,
)
from models.core.errors import NotFound, RuleViolation, ValidationError
from models.core.i18n import N_, _
from models.core.identity import require_role
from models.core.labels import term
from models.core.refs import next_ref
from models.core.text import fold
from models.retention import policy

if TYPE_CHECKING:
    from models.access.data import SubjectData

ROLE = "privacy_officer"
CLOSED_STATES = tuple(state for state in ACCESS_STATES if state not in OPEN_STATES)  # delivered, rejected
REF_PREFIX = "AR"
# The state machine: the states each step may start from. A step from any other state is refused.
STEP_STATES: dict[str, tuple[str, ...]] = {
    "verify": ("received",),
    "compile": ("verified", "compiled", "reviewed"),
    "exclude": ("compiled", "reviewed"),
    "include": ("compiled", "reviewed"),
    "export": ("compiled", "reviewed"),
    "extend": OPEN_STATES,
    "deliver": ("reviewed",),
    "reject": OPEN_STATES,
}
_STEP_VERBS = {
    "exclude": "exclude a match of",
    "include": "include a match of",
}  # as the refusals word a step: "cannot {verb} {ref}"
# The steps as the refusals name them, for the catalogue (German words them as nouns: "Export für … nicht möglich").
_STEP_WORDS = (
    N_("verify"),
    N_("compile"),
    N_("exclude a match of"),
    N_("export"),
    N_("extend"),
    N_("deliver"),
    N_("reject"),
    N_("include a match of"),
)


def allowed_steps(state: str) -> tuple[str, ...]:
    """The steps a request in `state` allows now, in workflow order."""
    return tuple(step for step, states in STEP_STATES.items() if state in states)


def step_allowed(step: str, state: str) -> bool:
    return state in STEP_STATES[step]


def next_step_text(state: str) -> str:
    """What comes next for a request in `state`, in a sentence for the officer."""
    texts = {
        "received": _("Next: verify the requester's identity. Compiling, export and delivery come after."),
        "verified": _("Next: compile the matches and review them; exclude false ones."),
        "compiled": _("Next: review the matches, exclude false ones, then export the report."),
        "reviewed": _("Next: deliver the exported report. A new exclusion needs a new export."),
        "delivered": _("Delivered: closed; nothing can be changed."),
        "rejected": _("Rejected: closed; nothing can be changed."),
    }
    return texts[state]


@dataclass(frozen=True)
class Compilation:
    """What `compile_request` found for one request: every match, excluded ones flagged."""

    ref: str
    name: str
    compiled_at: datetime
    matches: list[Match]

    def included(self, kind: str | None = None) -> list[Match]:
        return [m for m in self.matches if not m.excluded and (kind is None or m.kind == kind)]

    def excluded(self) -> list[Match]:
        return [m for m in self.matches if m.excluded]

    def as_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "compiled_at": self.compiled_at.isoformat(),
            "matches": [m.as_dict() for m in self.matches],
        }


def require_officer(actor: Staff) -> None:
    """Refuse anyone but a privacy officer (for callers that read the queue)."""
    require_role(actor, ROLE)


def get_request(ref: str) -> AccessRequest:
    request = AccessRequest.get_or_none(AccessRequest.ref == ref)
    if request is None:
        raise NotFound(_("no access request {ref}").format(ref=ref))
    return request


def show_request(actor: Staff, ref: str) -> AccessRequest:
    """The request for display to an officer; reading the requester's details is audited."""
    require_role(actor, ROLE)
    request = get_request(ref)
    audit.record(actor.username, "access.read", ref)
    return request


def effective_due(request: AccessRequest) -> date:
    """The deadline in force: the extended one if the request was extended."""
    return request.extended_due_on or request.due_on


def _identifiers(raw: dict[str, list[str]] | None) -> str | None:
    """Extra workstation names and IP addresses the requester gave, checked, as JSON."""
    if not raw:
        return None
    unknown = set(raw) - {"workstations", "ips"}
    if unknown:
        raise ValidationError("identifiers", _("unknown keys: {keys}").format(keys=", ".join(sorted(unknown))))
    workstations = [validation.name("workstation", w) for w in raw.get("workstations", [])]
    ips = [validation.ip_address("ip", ip) for ip in raw.get("ips", [])]
    if not workstations and not ips:
        return None
    return json.dumps({"workstations": sorted(set(workstations)), "ips": sorted(set(ips))}, ensure_ascii=False)


def _past_day(field_name: str, value: date | str, *, not_before: date | None = None) -> date:
    day = validation.day(field_name, value)
    assert day is not None
    if day > clock.today_berlin():
        raise ValidationError(field_name, _("lies in the future"))
    if not_before is not None and day < not_before:
        raise ValidationError(
            field_name, _("lies before the request was received ({day})").format(day=clock.format_day(not_before))
        )
    return day


def open_request(
    actor: Staff,
    *,
    name: str,
    received_on: date | str,
    channel: str,
    email: str | None = None,
    customer_number: str | None = None,
    address: str | None = None,
    identifiers: dict[str, list[str]] | None = None,
) -> AccessRequest:
    """Register a written request; its deadline is one month under Regulation 1182/71."""
    require_role(actor, ROLE)
    clean_name = validation.name("name", name)
    assert clean_name is not None
    received = _past_day("received_on", received_on)
    channel = validation.choice("channel", channel, ACCESS_CHANNELS)
    clean_email = validation.email("email", email)
    clean_address = validation.text("address", address, required=False, max_length=1000)
    extra = _identifiers(identifiers)
    with write_tx():
        customer = None
        if customer_number:
            customer = Customer.get_or_none(Customer.number == validation.customer_number("customer", customer_number))
            if customer is None:
                raise ValidationError("customer", _("no customer {number}").format(number=customer_number))
        request = AccessRequest.create(
            ref=next_ref(AccessRequest, REF_PREFIX, received.year),
            name=clean_name,
            name_key=fold(clean_name),
            email=clean_email,
            customer=customer,
            address=clean_address,
            identifiers=extra,
            received_on=received,
            channel=channel,
            due_on=answer_due(received),
            state="received",
            created_at=clock.now(),
        )
        audit.record(actor.username, "access.open", request.ref)
    return request


def _open(ref: str, step: str) -> AccessRequest:
    """The request, if its state allows `step` (STEP_STATES); otherwise a refusal that says why."""
    request = get_request(ref)
    refuse_step(request, step)
    return request


def refuse_step(request: AccessRequest, step: str) -> None:
    """Raise RuleViolation saying why, unless the request's state allows `step`."""
    ref, action = request.ref, _STEP_VERBS.get(step, step)
    if request.state in CLOSED_STATES:
        raise RuleViolation(
            _("{ref} is {state} already; nothing can be changed").format(ref=ref, state=term(request.state))
        )
    if request.state not in STEP_STATES[step]:
        if request.state == "received":
            raise RuleViolation(
                _("cannot {action} {ref}: the requester's identity is not verified yet").format(
                    action=_(action), ref=ref
                )
            )
        if request.state == "verified":
            raise RuleViolation(
                _("cannot {action} {ref}: compile it first and review the matches").format(action=_(action), ref=ref)
            )
        if request.state == "compiled" and action == "deliver":
            raise RuleViolation(_("cannot deliver {ref}: export the reviewed report first").format(ref=ref))
        raise RuleViolation(
            _("cannot {action} {ref} in state {state}").format(action=_(action), ref=ref, state=term(request.state))
        )


def verify_identity(actor: Staff, ref: str, method: str) -> AccessRequest:
    """Record how the requester's identity was checked; nothing is compiled before this."""
    require_role(actor, ROLE)
    clean = validation.text("method", method, max_length=1000)
    with write_tx():
        request = get_request(ref)
        if not step_allowed("verify", request.state):
            if request.state in CLOSED_STATES:
                refuse_step(request, "verify")
            raise RuleViolation(
                _("{ref} was verified already on {when} by {who}").format(
                    ref=ref, when=clock.format_berlin(request.verified_at), who=request.verified_by
                )
            )
        request.verified_at, request.verification_method, request.verified_by = clock.now(), clean, actor.username
        request.state = "verified"
        request.save()
        audit.record(actor.username, "access.verify", ref)
    return request


def compile_request(actor: Staff, ref: str, *, reuse: bool = False, progress: Progress | None = None) -> Compilation:
    """Find every record naming the subject; a read of personal data, so it is audited.

    With `reuse`, the matches of the previous compile of `ref` are taken when nothing in the
    database changed since (`access_current`); the compile is recorded all the same.
    `progress(done, total)` hears after each kind of record looked through."""
    require_role(actor, ROLE)
    return _compile(actor, ref, reuse=reuse, check_state=True, progress=progress)


def _compile(
    actor: Staff, ref: str, *, reuse: bool, check_state: bool, progress: Progress | None = None
) -> Compilation:
    """The compile itself; `check_state` False: an export permit checked role and state already."""
    outermost = not database.in_transaction()  # a caller's transaction may still roll back
    with write_tx():
        token = access_current.change_token()  # first: before anything the matches depend on is read
        request = _open(ref, "compile") if check_state else get_request(ref)
        previous = access_current.current(ref, token) if reuse else None
        if previous is not None:
            matches = previous.matches
        elif progress is None:
            matches = find_matches(Subject.of(request))
        else:
            matches = find_matches(Subject.of(request), progress)
        request.compiled_at = clock.now()
        if request.state == "verified":
            request.state = "compiled"
        request.save()
        token = access_current.own_writes(token)
        included = sum(1 for m in matches if not m.excluded)
        audit.record(actor.username, "access.compile", ref, f"matches={included} excluded={len(matches) - included}")
    token = access_current.after_own_writes(token)  # after the commit: the audit event is written at commit
    compilation = Compilation(request.ref, request.name, request.compiled_at, matches)
    access_current.remember(ref, token if outermost else None, compilation)
    return compilation


def exclude_match(actor: Staff, ref: str, record_kind: str, record_id: int, reason: str) -> AccessRequestExclusion:
    """Mark a false match (a namesake, another company's PC); the reason is kept with the request."""
    require_role(actor, ROLE)
    kind = validation.choice("record_kind", record_kind, MATCH_KINDS)
    clean_reason = validation.text("reason", reason, max_length=2000)
    with write_tx():
        request = _open(ref, "exclude")
        current = {(m.kind, m.id): m for m in find_matches(Subject.of(request))}
        match = current.get((kind, int(record_id)))
        if match is None:
            raise ValidationError(
                "record_id", _("{kind} {id} is not among the matches of {ref}").format(kind=kind, id=record_id, ref=ref)
            )
        if match.excluded:
            raise RuleViolation(
                _("{kind} {id} is excluded already: {reason}").format(
                    kind=kind, id=record_id, reason=match.exclusion_reason
                )
            )
        exclusion = AccessRequestExclusion.create(
            request=request,
            record_kind=kind,
            record_id=int(record_id),
            reason=clean_reason,
            excluded_by=actor.username,
            at=clock.now(),
        )
        _back_to_compiled(request)
        audit.record(actor.username, "access.exclude", ref, f"{kind}:{record_id}")
    return exclusion


def include_match(actor: Staff, ref: str, record_kind: str, record_id: int) -> None:
    """Undo an exclusion: the match is in the report again; the audit event keeps who excluded it and why."""
    require_role(actor, ROLE)
    kind = validation.choice("record_kind", record_kind, MATCH_KINDS)
    with write_tx():
        request = _open(ref, "include")
        exclusion = (
            AccessRequestExclusion.select()
            .where(
                (AccessRequestExclusion.request == request)
                & (AccessRequestExclusion.record_kind == kind)
                & (AccessRequestExclusion.record_id == int(record_id))
            )
            .first()
        )
        if exclusion is None:
            raise RuleViolation(_("{kind} {id} is not excluded from {ref}").format(kind=kind, id=record_id, ref=ref))
        detail = f"{kind}:{record_id} excluded by {exclusion.excluded_by}: {exclusion.reason}"
        exclusion.delete_instance()
        _back_to_compiled(request)
        audit.record(actor.username, "access.include", ref, detail[:500])


def preview_extension(actor: Staff, ref: str, notified_on: date | str | None = None) -> date:
    """The deadline an extension would set, checked as extend() checks it, without writing."""
    require_role(actor, ROLE)
    request = get_request(ref)
    if notified_on is not None:
        notified = _past_day("notified_on", notified_on, not_before=request.received_on)
        if notified > request.due_on:
            raise ValidationError(
                "notified_on", _("lies after the first month ({day})").format(day=clock.format_day(request.due_on))
            )
    refuse_step(request, "extend")
    if request.extended_due_on is not None:
        raise RuleViolation(
            _("{ref} was extended already, to {day}; a second extension is not allowed").format(
                ref=ref, day=clock.format_day(request.extended_due_on)
            )
        )
    if clock.today_berlin() > request.due_on:
        raise RuleViolation(
            _("{ref} can no longer be extended: the first month ended on {day}").format(
                ref=ref, day=clock.format_day(request.due_on)
            )
        )
    return extended_due(request.due_on)


def _back_to_compiled(request: AccessRequest) -> None:
    """The matches changed: an earlier export no longer shows them, so it must be made again."""
    request.state = "compiled"
    request.exported_at = request.exported_sha256 = None
    request.reviewed_at = request.reviewed_by = None
    request.save()


@dataclass(frozen=True)
class ExportPermit:
    """An export of one request by one officer, allowed: made only by `permit_export`, which checks
    the role and the state once, before anything is read or written; the export's steps take it."""

    actor: Staff
    ref: str


def permit_export(actor: Staff, ref: str) -> ExportPermit:
    """Refuse an export by anyone but an officer, or before verification and compilation."""
    require_role(actor, ROLE)
    check_exportable(ref)
    return ExportPermit(actor, ref)


def check_exportable(ref: str) -> AccessRequest:
    """The request, if its state allows an export; otherwise the refusal that says what comes first."""
    return _open(ref, "export")


def record_export(permit: ExportPermit, sha256: str, *, fmt: str, lang: str) -> AccessRequest:
    """The officer exported the reviewed report; deliver takes this file's hash.

    The write is guarded by the export's states, so a request another console closed meanwhile
    is refused with its reason rather than reopened."""
    digest = validation.sha256("sha256", sha256)
    actor, ref, now = permit.actor, permit.ref, clock.now()
    with write_tx():
        moved = (
            AccessRequest.update(
                exported_at=now, exported_sha256=digest, reviewed_at=now, reviewed_by=actor.username, state="reviewed"
            )
            .where((AccessRequest.ref == ref) & AccessRequest.state.in_(STEP_STATES["export"]))
            .execute()
        )
        if not moved:
            check_exportable(ref)
        audit.record(actor.username, "access.export", ref, f"{fmt} {lang} sha256={digest}")
    audit.witness(f"access report {ref}")
    return get_request(ref)


def extend(actor: Staff, ref: str, reason: str, notified_on: date | str) -> AccessRequest:
    """Art. 12(3): two further months, once, decided and told to the requester within the first month."""
    require_role(actor, ROLE)
    clean_reason = validation.text("reason", reason, max_length=2000)
    with write_tx():
        request = _open(ref, "extend")
        if request.extended_due_on is not None:
            raise RuleViolation(
                _("{ref} was extended already, to {day}; a second extension is not allowed").format(
                    ref=ref, day=clock.format_day(request.extended_due_on)
                )
            )
        if clock.today_berlin() > request.due_on:
            raise RuleViolation(
                _("{ref} can no longer be extended: the first month ended on {day}").format(
                    ref=ref, day=clock.format_day(request.due_on)
                )
            )
        notified = _past_day("notified_on", notified_on, not_before=request.received_on)
        if notified > request.due_on:
            raise ValidationError(
                "notified_on", _("lies after the first month ({day})").format(day=clock.format_day(request.due_on))
            )
        request.extended_due_on = extended_due(request.due_on)
        request.extension_reason, request.extension_notified_on = clean_reason, notified
        request.save()
        audit.record(actor.username, "access.extend", ref, request.extended_due_on.isoformat())
    return request


def _close(request: AccessRequest, state: str) -> None:
    """Closing starts the request's own retention clock (the purge deletes by `due_at`)."""
    request.state = state
    request.closed_at = clock.now()
    request.due_at = policy.active().rule("access_requests").due_from(request.closed_at)
    request.save()


def deliver(actor: Staff, ref: str, on: date | str, sha256: str | None = None) -> AccessRequest:
    """The report went to the requester on `on`; the request keeps the hash of what was sent."""
    require_role(actor, ROLE)
    with write_tx():
        request = _open(ref, "deliver")
        day = _past_day("on", on, not_before=request.received_on)
        digest = validation.sha256("sha256", sha256, required=False) or request.exported_sha256
        if digest is None:
            raise RuleViolation(_("cannot deliver {ref}: export the reviewed report first").format(ref=ref))
        request.delivered_on, request.delivered_sha256 = day, digest
        _close(request, "delivered")
        audit.record(actor.username, "access.deliver", ref, f"on={day.isoformat()} sha256={digest}")
    return request


def reject(actor: Staff, ref: str, reason: str) -> AccessRequest:
    """Refuse the request (e.g. identity could not be verified); the reason is kept."""
    require_role(actor, ROLE)
    clean_reason = validation.text("reason", reason, max_length=2000)
    with write_tx():
        request = _open(ref, "reject")
        request.rejected_reason = clean_reason
        _close(request, "rejected")
        audit.record(actor.username, "access.reject", ref)
    return request


def report_source(permit: ExportPermit) -> tuple[dict[str, object], Compilation, SubjectData]:
    """What an export renders: the request, a compilation (audited; the previous one's matches
    if nothing changed since) and the copy of the data, which the writers read page by page
    (`access_data.SubjectData`)."""
    from models.access.data import SubjectData, request_record

    compilation = _compile(permit.actor, permit.ref, reuse=True, check_state=False)
    request = get_request(permit.ref)
    return request_record(request), compilation, SubjectData(compilation.matches)


def report_material(
    actor: Staff, ref: str
) -> tuple[dict[str, object], Compilation, dict[str, list[dict[str, object]]]]:
    """As `report_source`, with the copy of the data read at once into lists (for small reports and tests)."""
    from models.access.data import subject_data

    request, compilation, _data = report_source(permit_export(actor, ref))
    return request, compilation, subject_data(compilation.matches)


def restrict_billing(actor: Staff, ref: str, reason: str) -> int:
    """BDSG § 35(3): the subject asked for erasure, but billing records must be kept (P10), so they
    are restricted instead. Applies to the billing records among the request's included matches."""
    require_role(actor, ROLE)
    clean_reason = validation.text("reason", reason, max_length=2000)
    with write_tx():
        request = get_request(ref)
        if request.state in ("received", "rejected"):
            raise RuleViolation(
                _("cannot restrict for {ref}: the requester's identity is not verified").format(ref=ref)
            )
        ids = [m.id for m in find_matches(Subject.of(request)) if m.kind == "billing_record" and not m.excluded]
        if not ids:
            raise RuleViolation(_("{ref} has no billing records among its matches").format(ref=ref))
        count = (
            BillingRecord.update(restricted_at=clock.now(), restriction_reason=clean_reason)
            .where(BillingRecord.id.in_(ids) & BillingRecord.restricted_at.is_null())
            .execute()
        )
        audit.record(actor.username, "access.restrict", ref, f"billing_records={count}")
    return count
