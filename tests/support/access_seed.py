"""A seeded world for access-request tests: the subject Erika Weber (employee of customer
K-10042) with data in every category, a namesake customer, and another subject (Hans Maier)
whose data must never reach her report. Built through the domain functions, as the desk would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from models.core import people
from models.core.entities import Staff
from models.sessions import orders, sessions
from models.sessions.sessions import ConsentInput, FileTransfer, SessionInput
from tests.support import factories as f

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
SHA = "ab" * 32
OTHER_SECRET = "Maier-Geheimnis-4711"


@dataclass
class World:
    officer: Staff
    tech: Staff
    admin: Staff


def _session(
    order: str,
    tech: Staff,
    person: str,
    workstation: str,
    ip: str,
    at: datetime,
    consents: list[ConsentInput] | None = None,
    private: bool = True,
) -> str:
    data = SessionInput(
        order=order,
        technician=tech.username,
        customer_ip=ip,
        workstation=workstation,
        customer_person=person,
        screen_private=private,
        started_at=at,
        consents=consents or [],
    )
    return sessions.start_session(tech, data).ref


def seed(officer_username: str = "dsb") -> World:
    """Two customers with full sessions, one namesake customer; orders completed, one billed."""
    admin = f.staff("boss", roles="admin accounting", name="Anna Admin")
    tech = f.staff("tkoch", name="Tom Koch")
    helper = f.staff("jschulz", name="Jana Schulz")
    officer = f.staff(officer_username, roles="privacy_officer", name="Dora Datenschutz")

    people.register_customer(
        admin, "K-10042", "Bäckerei Müller", email="info@mueller.example", address="Marktplatz 1, 63450 Hanau"
    )
    people.add_contact(admin, "K-10042", "Erika Weber", email="E.Weber@Mueller.example", phone="06181 1234")
    people.add_contact(admin, "K-10042", "Paul Müller", email="paul@mueller.example")
    people.register_customer(admin, "K-20001", "Schreinerei Maier", email="info@maier.example")
    people.add_contact(admin, "K-20001", "Hans Maier", email="hans@maier.example")
    people.register_customer(admin, "K-30003", "ERIKA WEBER", email="kontakt@weber-design.example")  # a namesake

    orders.open_order(tech, "K-10042", ref="A-2026-0101", opened_at=T0 - timedelta(hours=1), billing_class="billable")
    screen = ConsentInput("screen_visibility", "Erika Weber", "verbal", True, at=T0 - timedelta(minutes=1))
    s1 = _session("A-2026-0101", tech, "Erika Weber", "EMPFANG-PC", "203.0.113.7", T0, [screen], private=False)
    sessions.record_consent(
        tech, s1, ConsentInput("additional_staff", "Erika Weber", "verbal", True, at=T0 + timedelta(minutes=5))
    )
    sessions.add_participant(tech, s1, helper.username, joined_at=T0 + timedelta(minutes=6))
    sessions.log_activity(
        tech,
        s1,
        "file_upload",
        detail="Druckertreiber",
        at=T0 + timedelta(minutes=7),
        transfer=FileTransfer("drv.zip", "upload", 1048576, SHA),
    )
    sessions.add_chat(tech, s1, "customer", "Danke, <b>Erika</b> hier!", at=T0 + timedelta(minutes=8))
    sessions.add_system_info(tech, s1, {"os": "Windows 11 Pro", "programs": ["Office"]}, at=T0 + timedelta(minutes=9))
    sessions.add_gathered_file(tech, s1, "gathered/s1/screen.png", kind="screenshot", at=T0 + timedelta(minutes=10))
    sessions.add_recording(tech, s1, "recordings/s1.mp4", started_at=T0, ended_at=T0 + timedelta(minutes=30))
    sessions.record_consent(
        tech, s1, ConsentInput("disclosure", "Erika Weber", "email", True, at=T0 + timedelta(minutes=11))
    )
    sessions.record_disclosure(
        tech,
        s1,
        recipient="Hersteller-Support XY",
        categories=["system_info"],
        scope="Fehlerprotokoll",
        basis="consent",
        customer_informed_at=T0 + timedelta(minutes=11),
        at=T0 + timedelta(minutes=12),
    )
    sessions.end_session(tech, s1, ended_at=T0 + timedelta(minutes=40))
    orders.complete_order(tech, "A-2026-0101", completed_at=T0 + timedelta(hours=1))
    orders.mark_billed(admin, "A-2026-0101", date(2026, 11, 23))

    orders.open_order(tech, "K-20001", ref="A-2026-0102", opened_at=T0, billing_class="contract")
    s2 = _session("A-2026-0102", tech, "Hans Maier", "WERKSTATT", "198.51.100.9", T0 + timedelta(hours=2))
    sessions.add_chat(tech, s2, "customer", OTHER_SECRET, at=T0 + timedelta(hours=2, minutes=1))
    sessions.log_activity(tech, s2, "registry_edit", detail="Maier Werkstatt", at=T0 + timedelta(hours=2, minutes=2))
    sessions.record_consent(
        tech, s2, ConsentInput("recording", "Hans Maier", "verbal", True, at=T0 + timedelta(hours=2, minutes=3))
    )
    sessions.end_session(tech, s2, ended_at=T0 + timedelta(hours=2, minutes=30))
    orders.complete_order(tech, "A-2026-0102", completed_at=T0 + timedelta(hours=3))

    orders.open_order(tech, "K-30003", ref="A-2026-0103", opened_at=T0, billing_class="goodwill")
    s3 = _session("A-2026-0103", tech, "Erika Weber", "DESIGN-MAC", "192.0.2.44", T0 + timedelta(hours=4))
    sessions.add_chat(tech, s3, "customer", "Namesake chat", at=T0 + timedelta(hours=4, minutes=1))
    sessions.end_session(tech, s3, ended_at=T0 + timedelta(hours=4, minutes=20))
    return World(officer=officer, tech=tech, admin=admin)
