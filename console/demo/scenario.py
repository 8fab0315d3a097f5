"""The situations around "now" that make every queue and screen of the demo show something.

Running sessions, P7 material due tomorrow, P8 records due and overdue, blocked unbilled
orders, a legal hold, access requests close to their deadlines, the billing outbox and
acknowledged batches. Written through the domain functions of models/ where they exist.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from console.demo import common, names
from console.demo.small import DemoWorld, history_order, run_session
from models.access import deadlines
from models.access import requests as access
from models.core import audit, clock
from models.core.entities import AccessRequest, BillingBatch, BillingRecord, LegalHold, Order
from models.core.refs import next_ref
from models.core.text import fold
from models.retention import policy
from models.sessions import orders, sessions
from models.sessions.sessions import ConsentInput


def build(world: DemoWorld, recent_orders: int = 36) -> None:
    """All near-now situations, then the billing batches for whatever got billed."""
    recent(world, recent_orders)
    for situation in (
        running_sessions,
        gathered_due_soon,
        records_due_around_today,
        blocked_unbilled,
        outbox_and_batches,
        access_requests,
    ):
        with world.step():
            situation(world)


def recent(world: DemoWorld, count: int) -> None:
    """Orders of the last four months: inside the P8 window, with chat and activity."""
    start = world.now - timedelta(days=118)
    end = world.now - timedelta(days=4)
    for opened in common.spread(world.rng, count, start, end, growth=1.0):
        opened = common.office_hours(opened, world.rng)  # the last three weeks are not acknowledged yet
        with world.step():
            history_order(world, opened, detail=True, bill=opened < world.now - timedelta(days=21))


def _open(world: DemoWorld, opened: datetime, customer_index: int | None = None) -> tuple[str, object]:
    rng = world.rng
    customer = world.customers[customer_index] if customer_index is not None else rng.choice(world.customers)
    order = orders.open_order(
        world.me,
        customer.number,
        billing_class=common.weighted(rng, names.BILLING_CLASS_WEIGHTS),
        opened_at=opened,
        description=rng.choice(names.ORDER_DESCRIPTIONS),
    )
    return order.ref, customer


def running_sessions(world: DemoWorld) -> None:
    """Three sessions running right now: one plain, one with others watching and a colleague, one hostile chat."""
    now = world.now
    for index, (minutes_ago, private, participant, hostile) in enumerate(
        ((47, True, False, False), (22, False, True, False), (6, True, False, True))
    ):
        ref, customer = _open(world, now - timedelta(minutes=minutes_ago + 15), customer_index=index)
        run_session(
            world,
            ref,
            customer,
            now - timedelta(minutes=minutes_ago),
            minutes=None,
            screen_private=private,
            chat=12 if hostile else 3,
            activity=3,
            participant=participant,
            hostile=hostile,
        )


def gathered_due_soon(world: DemoWorld) -> None:
    """Orders completed 1-3 days ago with system information and gathered files (P7: due 48 h after)."""
    rng, now = world.rng, world.now
    for hours_ago in (26, 30, 47, 75):  # due tomorrow, tomorrow, within the hour, overdue since yesterday
        completed = now - timedelta(hours=hours_ago)
        ref, customer = _open(world, completed - timedelta(hours=3))
        session_ref = run_session(
            world, ref, customer, completed - timedelta(hours=2, minutes=30), minutes=80, chat=4, activity=6
        )
        tech = world.technicians[1]
        at = completed - timedelta(hours=2)
        sessions.add_system_info(
            tech,
            session_ref,
            {
                "os": rng.choice(names.OS_NAMES),
                "hostname": rng.choice(names.WORKSTATIONS),
                "programs": rng.sample(names.PROGRAMS, 4),
                "drivers": ["Brother HL-L2350DW 4.1", "Realtek PCIe GbE"],
                "licence": {"product": "Microsoft 365 Business Standard", "key_suffix": "7QX9P"},
                "devices": ["Brother HL-L2350DW", "Logitech C920"],
                "network": {
                    "gateway": "192.168.178.1",
                    "neighbours": ["192.168.178.20 (NAS)", "192.168.178.31 (Drucker)"],
                },
            },
            at=at,
        )
        for number, kind in enumerate(("screenshot", "file")):
            stem = "bildschirmfoto" if kind == "screenshot" else "fehlerprotokoll"
            rel = f"gathered/{session_ref}/{stem}-{number + 1}.bin"
            size, digest = common.write_demo_file(world.data_dir, rel, rng, rng.randint(1_000, 6_000))
            sessions.add_gathered_file(
                tech, session_ref, rel, kind=kind, at=at + timedelta(minutes=5 + number), size=size, sha256=digest
            )
        if hours_ago == 30:  # a recording, with the customer's consent
            sessions.record_consent(
                tech,
                session_ref,
                ConsentInput("recording", customer.name, "verbal", True, at=completed - timedelta(hours=2, minutes=29)),
            )
            rel = f"recordings/{session_ref}.mp4"
            size, digest = common.write_demo_file(world.data_dir, rel, rng, 8_192)
            sessions.add_recording(
                tech,
                session_ref,
                rel,
                started_at=completed - timedelta(hours=2, minutes=28),
                ended_at=completed - timedelta(hours=1, minutes=15),
                size=size,
                sha256=digest,
            )
        if hours_ago == 47:  # disclosures on both bases, one consent refused and then corrected
            refused = sessions.record_consent(
                tech,
                session_ref,
                ConsentInput("disclosure", customer.name, "phone", False, at=at - timedelta(minutes=20)),
            )
            sessions.record_consent(
                tech,
                session_ref,
                ConsentInput(
                    "disclosure",
                    customer.name,
                    "email",
                    True,
                    at=at - timedelta(minutes=10),
                    corrects=refused.ref,
                    note="Kunde hat nach Rückfrage per E-Mail zugestimmt",
                ),
            )
            sessions.record_disclosure(
                tech,
                session_ref,
                recipient=names.RECIPIENTS[0],
                categories=["system_info"],
                scope="Fehlerprotokoll und Programmliste",
                basis="consent",
                customer_informed_at=at - timedelta(minutes=10),
                at=at,
            )
            sessions.record_disclosure(
                tech,
                session_ref,
                recipient=names.RECIPIENTS[1],
                categories=["activity"],
                scope="Seriennummer des Druckers",
                basis="job",
                customer_informed_at=at,
                at=at + timedelta(minutes=2),
            )
        orders.complete_order(world.me, ref, completed_at=completed)


def records_due_around_today(world: DemoWorld) -> None:
    """Orders billed about three months ago: P8 records overdue, due today or in the next days; one held."""
    rng, today = world.rng, world.today
    base = today - relativedelta(months=3)
    for offset in (-20, -6, -1, 0, 1, 3, 8):
        billed = base + timedelta(days=offset)
        completed = clock.berlin_midnight_utc(billed) - timedelta(days=rng.randint(2, 6), hours=-9)
        ref, customer = _open(world, completed - timedelta(hours=4))
        run_session(world, ref, customer, completed - timedelta(hours=3), minutes=70, chat=4, activity=5)
        orders.complete_order(world.me, ref, completed_at=completed)
        assert world.accountant is not None
        orders.mark_billed(world.accountant, ref, billed)
        if offset == -20:  # a billing dispute stops the clock (P8)
            place_hold(world, ref, "Kunde bestreitet die Rechnung vom " + billed.strftime("%d.%m.%Y"))


def place_hold(world: DemoWorld, order_ref: str, reason: str) -> None:
    """A legal hold through the retention helper's function if present, else the row and its audit event."""
    assert world.officer is not None
    try:
        from models.retention import holds

        place = getattr(holds, "place_hold", None)
        if callable(place):
            place(world.officer, order_ref, reason)
            return
    except ImportError:
        pass
    order = Order.get(Order.ref == order_ref)
    LegalHold.create(
        order=order, reason=reason, placed_at=world.now - timedelta(days=3), placed_by=world.officer.username
    )
    audit.record(world.officer.username, "hold.place", order_ref)


def blocked_unbilled(world: DemoWorld) -> None:
    """Completed but never billed for longer than the policy's warning period: flagged as blocked."""
    for days in (52, 75, 130):
        completed = world.now - timedelta(days=days, hours=3)
        ref, customer = _open(world, completed - timedelta(hours=5))
        run_session(world, ref, customer, completed - timedelta(hours=4), minutes=55, activity=4, chat=2)
        orders.complete_order(world.me, ref, completed_at=completed)


def outbox_and_batches(world: DemoWorld) -> None:
    """Billed orders' records go into acknowledged weekly batches; recent unbilled ones wait in the outbox,
    and one batch is exported but not yet acknowledged."""
    assert world.accountant is not None
    who = world.accountant.username
    unbatched = BillingRecord.batch.is_null()
    billed_days = [
        row.billed_on
        for row in Order.select(Order.billed_on)
        .join(BillingRecord)
        .where(Order.billed_on.is_null(False) & unbatched)
        .distinct()
        .order_by(Order.billed_on)
    ]
    last = BillingBatch.select(BillingBatch.number).order_by(BillingBatch.number.desc()).first()
    number = last.number if last else 0
    for day in billed_days:
        number += 1
        records = list(BillingRecord.select(BillingRecord.id).join(Order).where((Order.billed_on == day) & unbatched))
        _batch(
            world,
            number,
            [r.id for r in records],
            who,
            created=clock.berlin_midnight_utc(day) - timedelta(days=2) + timedelta(hours=8),
            billed_on=day,
        )
    # Orders completed 5-20 days ago: exported four days ago, not acknowledged yet.
    lo, hi = world.now - timedelta(days=20), world.now - timedelta(days=5)
    pending = (
        BillingRecord.select(BillingRecord.id)
        .join(Order)
        .where(Order.billed_on.is_null() & unbatched & (Order.completed_at >= lo) & (Order.completed_at < hi))
    )
    pending = list(pending)
    ids = [r.id for r in pending]
    if ids:
        number += 1
        _batch(world, number, ids, who, created=world.now - timedelta(days=4), billed_on=None)


def _batch(
    world: DemoWorld, number: int, ids: list[int], who: str, *, created: datetime, billed_on: date | None
) -> None:
    if not ids:
        return
    acknowledged = None if billed_on is None else clock.berlin_midnight_utc(billed_on) + timedelta(hours=10)
    batch = BillingBatch.create(
        number=number,
        created_at=created,
        created_by=who,
        record_count=len(ids),
        sha256="0" * 64,
        acknowledged_at=acknowledged,
        billed_on=billed_on,
    )
    BillingRecord.update(batch=batch).where(BillingRecord.id.in_(ids)).execute()
    batch.sha256 = common.batch_sha256(batch)
    batch.save()
    audit.record(who, "billing.export", str(number), f"records={len(ids)}")  # as models.billing names them
    if billed_on is not None:
        audit.record(who, "billing.ack", str(number), f"billed_on={billed_on.isoformat()}")


ACCESS_STEPS = ("received", "verified", "compiled", "reviewed", "delivered")
ACCESS_ACTIONS = ("access.open", "access.verify", "access.compile", "access.export", "access.deliver")
ACCESS_PLAN = (
    # (days since receipt, state, extended)
    (2, "received", False),
    (12, "verified", False),
    (20, "compiled", False),
    (27, "reviewed", False),
    (37, "compiled", False),  # past its deadline: the deadlines screen must show it red
    (40, "verified", True),  # extended by two months, requester told within the first month
    (75, "delivered", False),
    (50, "rejected", False),
)


def access_requests(world: DemoWorld) -> None:
    """Access requests (P12) in every state, most of them close to their one-month deadline."""
    assert world.officer is not None
    rng, officer = world.rng, world.officer.username
    for days, state, extended in ACCESS_PLAN:
        received = world.today - timedelta(days=days)
        customer = rng.choice(world.customers)
        name = rng.choice(world.contacts[customer.number])
        due = common.access_due_on(received)
        row = _access_row(world, received, name, customer.id, due, state, officer)
        if extended:
            row.update(
                extended_due_on=deadlines.extended_due(due),
                extension_notified_on=received + timedelta(days=20),
                extension_reason="Umfangreiche Daten aus zwölf Jahren; Rückfragen beim Kunden nötig",
            )
        request = AccessRequest.create(**row)
        actions = (
            ACCESS_ACTIONS[:2] + ("access.reject",)
            if state == "rejected"
            else ACCESS_ACTIONS[: ACCESS_STEPS.index(state) + 1]
        )
        for action in actions:  # the events models.access would have written
            audit.record(officer, action, request.ref)
        if extended:
            audit.record(officer, "access.extend", request.ref, str(row["extended_due_on"]))


def _access_row(
    world: DemoWorld, received: date, name: str, customer_id: int, due: date, state: str, officer: str
) -> dict[str, object]:
    at = clock.berlin_midnight_utc(received) + timedelta(hours=9)
    order = ("received", "verified", "compiled", "reviewed", "delivered")
    reached = order.index(state) if state in order else 1
    row: dict[str, object] = {
        "ref": next_ref(AccessRequest, access.REF_PREFIX, received.year),
        "name": name,
        "name_key": fold(name),
        "email": None,
        "customer": customer_id,
        "address": common.address(world.rng),
        "identifiers": json.dumps({"workstations": [world.rng.choice(names.WORKSTATIONS)]}, ensure_ascii=False),
        "received_on": received,
        "channel": world.rng.choice(("letter", "email", "fax")),
        "due_on": due,
        "state": state,
        "created_at": at,
    }
    if reached >= 1:
        row.update(
            verified_at=at + timedelta(days=2),
            verification_method="Rückruf unter bekannter Telefonnummer",
            verified_by=officer,
        )
    if reached >= 2:
        row.update(compiled_at=at + timedelta(days=4))
    if reached >= 3:
        row.update(reviewed_at=at + timedelta(days=5), reviewed_by=officer)
    if state == "delivered":
        closed = at + timedelta(days=9)
        row.update(
            delivered_on=clock.berlin_date(closed),
            delivered_sha256=common.sha256_hex(world.rng),
            closed_at=closed,
            due_at=policy.active().rule("access_requests").due_from(closed),
        )
    if state == "rejected":
        closed = at + timedelta(days=6)
        row.update(
            rejected_reason="Identität ließ sich nicht bestätigen; Antwort auf Rückfrage blieb aus",
            closed_at=closed,
            due_at=policy.active().rule("access_requests").due_from(closed),
        )
    return row
