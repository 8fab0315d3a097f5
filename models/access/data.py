"""The copy of the data (GDPR Art. 15(3)) behind the included matches of a compilation.

Plain dictionaries with Python values, so that the report writers in console/ need no
database. The large kinds (orders, sessions with what they captured, billing records) are
read in pages of PAGE records, each page with one query per table over indexed ids, so a
report of tens of thousands of records is written as it is read and memory stays bounded.
Each record says when it will be deleted: a concrete date from the policy, or what the date
still waits for (completion, billing, closing of a request, a legal hold); the dates are
computed once per order, not per record.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from peewee import JOIN, fn

from models.access import report_json as access_json
from models.access.matching import Match, chunks
from models.access.rows import ByIds, berlin_day, converter
from models.core import clock
from models.core.clock import berlin_day_of
from models.core.entities import (
    AccessRequest,
    ActivityEvent,
    BillingBatch,
    BillingRecord,
    ChatMessage,
    Consent,
    ContactPerson,
    Customer,
    Disclosure,
    GatheredFile,
    LegalHold,
    Order,
    Participant,
    Recording,
    RemoteSession,
    Staff,
    SystemInfo,
)
from models.retention import policy

SESSION_CATEGORIES = ("connection", "activity", "chat", "video", "system_info", "gathered_files")
PAGE = 500  # records per page: one query per table each, few enough to hold at once
Record = dict[str, Any]

# What a session captured: the report's key, the table and the columns it shows (after the session id).
CAPTURED: dict[str, tuple[Any, tuple[Any, ...], Any]] = {
    "activity": (
        ActivityEvent,
        (
            ActivityEvent.at,
            ActivityEvent.action,
            ActivityEvent.detail,
            ActivityEvent.file_name,
            ActivityEvent.direction,
            ActivityEvent.file_size,
            ActivityEvent.file_sha256,
        ),
        ActivityEvent.at,
    ),
    "chat": (ChatMessage, (ChatMessage.at, ChatMessage.sender, ChatMessage.text), ChatMessage.at),
    "consents": (
        Consent,
        (Consent.ref, Consent.kind, Consent.given_by, Consent.method, Consent.granted, Consent.at, Consent.note),
        Consent.at,
    ),
    "disclosures": (
        Disclosure,
        (
            Disclosure.ref,
            Disclosure.recipient,
            Disclosure.categories,
            Disclosure.scope,
            Disclosure.basis,
            Disclosure.customer_informed_at,
            Disclosure.at,
        ),
        Disclosure.at,
    ),
    "system_info": (SystemInfo, (SystemInfo.at, SystemInfo.data), SystemInfo.at),
    "gathered_files": (
        GatheredFile,
        (GatheredFile.at, GatheredFile.kind, GatheredFile.path, GatheredFile.size, GatheredFile.sha256),
        GatheredFile.at,
    ),
    "recordings": (
        Recording,
        (Recording.path, Recording.started_at, Recording.ended_at, Recording.size, Recording.sha256),
        Recording.started_at,
    ),
}
_JSON_COLUMNS = {"disclosures": "categories", "system_info": "data"}  # stored as JSON text
_SPARSE = ("disclosures", "system_info", "gathered_files", "recordings")  # few sessions have rows in these


def _due(day: datetime | None, status: str | None = None) -> Record:
    """A deletion date as the report shows it: the Berlin day, or a status saying what it waits for."""
    if day is not None:
        return {"due_on": clock.berlin_date(day).isoformat(), "status": "scheduled"}
    return {"due_on": None, "status": status}


def _from_instant(rule: Any) -> Callable[[datetime], datetime]:
    """`rule.due_from` for an instant anchor; a period of hours and days is one addition (as due_from adds it)."""
    if rule.months or rule.years or rule.anchor_rounding:
        return rule.due_from
    delta = timedelta(hours=rule.hours, days=rule.days)
    return lambda anchor: anchor + delta


class OrderDues:
    """Deletion date per session-bound category of an order, from its anchors and the active policy,
    as `retention_due.order_dues` computes them for the purge; the same dates' records shared by
    every order that has them (one dict per distinct set of days, so a writer can make its text once).

    A report runs this for tens of thousands of orders: the dates anchored at the billing day are
    computed once per day, those anchored at the completion instant once per order, and the Berlin
    day of an instant from its UTC day (`clock.berlin_day_of`)."""

    def __init__(self) -> None:
        active = policy.active()
        self._scheduled: dict[str, Record] = {}
        self._waiting = {
            status: {c: _due(None, status) for c in SESSION_CATEGORIES} for status in ("held", "after_completion")
        }
        self._after_billing = _due(None, "after_billing")
        rules = {c: active.rule(c) for c in SESSION_CATEGORIES}
        # categories under the same completion rule share one date (system information and gathered files)
        groups: dict[tuple[Any, ...], tuple[list[str], Callable[[datetime], datetime]]] = {}
        for c, r in rules.items():
            if r.anchor == "order_completed":
                same = (r.years, r.months, r.days, r.hours, r.anchor_rounding)
                groups.setdefault(same, ([], _from_instant(r)))[0].append(c)
        self._on_completion = [(tuple(categories), due_from) for categories, due_from in groups.values()]
        self._on_billing = [(c, r) for c, r in rules.items() if r.anchor != "order_completed"]
        self._billed: dict[date | None, tuple[dict[str, Record], datetime | None, Record]] = {}
        self._shared: dict[tuple[int, ...], dict[str, Record]] = {}

    def _day(self, due: datetime | None) -> Record:
        if due is None:
            return self._after_billing
        day = berlin_day_of(due)
        record = self._scheduled.get(day)
        if record is None:
            record = self._scheduled[day] = {"due_on": day, "status": "scheduled"}
        return record

    def _billing_dues(self, billed_on: date | None) -> tuple[dict[str, Record], datetime | None, Record]:
        """The records of the billing-anchored dates of one billing day, the latest of those dates
        (None if any is unknown) and its record."""
        found = self._billed.get(billed_on)
        if found is None:
            dues = {c: rule.due_from(billed_on) if billed_on is not None else None for c, rule in self._on_billing}
            values = list(dues.values())
            latest = None if any(v is None for v in values) else max(values, default=None)  # type: ignore[type-var]
            records = {c: self._day(due) for c, due in dues.items()}
            found = self._billed[billed_on] = (records, latest, self._day(latest))
        return found

    def of(self, completed_at: datetime | None, billed_on: date | None, held: bool) -> dict[str, Record]:
        if held:
            return self._waiting["held"]
        if completed_at is None:
            return self._waiting["after_completion"]
        billed, latest, latest_record = self._billing_dues(billed_on)
        records = dict(billed)
        unknown = bool(self._on_billing) and latest is None
        for categories, due_from in self._on_completion:
            due = due_from(completed_at)
            record = self._day(due)
            for category in categories:
                records[category] = record
            if latest is None or due > latest:
                latest, latest_record = due, record
        # the connection data goes last: with everything else, once every date is known (retention_due)
        records["connection"] = self._after_billing if unknown else latest_record
        ordered = [records[c] for c in SESSION_CATEGORIES]
        key = tuple(map(id, ordered))  # the records live as long as this object: their ids are theirs
        shared = self._shared.get(key)
        if shared is None:
            shared = self._shared[key] = dict(zip(SESSION_CATEGORIES, ordered, strict=True))
        return shared


def _column(alias: str, field: Any) -> str:
    return f'{alias}."{field.column_name}"'


def _session_heads(captured: dict[str, access_json.CapturedJson]) -> access_json.RecordsJson:
    """A session's own fields as JSON text, with its order's id, the anchors of its deletion and
    what it captured in the tables of `captured` (each as one text, `CapturedJson.aggregate`)."""
    s, o, t = "s", "o", "t"
    return access_json.RecordsJson(
        f'"{RemoteSession._meta.table_name}" AS s JOIN "{Order._meta.table_name}" AS o ON o."id" = s."order_id" '
        f'JOIN "{Staff._meta.table_name}" AS t ON t."id" = s."technician_id"',
        's."id"',
        [
            ("ref", _column(s, RemoteSession.ref), "text"),
            ("order_ref", _column(o, Order.ref), "text"),
            ("technician", _column(t, Staff.name), "text"),
            ("started_at", _column(s, RemoteSession.started_at), "instant"),
            ("ended_at", _column(s, RemoteSession.ended_at), "instant"),
            ("customer_ip", _column(s, RemoteSession.customer_ip), "text"),
            ("workstation", _column(s, RemoteSession.workstation), "text"),
            ("customer_person", _column(s, RemoteSession.customer_person), "text"),
            ("screen_private", _column(s, RemoteSession.screen_private), "bool"),
            ("tool", _column(s, RemoteSession.tool), "text"),
        ],
        [
            _column(s, RemoteSession.order),
            _column(o, Order.completed_at),
            _column(o, Order.billed_on),
            *(rows.aggregate(_column(s, RemoteSession.id)) for rows in captured.values()),
        ],
    )


def _billing_heads() -> access_json.RecordsJson:
    """A billing record's fields but its deletion as JSON text, with its deletion's instant."""
    b, n = "b", "n"
    return access_json.RecordsJson(
        f'"{BillingRecord._meta.table_name}" AS b LEFT OUTER JOIN "{BillingBatch._meta.table_name}" AS n '
        f'ON n."id" = b."batch_id"',
        'b."id"',
        [
            ("ref", _column(b, BillingRecord.ref), "text"),
            ("session_ref", _column(b, BillingRecord.session_ref), "text"),
            ("session_date", _column(b, BillingRecord.session_date), "day"),
            ("started_at", _column(b, BillingRecord.started_at), "instant"),
            ("ended_at", _column(b, BillingRecord.ended_at), "instant"),
            ("duration_minutes", _column(b, BillingRecord.duration_minutes), "int"),
            ("customer_number", _column(b, BillingRecord.customer_number), "text"),
            ("customer_name", _column(b, BillingRecord.customer_name), "text"),
            ("workstation_or_employee", _column(b, BillingRecord.workstation_or_employee), "text"),
            ("billing_class", _column(b, BillingRecord.billing_class), "text"),
            ("batch", _column(n, BillingBatch.number), "int"),
            ("restricted_at", _column(b, BillingRecord.restricted_at), "instant"),
            ("restriction_reason", _column(b, BillingRecord.restriction_reason), "text"),
        ],
        [_column(b, BillingRecord.due_at)],
    )


def _order_heads() -> access_json.RecordsJson:
    """An order's fields but its legal hold as JSON text."""
    o, c = "o", "c"
    return access_json.RecordsJson(
        f'"{Order._meta.table_name}" AS o JOIN "{Customer._meta.table_name}" AS c ON c."id" = o."customer_id"',
        'o."id"',
        [
            ("ref", _column(o, Order.ref), "text"),
            ("customer_number", _column(c, Customer.number), "text"),
            ("opened_at", _column(o, Order.opened_at), "instant"),
            ("completed_at", _column(o, Order.completed_at), "instant"),
            ("billed_on", _column(o, Order.billed_on), "day"),
            ("billing_class", _column(o, Order.billing_class), "text"),
            ("description", _column(o, Order.description), "text"),
        ],
        [],
    )


def order_dues(completed_at: datetime | None, billed_on: date | None, held: bool) -> dict[str, Record]:
    """Deletion date per session-bound category of one order, from its anchors and the active policy."""
    return OrderDues().of(completed_at, billed_on, held)


def _ids(matches: Iterable[Match], kind: str) -> list[int]:
    return sorted({m.id for m in matches if m.kind == kind and not m.excluded})


def _fetch(make_query: Callable[[list[int]], Any], ids: Iterable[int]) -> Iterator[Any]:
    """The rows for `ids`, queried in chunks so that no IN list outgrows a backend's parameter limit."""
    for chunk in chunks(sorted(set(ids))):
        yield from make_query(chunk)


def _sorted_ids(key_columns: tuple[Any, ...], id_column: Any, ids: Iterable[int]) -> list[int]:
    """`ids` in report order, reading only the sort key of each (small tuples, not records)."""
    model = id_column.model
    keys = list(ByIds(lambda chunk: model.select(*key_columns, id_column).where(id_column.in_(chunk))).chunked(ids))
    keys.sort()
    return [k[-1] for k in keys]


def _pages(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), PAGE):
        yield ids[start : start + PAGE]


def _held_query() -> ByIds:
    return ByIds(
        lambda ids: LegalHold.select(LegalHold.order).where(LegalHold.order.in_(ids) & LegalHold.released_at.is_null())
    )


def _held(order_ids: Iterable[int], query: ByIds | None = None) -> set[int]:
    """Orders under an active legal hold (a billing dispute, P8)."""
    return {h[0] for h in (query or _held_query()).chunked(order_ids)}


def _consent(c: Consent) -> Record:
    return {
        "ref": c.ref,
        "kind": c.kind,
        "given_by": c.given_by,
        "method": c.method,
        "granted": c.granted,
        "at": c.at,
        "note": c.note,
    }


_NAMES = {key: tuple(column.name for column in columns) for key, (_model, columns, _at) in CAPTURED.items()}


def _records(key: str, columns: tuple[Any, ...], row: tuple[Any, ...]) -> Record:
    record = dict(zip(_NAMES[key], row, strict=True))
    json_column = _JSON_COLUMNS.get(key)
    if json_column:
        record[json_column] = json.loads(record[json_column])
    return record


class SubjectData:
    """Everything the included matches hold, by kind; the large kinds are read page by page."""

    def __init__(self, matches: list[Match]) -> None:
        self.customer_ids = _ids(matches, "customer")
        self.contact_ids = _ids(matches, "contact")
        self.session_ids = _ids(matches, "session")
        self.consent_ids = _ids(matches, "consent")
        self.billing_ids = _ids(matches, "billing_record")
        self.request_ids = _ids(matches, "access_request")
        self._order_matches = _ids(matches, "order")
        self._session_refs = {m.id: m.ref for m in matches if m.kind == "session" and not m.excluded}
        # a billing record's match is labelled with its session day (matching): the report's order without a read
        self._billing_keys = [(m.label, m.ref, m.id) for m in matches if m.kind == "billing_record" and not m.excluded]
        self._sessions: list[int] | None = None
        self._order_of: dict[int, int] = {}  # session id -> order id, read with the sessions' order
        self._orders: list[int] | None = None
        self._held_orders: set[int] | None = None
        self._consents: int | None = None  # how many consents() gives
        self._counted_consents: list[Record] | None = None
        self._disclosures: dict[int, list[Record]] | None = None  # by session id, in the sessions' order
        # per captured table, the sessions with rows in it as `counts` found them: the pages ask only those
        self._with_rows: dict[str, set[int]] = {}
        self._held = _held_query()

    # -- order of the large kinds (ids only) ---------------------------------------------------------

    def session_order(self) -> list[int]:
        """Session ids by start, then id (their orders' ids read on the way, for `order_order`)."""
        if self._sessions is None:
            query = ByIds(
                lambda chunk: RemoteSession.select(
                    RemoteSession.started_at, RemoteSession.id, RemoteSession.order
                ).where(RemoteSession.id.in_(chunk))
            )
            keys = list(query.chunked(self.session_ids))
            self._order_of = {k[1]: k[2] for k in keys}
            keys.sort(key=lambda k: (k[0], k[1]))
            self._sessions = [k[1] for k in keys]
        return self._sessions

    def order_order(self) -> list[int]:
        """Ids of the matched orders and of the matched sessions' orders, by opening, then id."""
        if self._orders is None:
            self.session_order()
            ids = set(self._order_matches) | set(self._order_of.values())
            self._orders = _sorted_ids((Order.opened_at,), Order.id, ids)
        return self._orders

    def _held_of(self, order_ids: Iterable[int]) -> set[int]:
        """The orders among `order_ids` under an active legal hold; those of the report's orders read once."""
        if self._held_orders is None:
            self._held_orders = _held(self.order_order(), self._held)
        known = self._held_orders
        return {o for o in order_ids if o in known}

    # -- small kinds -------------------------------------------------------------------------------

    def customers(self) -> list[Record]:
        rows = sorted(
            _fetch(lambda ids: Customer.select().where(Customer.id.in_(ids)), self.customer_ids), key=lambda c: c.number
        )
        return [
            {
                "number": c.number,
                "name": c.name,
                "email": c.email,
                "address": c.address,
                "professional_secrecy": c.professional_secrecy,
                "created_at": c.created_at,
                "deletion": _due(None, "while_customer"),
            }
            for c in rows
        ]

    def contacts(self) -> list[Record]:
        rows = _fetch(
            lambda ids: (
                ContactPerson.select(ContactPerson, Customer)
                .join(Customer)
                .where(ContactPerson.id.in_(ids))
                .order_by(ContactPerson.id)
            ),
            self.contact_ids,
        )
        return [
            {
                "customer_number": c.customer.number,
                "name": c.name,
                "email": c.email,
                "phone": c.phone,
                "created_at": c.created_at,
                "deletion": _due(None, "while_customer"),
            }
            for c in rows
        ]

    def consents(self) -> list[Record]:
        """Consents the subject gave in sessions that are not in the report otherwise."""
        if self._counted_consents is not None:  # read for the head's count: handed on once
            counted, self._counted_consents = self._counted_consents, None
            return counted
        return self._read_consents()

    def _read_consents(self) -> list[Record]:
        if not self.consent_ids:
            return []
        rows = sorted(
            _fetch(
                lambda chunk: (
                    Consent.select(Consent, RemoteSession, Order)
                    .join(RemoteSession)
                    .join(Order)
                    .where(Consent.id.in_(chunk))
                ),
                self.consent_ids,
            ),
            key=lambda c: (c.at, c.id),
        )
        in_report = set(self.session_ids)
        rows = [c for c in rows if c.session_id not in in_report]  # the others are shown with their session
        held = _held(c.session.order_id for c in rows)
        out = []
        for c in rows:
            record = _consent(c)
            record["session_ref"] = c.session.ref
            order = c.session.order
            record["deletion"] = order_dues(order.completed_at, order.billed_on, order.id in held)["connection"]
            out.append(record)
        return out

    def access_requests(self) -> list[Record]:
        rows = sorted(
            _fetch(lambda chunk: AccessRequest.select().where(AccessRequest.id.in_(chunk)), self.request_ids),
            key=lambda r: (r.received_on, r.ref),
        )
        return [
            {
                "ref": r.ref,
                "name": r.name,
                "received_on": r.received_on,
                "channel": r.channel,
                "state": r.state,
                "delivered_on": r.delivered_on,
                "rejected_reason": r.rejected_reason,
                "deletion": _due(r.due_at, "after_closing"),
            }
            for r in rows
        ]

    # -- large kinds, page by page --------------------------------------------------------------------

    def orders(self, *, encoded: bool = False) -> Iterator[Record]:
        """Orders by opening, then id. With `encoded` (the JSON export), each order's fields but its
        legal hold come as JSON text made by the database (`JsonMembers` under "")."""
        query = ByIds(
            lambda ids: (
                Order.select(
                    Order.id,
                    Order.ref,
                    Customer.number,
                    Order.opened_at,
                    Order.completed_at,
                    Order.billed_on,
                    Order.billing_class,
                    Order.description,
                )
                .join(Customer)
                .where(Order.id.in_(ids))
            )
        )
        heads = _order_heads() if encoded and access_json.available() else None
        for page in _pages(self.order_order()):
            position = {order_id: n for n, order_id in enumerate(page)}
            held = self._held_of(page)
            found: list[tuple[int, Record]] = []
            plain_ids = page
            if heads is not None:
                rows = heads.rows(page)
                found = [(o[0], {"": o[1], "legal_hold": o[0] in held}) for o in rows if o[1]]
                plain_ids = [o[0] for o in rows if o[1] is None]
            for o in query.rows(plain_ids) if plain_ids else ():
                record = {
                    "ref": o[1],
                    "customer_number": o[2],
                    "opened_at": o[3],
                    "completed_at": o[4],
                    "billed_on": o[5],
                    "billing_class": o[6],
                    "description": o[7],
                    "legal_hold": o[0] in held,
                }
                found.append((o[0], record))
            found.sort(key=lambda f: position[f[0]])
            for _order_id, record in found:
                yield record

    def sessions(self, *, encoded: bool = False) -> Iterator[Record]:
        """Sessions by start, each with its deletion per category and everything it captured.
        With `encoded` (the JSON export), the session's own fields come as JSON text (`JsonMembers`
        under the key ""), and activity, chat and consents as JSON texts, made by the database where
        it writes exactly what Python would (`access_json`)."""
        query = ByIds(
            lambda ids: (
                RemoteSession.select(
                    RemoteSession.id,
                    RemoteSession.ref,
                    Order.ref,
                    Staff.name,
                    RemoteSession.started_at,
                    RemoteSession.ended_at,
                    RemoteSession.customer_ip,
                    RemoteSession.workstation,
                    RemoteSession.customer_person,
                    RemoteSession.screen_private,
                    RemoteSession.tool,
                    Order.id,
                    Order.completed_at,
                    Order.billed_on,
                )
                .join(Order)
                .switch(RemoteSession)
                .join(Staff)
                .where(RemoteSession.id.in_(ids))
            )
        )
        in_sql_available = encoded and access_json.available()
        in_sql = {
            key: access_json.CapturedJson(key, self._plain_rows(key)) for key in access_json.COLUMNS if in_sql_available
        }
        heads = _session_heads(in_sql) if in_sql_available else None
        captured_queries = {key: self._captured_query(key) for key in CAPTURED if key not in in_sql}
        participants_query = ByIds(
            lambda ids: (
                Participant.select(Participant.session, Staff.name, Participant.joined_at, Participant.left_at)
                .join(Staff)
                .where(Participant.session.in_(ids))
                .order_by(Participant.session, Participant.joined_at, Participant.id)
            )
        )
        completed_of, billed_of = converter(Order.completed_at), converter(Order.billed_on)
        order_dues_of = OrderDues()
        for page in _pages(self.session_order()):
            # (session id, order id, completed_at, billed_on, the session's own fields), in report order
            fields: list[tuple[int, int, Any, Any, Record]] = []
            captured: dict[str, dict[int, Any]] = {key: {} for key in in_sql}
            if heads is not None:
                position = {session_id: n for n, session_id in enumerate(page)}
                found = sorted(heads.rows(page), key=lambda h: position[h[0]])
                plain_ids = [h[0] for h in found if h[-1] is None]
                for session_id, order_id, completed_at, billed_on, *texts, members in found:
                    for (key, rows_json), text in zip(in_sql.items(), texts, strict=True):
                        captured[key][session_id] = rows_json.array(session_id, text)
                    if members is not None:
                        fields.append(
                            (session_id, order_id, completed_of(completed_at), billed_of(billed_on), {"": members})
                        )
                plain_rows = sorted(query.rows(plain_ids), key=lambda s: (s[4], s[0])) if plain_ids else []
            else:
                plain_rows = sorted(query.rows(page), key=lambda s: (s[4], s[0]))
            for s in plain_rows:
                own = {
                    "ref": s[1],
                    "order_ref": s[2],
                    "technician": s[3],
                    "started_at": s[4],
                    "ended_at": s[5],
                    "customer_ip": s[6],
                    "workstation": s[7],
                    "customer_person": s[8],
                    "screen_private": s[9],
                    "tool": s[10],
                }
                fields.append((s[0], s[11], s[12], s[13], own))
            if heads is not None and plain_rows:
                position = {session_id: n for n, session_id in enumerate(page)}
                fields.sort(key=lambda f: position[f[0]])
            held = self._held_of({f[1] for f in fields})
            dues: dict[int, dict[str, Record]] = {}
            for _session_id, order_id, completed_at, billed_on, _own in fields:
                if order_id not in dues:
                    dues[order_id] = order_dues_of.of(completed_at, billed_on, order_id in held)
            for key, q in captured_queries.items():
                if key == "disclosures" and self._disclosures is not None:  # read whole for the head already
                    captured[key] = self._disclosures
                else:
                    captured[key] = self._captured(key, q, self._asked(key, page))
            participants: dict[int, list[Record]] = defaultdict(list)
            for session_id, name, joined_at, left_at in participants_query.rows(page):
                participants[session_id].append({"name": name, "joined_at": joined_at, "left_at": left_at})
            for session_id, order_id, _completed_at, _billed_on, record in fields:
                record["deletion"] = dues[order_id]
                for key in ("activity", "chat", "consents", "disclosures"):
                    record[key] = captured[key].get(session_id, [])
                record["participants"] = participants.get(session_id, [])
                for key in ("system_info", "gathered_files", "recordings"):
                    record[key] = captured[key].get(session_id, [])
                yield record

    @staticmethod
    def _plain_rows(key: str) -> Callable[[list[int]], dict[int, Record]]:
        """Records of one captured table by row id (for rows the database cannot write as JSON exactly)."""
        model, columns, _at = CAPTURED[key]
        query = ByIds(lambda ids: model.select(model.id, *columns).where(model.id.in_(ids)))
        return lambda ids: {row[0]: dict(zip(_NAMES[key], row[1:], strict=True)) for row in query.chunked(ids)}

    @staticmethod
    def _captured_query(key: str) -> ByIds:
        model, columns, at = CAPTURED[key]
        return ByIds(
            lambda ids: (
                model.select(model.session, *columns)
                .where(model.session.in_(ids))
                .order_by(model.session, at, model.id)
            )
        )

    def _asked(self, key: str, page: list[int]) -> list[int]:
        """The sessions of `page` to read `key`'s table for: all, or those `counts` found rows for."""
        with_rows = self._with_rows.get(key)
        return page if with_rows is None else [session_id for session_id in page if session_id in with_rows]

    @staticmethod
    def _captured(key: str, query: ByIds, session_ids: list[int]) -> dict[int, list[Record]]:
        """What the sessions of one page captured in one table, per session, by time then id."""
        columns = CAPTURED[key][1]
        grouped: dict[int, list[Record]] = defaultdict(list)
        if key not in _JSON_COLUMNS:  # the common case, 200,000 rows for the largest subject: no call per row
            names = _NAMES[key]
            for row in query.rows(session_ids):
                grouped[row[0]].append(dict(zip(names, row[1:], strict=True)))
            return grouped
        for row in query.rows(session_ids):
            grouped[row[0]].append(_records(key, columns, row[1:]))
        return grouped

    def billing_records(self, *, encoded: bool = False) -> Iterator[Record]:
        """Billing records by session day, then ref. With `encoded` (the JSON export), each record's
        fields but its deletion come as JSON text made by the database (`JsonMembers` under "")."""
        ordered = [key[-1] for key in sorted(self._billing_keys)]
        columns: tuple[Any, ...] = (
            BillingRecord.ref,
            BillingRecord.session_ref,
            BillingRecord.session_date,
            BillingRecord.started_at,
            BillingRecord.ended_at,
            BillingRecord.duration_minutes,
            BillingRecord.customer_number,
            BillingRecord.customer_name,
            BillingRecord.workstation_or_employee,
            BillingRecord.billing_class,
            BillingBatch.number,
            BillingRecord.restricted_at,
            BillingRecord.restriction_reason,
        )
        query = ByIds(
            lambda ids: (
                BillingRecord.select(BillingRecord.id, *columns, BillingRecord.due_at)
                .join(BillingBatch, JOIN.LEFT_OUTER)
                .where(BillingRecord.id.in_(ids))
            )
        )
        heads = _billing_heads() if encoded and access_json.available() else None
        # one deletion record per Berlin day, shared (a writer makes its text once); from the raw instant
        scheduled: dict[str, Record] = {}
        after_billing = _due(None, "after_billing")

        def deletion_of(raw_due: Any) -> Record:
            if raw_due is None:
                return after_billing
            day = berlin_day(raw_due)
            record = scheduled.get(day)
            if record is None:
                record = scheduled[day] = {"due_on": day, "status": "scheduled"}
            return record

        names = ["batch" if column is BillingBatch.number else column.name for column in columns]
        for page in _pages(ordered):
            position = {record_id: n for n, record_id in enumerate(page)}
            found: list[tuple[int, Record]] = []
            plain_ids = page
            if heads is not None:
                rows = heads.rows(page)
                found = [(r[0], {"": r[2], "deletion": deletion_of(r[1])}) for r in rows if r[2]]
                plain_ids = [r[0] for r in rows if r[2] is None]
            for b in query.rows(plain_ids) if plain_ids else ():
                record = dict(zip(names, b[1:-1], strict=True))
                record["deletion"] = _due(b[-1], "after_billing")
                found.append((b[0], record))
            found.sort(key=lambda f: position[f[0]])
            for _record_id, record in found:
                yield record

    # -- for the Art. 15(1) information, before the copy is written ------------------------------------

    def disclosures(self) -> list[Record]:
        """Every disclosure made from the subject's sessions, in the order of the sessions, with the session's ref
        (kept by session too: the sessions' pages take theirs from here)."""
        model, columns, _at = CAPTURED["disclosures"]
        rows = ByIds(
            lambda chunk: model.select(model.session, model.id, *columns).where(model.session.in_(chunk))
        ).chunked(self.session_ids)
        position = {session_id: n for n, session_id in enumerate(self.session_order())}
        out = []
        by_session: dict[int, list[Record]] = defaultdict(list)
        for r in sorted(rows, key=lambda r: (position[r[0]], r[-1], r[1])):
            record = _records("disclosures", columns, r[2:])
            by_session[r[0]].append(record)
            out.append(dict(record, session_ref=self._session_refs[r[0]]))
        self._disclosures = by_session
        return out

    def _consent_count(self) -> int:
        if self._consents is None:
            self._counted_consents = self._read_consents()
            self._consents = len(self._counted_consents)
        return self._consents

    def sizes(self) -> int:
        """How many records the copy of the data holds, over all its kinds (for progress)."""
        kinds = (self.customer_ids, self.contact_ids, self.session_ids, self.billing_ids, self.request_ids)
        return sum(map(len, kinds)) + len(self.order_order()) + self._consent_count()

    def counts(self) -> dict[str, int]:
        """Records per category, counted over the indexes (the copy itself is read later, page by page)."""

        def count(model: Any) -> int:
            query = ByIds(lambda ids: model.select(fn.COUNT(model.id)).where(model.session.in_(ids)))
            return sum(row[0] or 0 for row in query.chunked(self.session_ids))

        def count_by_session(key: str, model: Any) -> int:
            """As `count`, remembering which sessions have rows (most have none in these tables)."""
            query = ByIds(
                lambda ids: (
                    model.select(model.session, fn.COUNT(model.id))
                    .where(model.session.in_(ids))
                    .group_by(model.session)
                )
            )
            rows = list(query.chunked(self.session_ids))
            self._with_rows[key] = {row[0] for row in rows}
            return sum(row[1] for row in rows)

        per_session = {
            key: count_by_session(key, model) if key in _SPARSE else count(model)
            for key, (model, _c, _a) in CAPTURED.items()
        }
        return {
            "master": len(self.customer_ids) + len(self.contact_ids),
            "connection": len(self.session_ids),
            "activity": per_session["activity"],
            "chat": per_session["chat"],
            "video": per_session["recordings"],
            "system_info": per_session["system_info"],
            "gathered_files": per_session["gathered_files"],
            "consent": per_session["consents"] + per_session["disclosures"] + self._consent_count(),
            "billing": len(self.billing_ids),
            "access_requests": len(self.request_ids) + 1,
        }


def subject_data(matches: list[Match]) -> dict[str, list[Record]]:
    """The whole copy at once, for callers that want lists (tests, small reports); the export streams instead."""
    data = SubjectData(matches)
    return {
        "customers": data.customers(),
        "contacts": data.contacts(),
        "orders": list(data.orders()),
        "sessions": list(data.sessions()),
        "consents": data.consents(),
        "billing_records": list(data.billing_records()),
        "access_requests": data.access_requests(),
    }


def request_record(request: AccessRequest) -> Record:
    """The request itself as the report shows it (it is the subject's data too)."""
    extra = json.loads(request.identifiers) if request.identifiers else {"workstations": [], "ips": []}
    return {
        "ref": request.ref,
        "name": request.name,
        "email": request.email,
        "address": request.address,
        "customer_number": request.customer.number if request.customer_id else None,
        "workstations": extra.get("workstations", []),
        "ips": extra.get("ips", []),
        "received_on": request.received_on,
        "channel": request.channel,
        "due_on": request.due_on,
        "extended_due_on": request.extended_due_on,
        "extension_reason": request.extension_reason,
        "extension_notified_on": request.extension_notified_on,
        "verified_at": request.verified_at,
        "verification_method": request.verification_method,
        "deletion": _due(request.due_at, "after_closing"),
    }
