"""P3, P4, P6, P11 and the order lifecycle, refusals first."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from models.core.entities import BillingRecord, Consent, Participant, RemoteSession
from models.core.errors import PermissionDenied, RuleViolation, ValidationError
from models.sessions import orders, sessions
from models.sessions.sessions import ConsentInput, SessionInput
from tests.support import factories as f

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def desk(db: str, fixed_clock):
    tech = f.staff()
    f.order()
    return tech


def _session(tech, **overrides) -> SessionInput:
    values = dict(
        order="A-2026-0001",
        technician=tech.username,
        customer_ip="203.0.113.7",
        workstation="EMPFANG-PC",
        customer_person="Erika Weber",
        screen_private=True,
        started_at=T0,
    )
    values.update(overrides)
    return SessionInput(**values)


def test_shared_screen_without_consent_is_refused_and_nothing_stored(desk) -> None:
    with pytest.raises(RuleViolation, match="P4"):
        sessions.start_session(desk, _session(desk, screen_private=False))
    assert RemoteSession.select().count() == 0


def test_shared_screen_with_consent_starts(desk) -> None:
    consent = ConsentInput("screen_visibility", "Erika Weber", "verbal", True, at=T0 - timedelta(minutes=1))
    session = sessions.start_session(desk, _session(desk, screen_private=False, consents=[consent]))
    assert session.ref.startswith("S-2026-")
    assert Consent.select().where(Consent.session == session).count() == 1


def test_refused_consent_does_not_count(desk) -> None:
    consent = ConsentInput("screen_visibility", "Erika Weber", "verbal", False, at=T0 - timedelta(minutes=1))
    with pytest.raises(RuleViolation):
        sessions.start_session(desk, _session(desk, screen_private=False, consents=[consent]))
    assert Consent.select().count() == 0


def test_technician_without_commitment_is_refused_by_name(db: str, fixed_clock) -> None:
    actor = f.staff()
    f.staff("jschulz", name="Jana Schulz", signed=None)
    f.order()
    with pytest.raises(RuleViolation, match="Jana Schulz"):
        sessions.start_session(actor, _session(actor, technician="jschulz"))


def test_accounting_cannot_start_sessions(db: str, fixed_clock) -> None:
    clerk = f.staff("buchhaltung", roles="accounting", name="Bea Buch")
    f.order()
    with pytest.raises(PermissionDenied):
        sessions.start_session(clerk, _session(clerk))


def test_second_technician_needs_consent_first(desk) -> None:
    f.staff("jschulz", name="Jana Schulz")
    session = sessions.start_session(desk, _session(desk))
    with pytest.raises(RuleViolation, match="P6"):
        sessions.add_participant(desk, session.ref, "jschulz", joined_at=T0 + timedelta(minutes=10))
    sessions.record_consent(
        desk,
        session.ref,
        ConsentInput("additional_staff", "Erika Weber", "verbal", True, at=T0 + timedelta(minutes=12)),
    )
    with pytest.raises(RuleViolation):  # consent given after the join time does not count
        sessions.add_participant(desk, session.ref, "jschulz", joined_at=T0 + timedelta(minutes=10))
    sessions.add_participant(desk, session.ref, "jschulz", joined_at=T0 + timedelta(minutes=15))
    assert Participant.select().count() == 1


def test_disclosure_on_consent_needs_disclosure_consent(desk) -> None:
    session = sessions.start_session(desk, _session(desk))
    kwargs = dict(
        recipient="Hersteller-Support XY",
        categories=["system_info"],
        scope="Fehlerprotokoll",
        basis="consent",
        customer_informed_at=T0 + timedelta(minutes=20),
        at=T0 + timedelta(minutes=25),
    )
    with pytest.raises(RuleViolation, match="P11"):
        sessions.record_disclosure(desk, session.ref, **kwargs)
    sessions.record_consent(
        desk, session.ref, ConsentInput("disclosure", "Erika Weber", "email", True, at=T0 + timedelta(minutes=21))
    )
    assert sessions.record_disclosure(desk, session.ref, **kwargs).consent is not None


def test_lifecycle_refusals_and_billing_records(desk) -> None:
    session = sessions.start_session(desk, _session(desk))
    with pytest.raises(RuleViolation, match="running"):
        orders.complete_order(desk, "A-2026-0001", completed_at=T0 + timedelta(hours=1))
    with pytest.raises(ValidationError, match="ended_at"):
        sessions.end_session(desk, session.ref, ended_at=T0 - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="future"):
        sessions.end_session(desk, session.ref, ended_at=T0 + timedelta(days=1))
    sessions.end_session(desk, session.ref, ended_at=T0 + timedelta(minutes=40))
    with pytest.raises(RuleViolation, match="ended already"):
        sessions.end_session(desk, session.ref, ended_at=T0 + timedelta(minutes=41))
    clerk = f.staff("buchhaltung", roles="accounting", name="Bea Buch")
    with pytest.raises(RuleViolation, match="before it is completed"):
        orders.mark_billed(clerk, "A-2026-0001", date(2026, 11, 24))
    orders.complete_order(desk, "A-2026-0001", completed_at=T0 + timedelta(minutes=45))
    record = BillingRecord.get()
    assert (record.duration_minutes, record.customer_number, record.workstation_or_employee) == (
        40,
        "K-10042",
        "EMPFANG-PC",
    )
    assert record.session_date == date(2026, 11, 24)
    order = orders.mark_billed(clerk, "A-2026-0001", date(2026, 11, 24))
    assert order.records_due_at is not None


def test_professional_secrecy_customer_needs_the_extra_commitment(db: str, fixed_clock) -> None:
    """P3 with § 203 StGB: a lawyer's office needs technicians with the secrecy commitment too."""
    from models.core import people

    actor = f.staff()
    lawyer = f.customer("K-20001", "Kanzlei Weiß")
    lawyer.professional_secrecy = True
    lawyer.save()
    f.order("A-2026-0002", lawyer)
    with pytest.raises(RuleViolation, match="§ 203"):
        sessions.start_session(actor, _session(actor, order="A-2026-0002"))
    assert RemoteSession.select().count() == 0
    admin = f.staff("admin1", "admin", name="Anna Admin")
    people.update_staff(admin, "mmueller", secrecy_commitment_on=date(2025, 3, 1))
    actor = type(actor).get_by_id(actor.id)
    assert sessions.start_session(actor, _session(actor, order="A-2026-0002")).ref.startswith("S-")


def test_commitment_dates_in_the_future_are_refused(db: str, fixed_clock) -> None:
    from models.core import people

    admin = f.staff("admin1", "admin", name="Anna Admin")
    f.staff("jschulz", name="Jana Schulz", signed=None)
    with pytest.raises(ValidationError, match="commitment_signed_on.*future"):
        people.update_staff(admin, "jschulz", commitment_signed_on=date(2027, 1, 1))
    with pytest.raises(ValidationError, match="secrecy_commitment_on.*future"):
        people.update_staff(admin, "jschulz", secrecy_commitment_on=date(2027, 1, 1))
    assert type(admin).get(username="jschulz").commitment_signed_on is None
