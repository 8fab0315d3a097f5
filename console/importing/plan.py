"""Checking an import as a whole before anything is written (DESIGN.md §9).

References resolve against the file and the database; the session rules (P3, P4, P6, P11)
are the ones in models/sessions/rules.py, applied to the merged view, and with the order
lifecycle they are checked by timestamps, never by line order. Each record is marked create,
update or skip; skips make a re-import of the same file change nothing. Only reads here.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast

from peewee import Field, Model

from console.importing.records import (
    ActivityRec,
    ChatRec,
    ChildRec,
    ConsentRec,
    ContactRec,
    CustomerRec,
    DisclosureRec,
    GatheredRec,
    OrderRec,
    ParticipantRec,
    Problems,
    Record,
    RecordingRec,
    SessionRec,
    StaffRec,
    SystemInfoRec,
)
from models.core import clock
from models.core.entities import (
    ActivityEvent,
    ChatMessage,
    Consent,
    ConsentWording,
    ContactPerson,
    Customer,
    DeletionRecord,
    Disclosure,
    GatheredFile,
    Order,
    Participant,
    Recording,
    RemoteSession,
    Staff,
    SystemInfo,
)
from models.core.i18n import _
from models.core.text import fold
from models.sessions import rules

R = TypeVar("R", bound=Record)
M = TypeVar("M", bound=Model)
# The retention category whose deletion record means a line's data is gone for good.
PURGED_CATEGORY: dict[type, str] = {
    SessionRec: "connection",
    ConsentRec: "connection",
    ParticipantRec: "connection",
    DisclosureRec: "connection",
    ActivityRec: "activity",
    ChatRec: "chat",
    SystemInfoRec: "system_info",
    RecordingRec: "video",
    GatheredRec: "gathered_files",
}
TYPE_NAMES: dict[type, str] = {
    StaffRec: "staff",
    CustomerRec: "customer",
    ContactRec: "contact",
    OrderRec: "order",
    SessionRec: "session",
    ConsentRec: "consent",
    ParticipantRec: "participant",
    ActivityRec: "activity",
    ChatRec: "chat",
    SystemInfoRec: "system_info",
    RecordingRec: "recording",
    GatheredRec: "gathered_file",
    DisclosureRec: "disclosure",
}
_CHUNK = 500


@dataclass
class StaffView:
    """A staff member as the file and the register together describe them (rules.StaffFacts)."""

    username: str
    name: str
    role_set: frozenset[str]
    commitment_signed_on: date | None
    active: bool
    secrecy_commitment_on: date | None = None

    @classmethod
    def of(cls, row: Staff) -> StaffView:
        return cls(
            row.username, row.name, row.role_set, row.commitment_signed_on, row.active, row.secrecy_commitment_on
        )


@dataclass
class OrderView:
    ref: str
    customer: str
    opened_at: datetime
    completed_at: datetime | None
    billed_on: date | None
    row_id: int | None = None
    completed_before: bool = False  # completed in the database before this import


@dataclass
class SessionView:
    ref: str | None
    order: str
    technician: str
    started_at: datetime
    ended_at: datetime | None
    row_id: int | None = None
    consents: list[rules.ConsentFact] = field(default_factory=list)


def _same(a: Record, b: Record) -> bool:
    skip = {"line", "action"}
    return {k: v for k, v in dataclasses.asdict(a).items() if k not in skip} == {
        k: v for k, v in dataclasses.asdict(b).items() if k not in skip
    }


def _lookup(model: type[M], column: Field, values: Iterable[Any]) -> dict[Any, M]:
    """Rows whose `column` is one of `values`, in chunks (bounded IN lists)."""
    wanted = sorted(set(values))
    found: dict[Any, M] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in model.select().where(column.in_(wanted[start : start + _CHUNK])):
            found[getattr(row, column.name)] = row
    return found


def stored_session_groups(keys: Iterable[str]) -> dict[str, str]:
    """Session key (ref or `tool:external_id`) -> "o:" + the order ref, for stored sessions."""
    wanted = sorted(set(keys))
    refs = [k for k in wanted if ":" not in k]
    keyset = set(wanted)
    externals = {k.partition(":")[2] for k in wanted if ":" in k}
    found: dict[str, str] = {}
    for start in range(0, len(refs), _CHUNK):
        rows = cast(
            Iterable[tuple[str, str]],
            RemoteSession.select(RemoteSession.ref, Order.ref.alias("order_ref"))
            .join(Order)
            .where(RemoteSession.ref.in_(refs[start : start + _CHUNK]))
            .tuples(),
        )
        found.update((ref, "o:" + order_ref) for ref, order_ref in rows)
    ids = sorted(externals)
    for start in range(0, len(ids), _CHUNK):
        triples = cast(
            Iterable[tuple[str, str, str]],
            RemoteSession.select(RemoteSession.tool, RemoteSession.external_id, Order.ref)
            .join(Order)
            .where(RemoteSession.external_id.in_(ids[start : start + _CHUNK]))
            .tuples(),
        )
        for tool, external, order_ref in triples:
            key = f"{tool}:{external}"
            if key in keyset:
                found[key] = "o:" + order_ref
    return found


class Plan:
    """The records of one file, checked against each other and the database."""

    def __init__(self, records: list[Record], problems: Problems, base: Plan | None = None) -> None:
        """`base`: the plan of the file's staff, customers and contacts when this one checks a
        chunk of whole orders (their sessions and what belongs to them) on its own."""
        self.problems = problems
        self.by_type: dict[type, list[Any]] = defaultdict(list)
        for record in records:
            self.by_type[type(record)].append(record)
        self.staff: dict[str, StaffView | None] = {}
        self.customers: dict[str, bool] = {}
        self.secrecy: dict[str, bool] = {}  # customer number -> bound by professional secrecy (§ 203 StGB)
        self.orders: dict[str, OrderView | None] = {}
        self.sessions: dict[str, SessionView | None] = {}
        self.new_sessions_of: dict[str, list[SessionRec]] = defaultdict(list)
        self.purged: dict[type, list[Any]] = defaultdict(list)  # lines set aside by _purged()
        if base is not None:
            self.staff, self.customers, self.secrecy = dict(base.staff), dict(base.customers), dict(base.secrecy)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["problems"] = None  # staged without them: the problems belong to the whole run
        return state

    def of(self, kind: type[R]) -> list[R]:
        return self.by_type.get(kind, [])

    def bad(self, record: Record, field_name: str, problem: str) -> None:
        self.problems.add(record.line, field_name, problem)

    def missing(self, record: Record, field_name: str, key: str, problem: str) -> None:
        """A reference that resolves nowhere; silent if a bad line (reported already) defined it."""
        if key not in self.problems.broken:
            self.bad(record, field_name, problem)

    def check(self) -> Plan:
        self._staff()
        self._customers()
        self._contacts()
        self._orders()
        self._sessions()
        self._purged()
        self._consents()
        self._session_rules()
        self._order_rules()
        self._participants()
        self._captured()
        self._attachments()
        self._disclosures()
        return self

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for kind, name in TYPE_NAMES.items():
            tally = Counter(r.action for r in self.of(kind) + self.purged[kind])
            result[name] = {
                "created": tally["create"],
                "updated": tally["update"],
                "skipped": tally["skip"],
                "purged": tally["purged"],
            }
        return result

    def to_write(self, kind: type[R]) -> list[R]:
        return [r for r in self.of(kind) if r.action not in ("skip", "purged")]

    # --- lookups that merge the file with the database -----------------------------------

    def _first_definitions(self, records: list[R], key: Any) -> list[R]:
        """Drop repeats of the same key: identical repeats are skipped, different ones reported."""
        seen: dict[Any, R] = {}
        firsts = []
        for record in records:
            k = key(record)
            if k in seen:
                if _same(seen[k], record):
                    record.action = "skip"
                else:
                    self.bad(
                        record,
                        "line",
                        _("defines {key} again, differently from line {line}").format(key=k, line=seen[k].line),
                    )
                continue
            seen[k] = record
            firsts.append(record)
        return firsts

    def staff_view(self, username: str) -> StaffView | None:
        if username not in self.staff:
            row = Staff.get_or_none(Staff.username == username)
            self.staff[username] = None if row is None else StaffView.of(row)
        return self.staff[username]

    def customer_exists(self, number: str) -> bool:
        if number not in self.customers:
            row = Customer.get_or_none(Customer.number == number)
            self.customers[number] = row is not None
            if row is not None:
                self.secrecy[number] = row.professional_secrecy
        return self.customers[number]

    def secrecy_customer(self, order_ref: str) -> str | None:
        """The number of the order's customer if it is bound by professional secrecy (P3, § 203 StGB)."""
        order = self.order_view(order_ref)
        if order is None or not self.customer_exists(order.customer):
            return None
        return order.customer if self.secrecy.get(order.customer) else None

    def commitment(self, record: Record, field_name: str, staff: StaffView, at: datetime, order_ref: str) -> None:
        """P3 as the session functions check it (rules.commitment_problem), on the merged view."""
        problem = rules.commitment_problem(staff, at, secrecy_customer=self.secrecy_customer(order_ref))
        if problem is not None:
            self.bad(record, field_name, problem)

    def order_view(self, ref: str) -> OrderView | None:
        if ref not in self.orders:
            row = Order.select(Order, Customer).join(Customer).where(Order.ref == ref).first()
            self.orders[ref] = None if row is None else self._stored_order(row)
        return self.orders[ref]

    @staticmethod
    def _stored_order(row: Order) -> OrderView:
        return OrderView(
            row.ref,
            row.customer.number,
            row.opened_at,
            row.completed_at,
            row.billed_on,
            row.id,
            row.completed_at is not None,
        )

    def session_view(self, key: str) -> SessionView | None:
        if key not in self.sessions:
            if ":" in key:
                tool, _sep, external = key.partition(":")
                row = RemoteSession.get_or_none((RemoteSession.tool == tool) & (RemoteSession.external_id == external))
            else:
                row = RemoteSession.get_or_none(RemoteSession.ref == key)
            self.sessions[key] = None if row is None else self._stored_session(row)
        return self.sessions[key]

    def _stored_session(self, row: RemoteSession) -> SessionView:
        view = SessionView(row.ref, row.order.ref, row.technician.username, row.started_at, row.ended_at, row.id)
        for consent in Consent.select(Consent.id, Consent.at, Consent.kind, Consent.granted).where(
            Consent.session == row.id
        ):
            view.consents.append(rules.ConsentFact(consent.at, (0, consent.id), consent.kind, consent.granted))
        return view

    def child_session(self, record: ChildRec) -> SessionView | None:
        view = self.session_view(record.session)
        if view is None:
            self.missing(
                record,
                "session",
                record.session,
                _("no session {ref} in the file or the database").format(ref=record.session),
            )
        return view

    # --- people ---------------------------------------------------------------------------

    def _staff(self) -> None:
        records = self._first_definitions(self.of(StaffRec), lambda r: r.username)
        stored = _lookup(Staff, Staff.username, (r.username for r in records))
        for rec in records:
            row = stored.get(rec.username)
            if row is not None:
                rec.action = "skip"  # the register is kept as an admin left it
                self.staff[rec.username] = StaffView.of(row)
                continue
            if rec.commitment_signed_on and rec.commitment_signed_on > clock.today_berlin():
                self.bad(rec, "commitment_signed_on", _("lies in the future"))
            self.staff[rec.username] = StaffView(
                rec.username,
                rec.name,
                frozenset(rec.roles.split()),
                rec.commitment_signed_on,
                rec.active,
                rec.secrecy_commitment_on,
            )

    def _customers(self) -> None:
        records = self._first_definitions(self.of(CustomerRec), lambda r: r.number)
        stored = _lookup(Customer, Customer.number, (r.number for r in records))
        for rec in records:
            row = stored.get(rec.number)
            rec.action = "skip" if row is not None else "create"
            self.customers[rec.number] = True
            self.secrecy[rec.number] = row.professional_secrecy if row is not None else rec.professional_secrecy

    def _contacts(self) -> None:
        records = self._first_definitions(self.of(ContactRec), lambda r: (r.customer, fold(r.name)))
        for rec in records:
            if not self.customer_exists(rec.customer):
                self.missing(
                    rec,
                    "customer",
                    rec.customer,
                    _("no customer {number} in the file or the database").format(number=rec.customer),
                )
                continue
            stored = (
                ContactPerson.select()
                .join(Customer)
                .where((Customer.number == rec.customer) & (ContactPerson.name_key == fold(rec.name)))
                .exists()
            )
            rec.action = "skip" if stored else "create"

    # --- orders and sessions --------------------------------------------------------------

    def _orders(self) -> None:
        records = self._first_definitions(self.of(OrderRec), lambda r: r.ref)
        stored = _lookup(Order, Order.ref, (r.ref for r in records))
        for rec in records:
            row = stored.get(rec.ref)
            if row is None:
                if not self.customer_exists(rec.customer):
                    self.missing(
                        rec,
                        "customer",
                        rec.customer,
                        _("no customer {number} in the file or the database").format(number=rec.customer),
                    )
                rec.complete, rec.bill = rec.completed_at is not None, rec.billed_on is not None
                self.orders[rec.ref] = OrderView(rec.ref, rec.customer, rec.opened_at, rec.completed_at, rec.billed_on)
            else:
                view = self.orders[rec.ref] = self._stored_order(row)
                self._compare_order(rec, view)
            view = self.orders[rec.ref]
            assert view is not None
            if view.completed_at and view.completed_at < view.opened_at:
                self.bad(rec, "completed_at", _("lies before opened_at"))
            if view.billed_on is not None:
                if view.completed_at is None:
                    self.bad(rec, "billed_at", _("needs completed_at: an order is billed after it is completed"))
                elif view.billed_on < clock.berlin_date(view.completed_at):
                    self.bad(rec, "billed_at", _("lies before the order was completed"))
                if view.billed_on > clock.today_berlin():
                    self.bad(rec, "billed_at", _("lies in the future"))

    def _compare_order(self, rec: OrderRec, view: OrderView) -> None:
        for name, mine, theirs in (
            ("customer", rec.customer, view.customer),
            ("opened_at", rec.opened_at, view.opened_at),
        ):
            if mine != theirs:
                self.bad(
                    rec, name, _("differs from the stored order {ref} ({value})").format(ref=rec.ref, value=theirs)
                )
        stored_class = Order.get_by_id(view.row_id).billing_class
        if rec.billing_class != stored_class:
            self.bad(
                rec,
                "billing_class",
                _("differs from the stored order {ref} ({value})").format(ref=rec.ref, value=stored_class),
            )
        if rec.completed_at is not None:
            if view.completed_at is None:
                rec.complete, view.completed_at = True, rec.completed_at
            elif view.completed_at != rec.completed_at:
                self.bad(
                    rec,
                    "completed_at",
                    _("order {ref} was completed at {at} already").format(
                        ref=rec.ref, at=view.completed_at.isoformat()
                    ),
                )
        if rec.billed_on is not None:
            if view.billed_on is None:
                rec.bill, view.billed_on = True, rec.billed_on
            elif view.billed_on != rec.billed_on:
                self.bad(
                    rec,
                    "billed_at",
                    _("order {ref} was billed on {day} already").format(ref=rec.ref, day=view.billed_on.isoformat()),
                )
        rec.action = "update" if rec.complete or rec.bill else "skip"

    def _sessions(self) -> None:
        records = self._first_definitions(self.of(SessionRec), lambda r: r.key)
        stored_by_ref = _lookup(RemoteSession, RemoteSession.ref, (r.ref for r in records if r.ref))
        stored_by_ext: dict[tuple[str, str], RemoteSession] = {}
        externals = sorted({r.external_id for r in records if r.tool and r.external_id})
        for start in range(0, len(externals), _CHUNK):
            for found in RemoteSession.select().where(RemoteSession.external_id.in_(externals[start : start + _CHUNK])):
                stored_by_ext[(found.tool, found.external_id)] = found
        by_external: dict[tuple[str, str], SessionRec] = {}
        for rec in records:
            if rec.tool and rec.external_id:
                other = by_external.setdefault((rec.tool, rec.external_id), rec)
                if other is not rec:
                    self.bad(rec, "external_id", _("is used by the session on line {line} too").format(line=other.line))
                    rec.action = "refused"
                    continue
            row = stored_by_ref.get(rec.ref) if rec.ref else None
            if rec.tool and rec.external_id:
                by_ext = stored_by_ext.get((rec.tool, rec.external_id))
                if (
                    by_ext is not None
                    and row is not None
                    and by_ext.id != row.id
                    or by_ext is not None
                    and rec.ref
                    and row is None
                ):
                    self.bad(rec, "external_id", _("belongs to the stored session {ref}").format(ref=by_ext.ref))
                    rec.action = "refused"
                    continue
                row = row or by_ext
            if row is not None:
                view = self._stored_session(row)
                self._compare_session(rec, view, row)
            else:
                view = SessionView(rec.ref, rec.order, rec.technician, rec.started_at, rec.ended_at)
                self.new_sessions_of[rec.order].append(rec)
            self.sessions[rec.key] = view
            if rec.ref and rec.tool and rec.external_id:
                self.sessions[f"{rec.tool}:{rec.external_id}"] = view
            if view.ref:
                self.sessions[view.ref] = view

    def _compare_session(self, rec: SessionRec, view: SessionView, row: RemoteSession) -> None:
        for name, mine, theirs in (
            ("order", rec.order, view.order),
            ("technician", rec.technician, view.technician),
            ("started_at", rec.started_at, view.started_at),
        ):
            if mine != theirs:
                self.bad(
                    rec, name, _("differs from the stored session {ref} ({value})").format(ref=view.ref, value=theirs)
                )
        if rec.ended_at is not None:
            if view.ended_at is None:
                if rec.ended_at < view.started_at:
                    self.bad(rec, "ended_at", _("lies before the session started"))
                rec.end, view.ended_at = True, rec.ended_at
            elif view.ended_at != rec.ended_at:
                self.bad(
                    rec,
                    "ended_at",
                    _("session {ref} ended at {at} already").format(ref=view.ref, at=view.ended_at.isoformat()),
                )
        rec.action = "update" if rec.end else "skip"
        rec.ref = rec.ref or view.ref

    def _session_rules(self) -> None:
        for rec in self.of(SessionRec):
            if rec.action != "create":
                continue
            order = self.order_view(rec.order)
            if order is None:
                self.missing(
                    rec, "order", rec.order, _("no order {ref} in the file or the database").format(ref=rec.order)
                )
            else:
                if rec.started_at < order.opened_at:
                    self.bad(rec, "started_at", _("lies before order {ref} was opened").format(ref=order.ref))
                if order.completed_before:
                    self.bad(
                        rec,
                        "order",
                        _("order {ref} was completed before; a new session needs a new order").format(ref=order.ref),
                    )
                elif order.completed_at is not None and rec.started_at >= order.completed_at:
                    self.bad(rec, "started_at", _("lies after order {ref} was completed").format(ref=order.ref))
            technician = self.staff_view(rec.technician)
            if technician is None:
                self.missing(
                    rec,
                    "technician",
                    rec.technician,
                    _("no staff member {user!r} in the file or the database").format(user=rec.technician),
                )
            else:
                self.commitment(rec, "technician", technician, rec.started_at, rec.order)
            view = self.sessions[rec.key]
            if view is not None and (
                problem := rules.screen_visibility_problem(rec.screen_private, view.consents, rec.started_at)
            ):
                self.bad(rec, "screen_private", problem)

    def _order_rules(self) -> None:
        for rec in self.of(OrderRec):
            if not rec.complete:
                continue
            assert rec.completed_at is not None
            ends: list[tuple[str, datetime | None]] = [(s.key, s.ended_at) for s in self.new_sessions_of[rec.ref]]
            view = self.orders[rec.ref]
            if view is not None and view.row_id is not None:
                for row in RemoteSession.select(RemoteSession.id, RemoteSession.ref, RemoteSession.ended_at).where(
                    RemoteSession.order == view.row_id
                ):
                    merged = self.sessions.get(row.ref)
                    ends.append((row.ref, merged.ended_at if merged else row.ended_at))
            for key, ended in ends:
                if ended is None:
                    self.bad(rec, "completed_at", _("session {ref} of the order has not ended").format(ref=key))
                elif ended > rec.completed_at:
                    self.bad(rec, "completed_at", _("lies before the end of session {ref}").format(ref=key))

    # --- what belongs to a session --------------------------------------------------------

    def _consents(self) -> None:
        stored_keys: dict[int, Counter[tuple[Any, ...]]] = {}
        for rec in self.of(ConsentRec):
            view = self.child_session(rec)
            if view is None:
                continue
            if (
                rec.wording_version is not None
                and not ConsentWording.select()
                .where((ConsentWording.kind == rec.kind) & (ConsentWording.version == rec.wording_version))
                .exists()
            ):
                self.bad(
                    rec,
                    "wording_version",
                    _("no wording version {v} for {kind}").format(v=rec.wording_version, kind=rec.kind),
                )
            if rec.corrects and (
                view.row_id is None
                or not Consent.select().where((Consent.ref == rec.corrects) & (Consent.session == view.row_id)).exists()
            ):
                self.bad(rec, "corrects", _("no stored consent {ref} on this session").format(ref=rec.corrects))
            if view.row_id is not None:
                if view.row_id not in stored_keys:
                    stored_keys[view.row_id] = Counter(
                        (c.kind, c.at, c.given_by_key, c.method, c.granted)
                        for c in Consent.select().where(Consent.session == view.row_id)
                    )
                keys = stored_keys[view.row_id]
                if keys[rec.natural_key()] > 0:
                    keys[rec.natural_key()] -= 1
                    rec.action = "skip"
                    continue
            view.consents.append(rules.ConsentFact(rec.at, (1, rec.line), rec.kind, rec.granted))

    def _participants(self) -> None:
        stays_of: dict[tuple[int, str], list[tuple[datetime, datetime | None, ParticipantRec | None]]] = defaultdict(
            list
        )
        views: dict[tuple[int, str], SessionView] = {}
        for rec in self.of(ParticipantRec):
            view = self.child_session(rec)
            staff = self.staff_view(rec.username)
            if staff is None:
                self.missing(
                    rec,
                    "username",
                    rec.username,
                    _("no staff member {user!r} in the file or the database").format(user=rec.username),
                )
            if view is None or staff is None:
                continue
            if (
                view.row_id is not None
                and Participant.select()
                .join(Staff)
                .where(
                    (Participant.session == view.row_id)
                    & (Staff.username == rec.username)
                    & (Participant.joined_at == rec.joined_at)
                )
                .exists()
            ):
                rec.action = "skip"
                continue
            self.commitment(rec, "username", staff, rec.joined_at, view.order)
            if rec.username == view.technician:
                self.bad(rec, "username", _("{user} runs this session already").format(user=rec.username))
            self._within(rec, view, rec.joined_at, "joined_at")
            if rec.left_at is not None:
                self._within(rec, view, rec.left_at, "left_at")
            if problem := rules.additional_staff_problem(rec.username, view.consents, rec.joined_at):
                self.bad(rec, "joined_at", problem)
            stays_of[(id(view), rec.username)].append((rec.joined_at, rec.left_at, rec))
            views[(id(view), rec.username)] = view
        for pair, stays in stays_of.items():
            view = views[pair]
            if view.row_id is not None:  # earlier stays of the same person in a stored session
                stays.extend(
                    (p.joined_at, p.left_at, None)
                    for p in Participant.select()
                    .join(Staff)
                    .where((Participant.session == view.row_id) & (Staff.username == pair[1]))
                )
            stays.sort(key=lambda s: s[0])
            for (joined, left, rec), (next_joined, _left, next_rec) in zip(stays, stays[1:], strict=False):
                if left is None or left > next_joined:
                    culprit = rec or next_rec
                    assert culprit is not None
                    self.bad(
                        culprit,
                        "left_at" if rec else "joined_at",
                        _("{user} is in the session from {joined} until {left}; stays must not overlap").format(
                            user=pair[1], joined=joined.isoformat(), left=left.isoformat() if left else _("the end")
                        ),
                    )

    def _within(self, record: ChildRec, view: SessionView, at: datetime, field_name: str) -> bool:
        problem = rules.within_session_problem(view.started_at, view.ended_at, at, view.ref or record.session)
        if problem is not None:
            self.bad(record, field_name, problem)
        return problem is None

    def _captured(self) -> None:
        """Activity, chat and system information: inside the session, skipped when stored already."""
        loaders = {
            ActivityRec: lambda sid: (
                (e.at, e.action, e.detail, e.file_name, e.direction, e.file_size, e.file_sha256)
                for e in ActivityEvent.select().where(ActivityEvent.session == sid)
            ),
            ChatRec: lambda sid: (
                (m.at, m.sender, m.text) for m in ChatMessage.select().where(ChatMessage.session == sid)
            ),
            SystemInfoRec: lambda sid: ((i.at, i.data) for i in SystemInfo.select().where(SystemInfo.session == sid)),
        }
        for kind, loader in loaders.items():
            stored: dict[int, Counter[tuple[Any, ...]]] = {}
            for rec in self.of(kind):
                view = self.child_session(rec)
                if view is None or not self._within(rec, view, rec.at, "at"):
                    continue
                if view.row_id is None:
                    continue
                if view.row_id not in stored:
                    stored[view.row_id] = Counter(loader(view.row_id))
                keys = stored[view.row_id]
                if keys[rec.natural_key()] > 0:
                    keys[rec.natural_key()] -= 1
                    rec.action = "skip"

    def _attachments(self) -> None:
        """Recordings and gathered files: one per session and path (gathered: and time)."""
        for kind, model, key in (
            (RecordingRec, Recording, lambda r: (r.session, r.path)),
            (GatheredRec, GatheredFile, lambda r: (r.session, r.path, r.at)),
        ):
            for rec in self._first_definitions(self.of(kind), key):
                view = self.child_session(rec)
                if view is None or view.row_id is None:
                    continue
                where = (model.session == view.row_id) & (model.path == rec.path)
                if kind is GatheredRec:
                    where &= model.at == rec.at
                if model.select().where(where).exists():
                    rec.action = "skip"

    def _disclosures(self) -> None:
        stored: dict[int, Counter[tuple[Any, ...]]] = {}
        for rec in self.of(DisclosureRec):
            view = self.child_session(rec)
            if view is None:
                continue
            if view.row_id is not None:
                if view.row_id not in stored:
                    stored[view.row_id] = Counter(
                        (fold(d.recipient), d.basis, d.customer_informed_at, d.at)
                        for d in Disclosure.select().where(Disclosure.session == view.row_id)
                    )
                if stored[view.row_id][rec.natural_key()] > 0:
                    stored[view.row_id][rec.natural_key()] -= 1
                    rec.action = "skip"
                    continue
            if problem := rules.disclosure_problem(rec.basis, view.consents, rec.at):
                self.bad(rec, "basis", problem)

    def _purged(self) -> None:
        """Lines whose data the purge deleted are not stored again: a re-import after a purge
        changes nothing, and nothing due comes back (P7, P8). Deletion records name the order."""
        order_of: dict[int, str] = {}
        for kind in PURGED_CATEGORY:
            for rec in self.of(kind):
                if rec.action != "refused":
                    view = rec if kind is SessionRec else self.sessions.get(rec.session)
                    if view is not None:
                        order_of[id(rec)] = view.order
        refs = sorted(set(order_of.values()))
        gone: set[tuple[str, str]] = set()
        for start in range(0, len(refs), _CHUNK):
            chunk = refs[start : start + _CHUNK]
            gone |= {
                (row.ref, row.category)
                for row in DeletionRecord.select(DeletionRecord.ref, DeletionRecord.category)
                .where(DeletionRecord.ref.in_(chunk))
                .distinct()
            }
        if not gone:
            return
        for kind, category in PURGED_CATEGORY.items():
            keep = []
            for rec in self.of(kind):
                order_ref = order_of.get(id(rec))
                if order_ref is not None and ((order_ref, category) in gone or (order_ref, "connection") in gone):
                    rec.action = "purged"
                    self.purged[kind].append(rec)
                else:
                    keep.append(rec)
            self.by_type[kind] = keep  # later checks never see the set-aside lines
        for order_ref, recs in self.new_sessions_of.items():
            self.new_sessions_of[order_ref] = [r for r in recs if r.action != "purged"]
