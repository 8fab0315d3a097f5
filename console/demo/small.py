"""The small demo through the domain functions of models/, so every row obeys the rules.

Staff, customers and a few hundred orders over twelve years are written with the same
calls the console and the importer use (P3 commitments, P4/P6/P11 consents, billing
records on completion, due dates from the policy), each one audited.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

from console.demo import common, names
from models.core import bulk, clock, people
from models.core.entities import Customer, Staff
from models.sessions import orders, sessions
from models.sessions.sessions import ConsentInput, SessionInput


@dataclass
class DemoWorld:
    """What the small generator has created so far, for the scenario builders to draw from."""

    rng: random.Random
    now: datetime
    data_dir: Path
    me: Staff
    technicians: list[Staff] = field(default_factory=list)
    accountant: Staff | None = None
    officer: Staff | None = None
    customers: list[Customer] = field(default_factory=list)
    contacts: dict[str, list[str]] = field(default_factory=dict)  # customer number -> contact names
    session_count: int = 0
    # One unit of work (an order with everything it owns, a scenario): a transaction of its own on a
    # database others use (so no console waits behind the demo), nothing extra inside the demo's
    # single transaction on a database of its own.
    step: Callable[[], AbstractContextManager[object]] = nullcontext

    @property
    def today(self) -> date:
        return clock.berlin_date(self.now)


def register_staff(world: DemoWorld, technicians: int = 8) -> None:
    """Technicians with commitments, one hired recently, one without a commitment, and back office."""
    rng, today = world.rng, world.today
    used: set[str] = {world.me.username}
    for index in range(technicians):
        full = common.person_name(rng)
        user = _username(full, used)
        signed = today - timedelta(days=365 * 13 + index * 17) if index else today - timedelta(days=400)
        staff = people.register_staff(world.me, user, full, "technician", signed, secrecy_commitment_on=signed)
        world.technicians.append(staff)
    intern = common.person_name(rng)
    people.register_staff(world.me, _username(intern, used), intern, "technician", None)  # P3: may not work yet
    world.accountant = people.register_staff(
        world.me, _username("Buchhaltung Weiß", used), "Birgit Weiß", "accounting", today - timedelta(days=3000)
    )
    world.officer = people.register_staff(
        world.me, _username("Datenschutz Öztürk", used), "Derya Öztürk", "privacy_officer", today - timedelta(days=3000)
    )


def _username(full: str, used: set[str]) -> str:
    from models.core.text import fold

    parts = fold(full).replace("-", "").replace("'", "").split()
    base = "".join(ch for ch in (parts[0][0] + parts[-1]) if ch.isalnum())[:20] or "user"
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}{number}"
    used.add(candidate)
    return candidate


def register_customers(world: DemoWorld, count: int = common.SMALL_CUSTOMERS) -> None:
    rng = world.rng
    for index in range(count):
        name, secrecy = common.firm_name(rng, index)
        number = f"K-{10001 + index}"
        email = f"info@kunde{10001 + index}.example" if index % 4 else None
        customer = people.register_customer(
            world.me, number, name, email=email, address=common.address(rng), professional_secrecy=secrecy
        )
        world.customers.append(customer)
        contacts = []
        for _ in range(rng.randint(1, 3)):
            person = common.person_name(rng)
            people.add_contact(world.me, number, person, email=None, phone=f"+49 6181 {rng.randint(10000, 99999)}")
            contacts.append(person)
        world.contacts[number] = contacts
    for kind, text in names.CONSENT_WORDINGS.items():
        sessions.add_wording(world.me, kind, text)
    sessions.add_wording(
        world.me,
        "screen_visibility",
        names.CONSENT_WORDINGS["screen_visibility"] + " Sie können jederzeit widersprechen.",
    )


def technician_for(world: DemoWorld, at: datetime) -> Staff:
    """A technician whose commitment was signed before `at` (P3)."""
    day = clock.berlin_date(at)
    fit = [t for t in world.technicians if t.commitment_signed_on and t.commitment_signed_on <= day]
    return world.rng.choice(fit)


def run_session(
    world: DemoWorld,
    order_ref: str,
    customer: Customer,
    start: datetime,
    *,
    minutes: int | None,
    screen_private: bool | None = None,
    chat: int = 0,
    activity: int = 4,
    hostile: bool = False,
    participant: bool = False,
) -> str:
    """Start (and unless `minutes` is None, end) one session with its consents and capture."""
    rng = world.rng
    tech = technician_for(world, start)
    person = rng.choice(world.contacts[customer.number])
    private = rng.random() > 0.25 if screen_private is None else screen_private
    consents = (
        []
        if private
        else [
            ConsentInput(
                "screen_visibility", person, rng.choice(("verbal", "chat")), True, at=start - timedelta(minutes=1)
            )
        ]
    )
    world.session_count += 1
    session = sessions.start_session(
        tech,
        SessionInput(
            order=order_ref,
            technician=tech.username,
            customer_ip=common.customer_ip(rng),
            workstation=rng.choice(names.WORKSTATIONS),
            customer_person=person,
            screen_private=private,
            started_at=start,
            tool=rng.choice(names.TOOLS),
            external_id=f"demo-{world.session_count:06d}",
            consents=consents,
        ),
    )
    span = minutes if minutes is not None else max(1, int((world.now - start).total_seconds() // 60))
    items = []
    for step in range(activity):
        at = start + timedelta(minutes=span * (step + 0.5) / max(activity, 1))
        if step == 1:
            file_name = rng.choice(names.TRANSFER_FILES)
            items.append(
                bulk.ActivityItem(
                    at,
                    "file_transfer",
                    "Datei übertragen",
                    file_name,
                    rng.choice(("upload", "download")),
                    rng.randint(2_000, 40_000_000),
                    common.sha256_hex(rng),
                )
            )
        else:
            items.append(bulk.ActivityItem(at, rng.choice(names.ACTIVITY_ACTIONS), rng.choice(names.ACTIVITY_DETAILS)))
    bulk.add_activity_many(tech, session.ref, items)
    if chat:
        lines = []
        for step in range(chat):
            at = start + timedelta(minutes=span * (step + 0.3) / chat)
            sender = "customer" if step % 2 else "technician"
            pool = names.CHAT_CUSTOMER if step % 2 else names.CHAT_TECHNICIAN
            text = (
                names.HOSTILE_CHAT[(step // 2) % len(names.HOSTILE_CHAT)] if hostile and step % 2 else rng.choice(pool)
            )
            lines.append(bulk.ChatItem(at, sender, text))
        bulk.add_chat_many(tech, session.ref, lines)
    if participant:
        join = start + timedelta(minutes=max(1, span // 3))
        sessions.record_consent(
            tech, session.ref, ConsentInput("additional_staff", person, "verbal", True, at=join - timedelta(minutes=1))
        )
        other = next(
            t
            for t in world.technicians
            if t.id != tech.id and t.commitment_signed_on and t.commitment_signed_on <= clock.berlin_date(join)
        )
        sessions.add_participant(tech, session.ref, other.username, joined_at=join)
    if minutes is not None:
        sessions.end_session(tech, session.ref, ended_at=start + timedelta(minutes=minutes))
    return session.ref


def history_order(
    world: DemoWorld, opened: datetime, *, bill: bool = True, detail: bool = False
) -> tuple[str, datetime]:
    """One finished order: sessions, capture, completion (billing records) and, if due, billing."""
    rng = world.rng
    customer = rng.choice(world.customers)
    billing_class = common.weighted(rng, names.BILLING_CLASS_WEIGHTS)
    order = orders.open_order(
        world.me,
        customer.number,
        billing_class=billing_class,
        opened_at=opened,
        description=rng.choice(names.ORDER_DESCRIPTIONS),
    )
    start = opened + timedelta(minutes=rng.randint(5, 90))
    end = start
    for _ in range(2 if rng.random() < 0.1 else 1):
        minutes = rng.randint(8, 95)
        run_session(
            world,
            order.ref,
            customer,
            start,
            minutes=minutes,
            chat=rng.choice((0, 0, 4, 6)) if detail else 0,
            activity=rng.randint(3, 8) if detail else 2,
            participant=detail and rng.random() < 0.08,
        )
        end = start + timedelta(minutes=minutes)
        start = end + timedelta(hours=rng.randint(1, 30))
    completed = end + timedelta(minutes=rng.randint(2, 120))
    orders.complete_order(world.me, order.ref, completed_at=completed)
    if bill:
        billed = next_wednesday(clock.berlin_date(completed) + timedelta(days=rng.randint(1, 12)))
        if billed <= world.today:
            assert world.accountant is not None
            orders.mark_billed(world.accountant, order.ref, billed)
    return order.ref, completed


def next_wednesday(day: date) -> date:
    """Accounting acknowledges its weekly batch on Wednesdays; that day becomes the billing date."""
    return day + timedelta(days=(2 - day.weekday()) % 7)


def history(world: DemoWorld, count: int = common.SMALL_HISTORY_ORDERS) -> None:
    """Orders spread over twelve years up to four months ago, denser recently."""
    rng = world.rng
    start = world.now - relativedelta(years=12)
    end = world.now - timedelta(days=120)
    for opened in common.spread(rng, count, start, end):
        opened = common.office_hours(opened, rng)
        with world.step():
            history_order(world, opened, detail=opened > world.now - timedelta(days=400))
