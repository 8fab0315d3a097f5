"""The medium and large demo: twelve years of a busy desk written in bulk (issue 7).

Orders are generated in time order, each with its sessions, consents, participants,
capture, billing records and per-category due dates, all computed with models/retention/policy.py
and models/retention/due.py so every row is what the domain functions would have
written. The story is the day the console goes live over an imported history: nothing has
been purged yet, so older orders still carry connection data and some activity, waiting
for the first purge; orders of the last three months carry the full activity and chat.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from functools import cache, lru_cache
from pathlib import Path

from peewee import fn

from console.demo import bulk_parts as parts
from console.demo import common, names
from console.demo.bulk_writer import BulkWriter, storage_converters
from console.demo.small import DemoWorld
from models.core import clock
from models.core.db import database, is_postgres
from models.core.entities import (
    AccessRequest,
    ActivityEvent,
    AuditEvent,
    BillingBatch,
    BillingRecord,
    ChatMessage,
    Consent,
    ConsentWording,
    ContactPerson,
    Customer,
    Disclosure,
    Order,
    Participant,
    RemoteSession,
    RetentionDue,
    RetentionStale,
    SchemaMeta,
    Staff,
)
from models.core.i18n import _, format_number
from models.core.text import fold as _fold
from models.retention import due as retention_due
from models.retention import policy

UTC = timezone.utc
MODELS = [
    Staff,
    Customer,
    ContactPerson,
    ConsentWording,
    AccessRequest,
    BillingBatch,
    Order,
    RemoteSession,
    Consent,
    Participant,
    Disclosure,
    ActivityEvent,
    ChatMessage,
    BillingRecord,
    RetentionDue,
    AuditEvent,
]
COLUMNS: dict[type, tuple[str, ...]] = {
    Staff: ("id", "username", "name", "roles", "commitment_signed_on", "secrecy_commitment_on", "active", "created_at"),
    Customer: ("id", "number", "name", "name_key", "email", "address", "professional_secrecy", "created_at"),
    ContactPerson: ("id", "customer", "name", "name_key", "email", "phone", "created_at"),
    ConsentWording: ("id", "kind", "version", "language", "text", "created_at"),
    AccessRequest: parts.ACCESS_COLUMNS,
    BillingBatch: (
        "id",
        "number",
        "created_at",
        "created_by",
        "record_count",
        "sha256",
        "acknowledged_at",
        "billed_on",
    ),
    Order: (
        "id",
        "ref",
        "customer",
        "opened_at",
        "completed_at",
        "billed_on",
        "billing_class",
        "description",
        "gathered_due_at",
        "records_due_at",
        "created_at",
    ),
    RemoteSession: (
        "id",
        "ref",
        "order",
        "technician",
        "started_at",
        "ended_at",
        "customer_ip",
        "workstation",
        "workstation_key",
        "customer_person",
        "customer_person_key",
        "screen_private",
        "tool",
        "external_id",
        "created_at",
    ),
    Consent: (
        "id",
        "ref",
        "session",
        "kind",
        "given_by",
        "given_by_key",
        "method",
        "granted",
        "at",
        "recorded_by",
        "wording",
        "created_at",
    ),
    Participant: ("id", "session", "staff", "joined_at", "left_at", "consent"),
    Disclosure: (
        "id",
        "ref",
        "session",
        "recipient",
        "categories",
        "scope",
        "basis",
        "consent",
        "customer_informed_at",
        "at",
        "recorded_by",
        "created_at",
    ),
    ActivityEvent: ("id", "session", "at", "action", "detail", "file_name", "direction", "file_size", "file_sha256"),
    ChatMessage: ("id", "session", "at", "sender", "text"),
    BillingRecord: (
        "id",
        "ref",
        "order",
        "session",
        "session_ref",
        "session_date",
        "started_at",
        "ended_at",
        "duration_minutes",
        "customer_number",
        "customer_name",
        "customer_name_key",
        "workstation_or_employee",
        "workstation_or_employee_key",
        "billing_class",
        "batch",
        "due_at",
        "created_at",
    ),
    RetentionDue: ("id", "category", "order", "due_at", "completed_at", "billed_on", "policy_version"),
    AuditEvent: ("id", "at", "actor", "action", "ref", "detail", "prev_hash", "hash"),
}
SAMPLE_SHARE = 0.05  # the first 5 % of orders (with everything before them) are timed against raw sqlite3
UNACKNOWLEDGED_DAYS = 21  # orders completed more recently are not billed yet (outbox)
Progress = Callable[[str], None]
fold = lru_cache(maxsize=65_536)(_fold)  # names and workstations repeat: fold each once


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


@cache
def _berlin_day(hour_stamp: datetime) -> date:
    return clock.berlin_date(hour_stamp.replace(tzinfo=UTC))


def berlin_day(moment: datetime) -> date:
    """Berlin calendar date of a naive-UTC instant (cached per hour: offsets change on the hour)."""
    return _berlin_day(moment.replace(minute=0, second=0, microsecond=0))


def _records_dues(billed_on: date | None) -> dict[str, datetime | None]:
    """The billing-date anchored dues of one billing day (months on the Berlin calendar, computed once per day)."""
    return _records_dues_of(policy.active().version, billed_on)


@cache
def _records_dues_of(version: str, billed_on: date | None) -> dict[str, datetime | None]:
    p = policy.active()
    reference = datetime(2000, 1, 1, tzinfo=UTC)
    dues = retention_due.order_dues(reference, billed_on, p)
    return {
        c: (None if d is None else _naive(d))
        for c, d in dues.items()
        if p.rule(c).anchor != "order_completed" and c != "connection"
    }


def _billing_due(session_day: date) -> datetime:
    return _billing_due_of(policy.active().version, session_day)


@cache
def _billing_due_of(version: str, session_day: date) -> datetime:  # cached per policy version and day
    return _naive(policy.billing_due(session_day))


class Generator:
    """Holds the state of one bulk run; `run()` writes everything and returns the report."""

    def __init__(
        self,
        spec: common.Scale,
        rng: random.Random,
        now: datetime,
        progress: Progress | None,
        flush_rows: int | None = None,
    ) -> None:
        self.spec, self.rng, self.say = spec, rng, progress or (lambda _m: None)
        self.now = _naive(now)
        self.captured: set[str] = set()
        self.today = clock.berlin_date(now)
        self.start = self.now - timedelta(days=int(365.25 * spec.years))
        self.ts, self.day = storage_converters()
        self.writer = BulkWriter(MODELS, COLUMNS, flush_rows)
        self.chain = parts.AuditChain(self.writer, self.ts)
        self.refs = parts.Refs()
        self.policy = policy.active()
        self.ids = {model: parts.next_id(model) for model in MODELS if model is not AuditEvent}
        self.batches: dict[date, int] = {}
        self.batch_number = BillingBatch.select(BillingBatch.number).order_by(BillingBatch.number.desc()).scalar() or 0

    def take_id(self, model: type) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    # -- orders ---------------------------------------------------------------------------------

    def run(self) -> dict[str, object]:
        began = time.perf_counter()
        spec, rng = self.spec, self.rng
        self.say(
            _("staff, {customers} customers, {requests} access requests").format(
                customers=format_number(spec.customers), requests=format_number(spec.access_requests)
            )
        )
        self.people = parts.make_people(
            self.writer, self.chain, rng, self.start, spec.technicians, spec.customers, self.ts, self.day
        )
        parts.access_requests(
            self.writer,
            self.chain,
            rng,
            self.refs,
            self.people,
            self.start,
            self.now,
            spec.access_requests,
            self.ts,
            self.day,
        )
        end = self.now - timedelta(days=3)  # the near-now situations come from the domain scenario afterwards
        opened_times = common.spread(rng, spec.orders, self.start, end)
        window_start = self.now - timedelta(days=90)  # billed within three months: not due yet
        window = sum(1 for t in opened_times if t >= window_start)
        sessions_per_order = 1.1
        self.activity_mean = spec.window_activity / max(1, window * sessions_per_order)
        self.chat_mean = spec.window_chat / max(1, window * sessions_per_order * 0.4)
        per_order_events = 7.4 + 0.35  # open, start, activity, end, complete, billing.create, chat; consents
        self.audit_from = max(0, spec.orders - int(spec.audit_events / per_order_events * 1.15))
        sample_until = int(spec.orders * SAMPLE_SHARE)
        sample_seconds_began = time.perf_counter()
        self.sample_wall = 0.0
        for index, opened in enumerate(opened_times):
            opened = opened.replace(microsecond=0)
            self.chain.release_until(opened)
            self.order(index, opened, opened >= window_start)
            self.writer.maybe_flush()
            if index == sample_until:
                self.writer.stop_sampling()
                self.sample_wall = time.perf_counter() - sample_seconds_began
            if index and index % 50_000 == 0:
                self.say(
                    _("{orders} orders, {rows} rows").format(
                        orders=format_number(index), rows=format_number(sum(self.writer.counts.values()))
                    )
                )
        self.chain.release_until(None)
        self.writer.flush()
        self.finish()
        seconds = time.perf_counter() - began
        return self.report(seconds)

    def order(self, index: int, opened: datetime, in_window: bool) -> None:
        rng, people, add = self.rng, self.people, self.writer.add
        customer_id, number, customer_name, customer_key = people.customer(rng)
        order_id = self.take_id(Order)
        billing_class = common.weighted(rng, names.BILLING_CLASS_WEIGHTS)
        ref = self.refs.next("A", berlin_day(opened).year)
        audited = index >= self.audit_from
        tech_id, tech, _signed = people.technician(rng, berlin_day(opened))
        start = opened + timedelta(minutes=rng.randint(5, 90))
        sessions: list[tuple[int, str, datetime, datetime, str | None, str]] = []
        self.captured = {"connection"}  # what this order's sessions hold: its retention_due rows
        for _second in range(2 if rng.random() < 0.1 else 1):
            minutes = rng.randint(8, 95)
            end = start + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            sessions.append(self.session(order_id, customer_id, start, end, tech_id, tech, in_window, audited))
            start = end + timedelta(hours=rng.randint(1, 30))
        completed = sessions[-1][3] + timedelta(minutes=rng.randint(2, 120))
        billed_on, batch_id = self.billing_day(completed)
        gathered_due = _naive(policy.order_gathered_due(completed.replace(tzinfo=UTC), self.policy))
        dues = _records_dues(billed_on)
        records_due = None if billed_on is None else min(d for d in dues.values() if d is not None)
        add(
            Order,
            (
                order_id,
                ref,
                customer_id,
                self.ts(opened),
                self.ts(completed),
                self.day(billed_on),
                billing_class,
                rng.choice(names.ORDER_DESCRIPTIONS),
                self.ts(gathered_due),
                self.ts(records_due),
                self.ts(opened),
            ),
        )
        self.retention_rows(order_id, completed, billed_on, dues)
        for session_id, session_ref, started, ended, workstation, person in sessions:
            self.billing_record(
                order_id,
                session_id,
                session_ref,
                started,
                ended,
                number,
                customer_name,
                customer_key,
                workstation or person,
                billing_class,
                batch_id,
                completed,
            )
            if audited:
                self.chain.push(completed, tech, "billing.create", session_ref)
        if audited:
            self.chain.push(opened, tech, "order.open", ref)
            self.chain.push(completed, tech, "order.complete", ref)

    def session(
        self,
        order_id: int,
        customer_id: int,
        start: datetime,
        end: datetime,
        tech_id: int,
        tech: str,
        in_window: bool,
        audited: bool,
    ) -> tuple[int, str, datetime, datetime, str | None, str]:
        rng, add, ts = self.rng, self.writer.add, self.ts
        session_id = self.take_id(RemoteSession)
        ref = self.refs.next("S", berlin_day(start).year)
        person = rng.choice(self.people.contacts[customer_id])
        workstation = f"{rng.choice(names.WORKSTATIONS)}" if rng.random() < 0.85 else None
        private = rng.random() >= 0.25
        tool = rng.choice(names.TOOLS)
        add(
            RemoteSession,
            (
                session_id,
                ref,
                order_id,
                tech_id,
                ts(start),
                ts(end),
                common.customer_ip(rng),
                workstation,
                fold(workstation) or None,
                person,
                fold(person),
                private,
                tool,
                f"{tool}-{session_id}",
                ts(start),
            ),
        )
        if not private:
            self.consent(session_id, "screen_visibility", person, start - timedelta(minutes=1), tech_id, tech, audited)
        if rng.random() < 0.03:
            self.consent(session_id, "recording", person, start + timedelta(seconds=30), tech_id, tech, audited)
        if rng.random() < 0.04:
            self.participant(session_id, person, start, end, tech_id, tech, audited)
        if rng.random() < 0.01:
            self.disclosure(session_id, person, start, end, tech_id, tech, audited)
        activity = self.activity_mean if in_window else self.spec.backlog_activity_per_order
        self.activity(
            session_id,
            start,
            end,
            max(1, int(rng.expovariate(1 / activity) + 0.5)) if activity >= 1 else int(rng.random() < activity),
        )
        if in_window and rng.random() < 0.4:
            self.chat(session_id, start, end, max(2, int(rng.expovariate(1 / self.chat_mean) + 0.5)))
            if audited:
                self.chain.push(end, tech, "chat.add", ref)
        if audited:
            self.chain.push(start, tech, "session.start", ref)
            self.chain.push(end, tech, "activity.add", ref)
            self.chain.push(end, tech, "session.end", ref)
        return session_id, ref, start, end, workstation, person

    def consent(
        self, session_id: int, kind: str, person: str, at: datetime, tech_id: int, tech: str, audited: bool
    ) -> int:
        consent_id = self.take_id(Consent)
        ref = self.refs.next("C", berlin_day(at).year)
        self.writer.add(
            Consent,
            (
                consent_id,
                ref,
                session_id,
                kind,
                person,
                fold(person),
                self.rng.choice(("verbal", "chat", "phone")),
                True,
                self.ts(at),
                tech_id,
                self.people.wordings[kind],
                self.ts(at),
            ),
        )
        if audited:
            self.chain.push(at, tech, "consent.record", ref, f"{kind} granted=True")
        return consent_id

    def participant(
        self, session_id: int, person: str, start: datetime, end: datetime, tech_id: int, tech: str, audited: bool
    ) -> None:
        join = start + (end - start) / 3
        consent_id = self.consent(
            session_id, "additional_staff", person, join - timedelta(minutes=1), tech_id, tech, audited
        )
        other_id, other, _signed = self.people.technician(self.rng, berlin_day(join))
        if other_id == tech_id:
            other_id, other, _signed = (
                self.people.technicians[0] if self.people.technicians[0][0] != tech_id else self.people.technicians[1]
            )
        self.writer.add(
            Participant, (self.take_id(Participant), session_id, other_id, self.ts(join), self.ts(end), consent_id)
        )
        if audited:
            self.chain.push(join, tech, "participant.add", None, other)

    def disclosure(
        self, session_id: int, person: str, start: datetime, end: datetime, tech_id: int, tech: str, audited: bool
    ) -> None:
        at = start + (end - start) / 2
        consent_id = self.consent(session_id, "disclosure", person, at - timedelta(minutes=2), tech_id, tech, audited)
        ref = self.refs.next("D", berlin_day(at).year)
        self.writer.add(
            Disclosure,
            (
                self.take_id(Disclosure),
                ref,
                session_id,
                self.rng.choice(names.RECIPIENTS),
                '["system_info"]',
                "Fehlerprotokoll und Programmliste",
                "consent",
                consent_id,
                self.ts(at - timedelta(minutes=2)),
                self.ts(at),
                tech_id,
                self.ts(at),
            ),
        )
        if audited:
            self.chain.push(at, tech, "disclosure.record", ref)

    def activity(self, session_id: int, start: datetime, end: datetime, count: int) -> None:
        if count <= 0:
            return
        self.captured.add("activity")
        rng, add, ts = self.rng, self.writer.add, self.ts
        step = (end - start) / (count + 1)
        ids = self.ids
        for n in range(count):
            at = start + step * (n + 1)
            event_id = ids[ActivityEvent]
            ids[ActivityEvent] = event_id + 1
            if rng.random() < 0.08:
                add(
                    ActivityEvent,
                    (
                        event_id,
                        session_id,
                        ts(at),
                        "file_transfer",
                        "Datei übertragen",
                        rng.choice(names.TRANSFER_FILES),
                        rng.choice(("upload", "download")),
                        rng.randint(2_000, 40_000_000),
                        f"{rng.getrandbits(256):064x}",
                    ),
                )
            else:
                add(
                    ActivityEvent,
                    (
                        event_id,
                        session_id,
                        ts(at),
                        rng.choice(names.ACTIVITY_ACTIONS),
                        rng.choice(names.ACTIVITY_DETAILS),
                        None,
                        None,
                        None,
                        None,
                    ),
                )

    def chat(self, session_id: int, start: datetime, end: datetime, count: int) -> None:
        self.captured.add("chat")
        rng, add, ts = self.rng, self.writer.add, self.ts
        step = (end - start) / (count + 1)
        ids = self.ids
        for n in range(count):
            message_id = ids[ChatMessage]
            ids[ChatMessage] = message_id + 1
            customer = n % 2 == 1
            text = rng.choice(names.CHAT_CUSTOMER if customer else names.CHAT_TECHNICIAN)
            add(
                ChatMessage,
                (message_id, session_id, ts(start + step * (n + 1)), "customer" if customer else "technician", text),
            )

    # -- billing and retention ------------------------------------------------------------------

    def billing_day(self, completed: datetime) -> tuple[date | None, int | None]:
        """Weekly batches: exported on the Monday after completion, acknowledged (billed) that Wednesday."""
        if completed > self.now - timedelta(days=UNACKNOWLEDGED_DAYS):
            return None, None
        ready = berlin_day(completed) + timedelta(days=1 + self.rng.randint(0, 6))
        monday = ready + timedelta(days=(7 - ready.weekday()) % 7)
        wednesday = monday + timedelta(days=2)
        if wednesday > self.today:
            return None, None
        batch_id = self.batches.get(wednesday)
        if batch_id is None:
            batch_id = self.take_id(BillingBatch)
            self.batch_number += 1
            created = datetime(monday.year, monday.month, monday.day, 7, 0)
            acknowledged = datetime(wednesday.year, wednesday.month, wednesday.day, 9, 0)
            self.writer.add(
                BillingBatch,
                (
                    batch_id,
                    self.batch_number,
                    self.ts(created),
                    self.people.accountant,
                    0,
                    "0" * 64,
                    self.ts(acknowledged),
                    self.day(wednesday),
                ),
            )
            self.batches[wednesday] = batch_id
            if created >= self.now - (self.now - self.start) * 0.4:
                self.chain.push(created, self.people.accountant, "billing.export", str(self.batch_number))
                self.chain.push(acknowledged, self.people.accountant, "billing.ack", str(self.batch_number))
        return wednesday, batch_id

    def retention_rows(
        self, order_id: int, completed: datetime, billed_on: date | None, dues: dict[str, datetime | None]
    ) -> None:
        """The per-category due dates exactly as retention_due.order_dues gives them."""
        add, ts, version = self.writer.add, self.ts, retention_due.fingerprint(self.policy)
        aware = completed.replace(tzinfo=UTC)
        values: dict[str, datetime | None] = {}
        for category in retention_due.SESSION_CATEGORIES:
            if category == "connection":
                continue
            rule = self.policy.rule(category)
            values[category] = _naive(rule.due_from(aware)) if rule.anchor == "order_completed" else dues[category]
        others = list(values.values())
        values["connection"] = None if any(d is None for d in others) else max(d for d in others if d is not None)
        for category in retention_due.SESSION_CATEGORIES:
            if category not in self.captured:
                continue  # as retention_due writes them: only categories the order has data of
            add(
                RetentionDue,
                (
                    self.take_id(RetentionDue),
                    category,
                    order_id,
                    ts(values[category]),
                    ts(completed),
                    self.day(billed_on),
                    version,
                ),
            )

    def billing_record(
        self,
        order_id: int,
        session_id: int,
        session_ref: str,
        started: datetime,
        ended: datetime,
        number: str,
        name: str,
        name_key: str,
        who: str | None,
        billing_class: str,
        batch_id: int | None,
        completed: datetime,
    ) -> None:
        session_day = berlin_day(started)
        minutes = max(0, round((ended - started).total_seconds() / 60))
        self.writer.add(
            BillingRecord,
            (
                self.take_id(BillingRecord),
                self.refs.next("B", session_day.year),
                order_id,
                session_id,
                session_ref,
                self.day(session_day),
                self.ts(started),
                self.ts(ended),
                minutes,
                number,
                name,
                name_key,
                who,
                fold(who) or None,
                billing_class,
                batch_id,
                self.ts(_billing_due(session_day)),
                self.ts(completed),
            ),
        )

    # -- closing --------------------------------------------------------------------------------

    def finish(self) -> None:
        """Counters, chain head, batch counts and checksums, policy version and PG sequences."""
        self.say(_("batch checksums, counters"))
        with database.atomic():
            self.refs.store()
            self.chain.store_head()
            counts = (
                BillingRecord.select(BillingRecord.batch, fn.COUNT(BillingRecord.id))
                .where(BillingRecord.batch.is_null(False))
                .group_by(BillingRecord.batch)
                .tuples()
            )
            for batch_id, count in counts:
                BillingBatch.update(record_count=count).where(BillingBatch.id == batch_id).execute()
            for batch in BillingBatch.select().where(BillingBatch.sha256 == "0" * 64).iterator():
                BillingBatch.update(sha256=common.batch_sha256(batch)).where(BillingBatch.id == batch.id).execute()
            mark = retention_due.fingerprint(self.policy)  # what retention_due.sync() compares: nothing to redo
            # The bulk rows were written with their due dates; only orders they do not match stay marked.
            RetentionStale.delete().execute()
            retention_due.mark_stale(self.policy)
            SchemaMeta.insert(key=retention_due.VERSION_KEY, value=mark).on_conflict(
                conflict_target=[SchemaMeta.key], update={SchemaMeta.value: mark}
            ).execute()
            if is_postgres():
                for model in MODELS:
                    if model is AuditEvent:
                        continue
                    table = model._meta.table_name
                    database.execute_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
                    )
        if not is_postgres():
            database.execute_sql("PRAGMA optimize")

    def report(self, seconds: float) -> dict[str, object]:
        writer = self.writer
        rows = sum(writer.counts.values())
        raw = writer.raw_baseline()
        sample = writer.sample_rows()
        writer.release_sample()
        rates: dict[str, object] = {
            "app_rows_per_s": rows / seconds if seconds else 0.0,
            "app_insert_rows_per_s": rows / writer.insert_seconds if writer.insert_seconds else 0.0,
            "sample_rows": sample,
            "sample_app_rows_per_s": sample / self.sample_wall if self.sample_wall else None,
            "sample_insert_rows_per_s": sample / writer.sample_seconds if writer.sample_seconds else None,
            "raw_rows_per_s": (sample / raw) if raw else None,
        }
        return {
            "rows": rows,
            "seconds": round(seconds, 2),
            "tables": dict(writer.counts),
            "rates": rates,
            "audit_events": self.chain.count,
        }


def generate(
    spec: common.Scale,
    rng: random.Random,
    now: datetime,
    progress: Progress | None = None,
    flush_rows: int | None = None,
) -> dict[str, object]:
    """Write the bulk history of `spec`; returns rows, seconds and rows/s next to raw sqlite3.

    `flush_rows` (default bulk_writer.FLUSH_ROWS) bounds the rows of one transaction: smaller on a
    database others use, so that their writes never wait long behind a flush."""
    if not is_postgres():
        database.execute_sql("PRAGMA cache_size=-262144")  # 256 MB page cache while the indexes grow
    try:
        return Generator(spec, rng, now, progress, flush_rows).run()
    finally:
        if not is_postgres():
            database.execute_sql("PRAGMA cache_size=-32000")


def world_for_scenario(rng: random.Random, now: datetime, data_dir: Path, me: Staff) -> DemoWorld:
    """A DemoWorld over the bulk data, so the near-now scenario can run through the domain on top."""
    world = DemoWorld(rng=rng, now=now, data_dir=data_dir, me=me)
    technicians = (
        Staff.select()
        .where(
            Staff.roles.contains("technician")
            & Staff.active
            & Staff.commitment_signed_on.is_null(False)
            & (Staff.id != me.id)
        )
        .order_by(Staff.commitment_signed_on, Staff.id)
    )
    world.technicians = list(technicians)
    world.accountant = Staff.select().where(Staff.roles == "accounting").order_by(Staff.id).first() or me
    world.officer = Staff.select().where(Staff.roles == "privacy_officer").order_by(Staff.id).first() or me
    world.customers = list(Customer.select().order_by(Customer.id).limit(60))
    for customer in world.customers:
        world.contacts[customer.number] = [
            c.name
            for c in ContactPerson.select(ContactPerson.name)
            .where(ContactPerson.customer == customer)
            .order_by(ContactPerson.id)
        ]
    world.session_count = RemoteSession.select().count()
    return world
