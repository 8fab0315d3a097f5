"""The access-request workflow: order of steps, deadlines, extension rules, closing, the queue."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from models.access import requests as access
from models.access.requests import list_requests, open_requests_summary
from models.core.entities import AccessRequest, AuditEvent
from models.core.errors import PermissionDenied, RuleViolation, ValidationError
from models.retention import policy
from tests.support import factories as f

SHA = "cd" * 32


@pytest.fixture
def officer(db: str, fixed_clock):
    f.customer()
    return f.staff("dsb", roles="privacy_officer", name="Dora Datenschutz")


def _open(officer, received: str = "2026-11-24", name: str = "Erika Weber", **kwargs):
    return access.open_request(officer, name=name, received_on=received, channel="letter", **kwargs)


def test_open_sets_the_deadline_and_audits(officer) -> None:
    request = _open(
        officer,
        "2026-03-05",
        customer_number="K-10042",
        email="erika@example.org",
        identifiers={"workstations": ["EMPFANG-PC"], "ips": ["2001:db8::0:1"]},
    )
    assert request.ref == "AR-2026-0001" and request.due_on == date(2026, 4, 7) and request.state == "received"
    assert request.identifiers == '{"workstations": ["EMPFANG-PC"], "ips": ["2001:db8::1"]}'
    assert AuditEvent.get(AuditEvent.action == "access.open").ref == request.ref


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("received_on", {"received": "2026-11-26"}),  # tomorrow
        ("received_on", {"received": "24.11.2026"}),
        ("name", {"name": " "}),
        ("customer", {"customer_number": "K-99999"}),
        ("email", {"email": "not-an-address"}),
        ("ip", {"identifiers": {"ips": ["300.1.1.1"]}}),
        ("identifiers", {"identifiers": {"phones": ["1"]}}),
    ],
)
def test_open_refuses_bad_input_by_field_and_stores_nothing(officer, field: str, kwargs: dict) -> None:
    with pytest.raises(ValidationError) as caught:
        _open(officer, **kwargs)
    assert caught.value.field == field
    assert AccessRequest.select().count() == 0


def test_a_technician_may_not_handle_access_requests(officer) -> None:
    tech = f.staff()
    with pytest.raises(PermissionDenied):
        _open(tech)


def test_steps_out_of_order_are_refused_with_the_reason(officer) -> None:
    ref = _open(officer).ref
    with pytest.raises(RuleViolation, match="identity is not verified"):
        access.compile_request(officer, ref)
    with pytest.raises(RuleViolation, match="identity is not verified"):
        access.check_exportable(ref)
    access.verify_identity(officer, ref, "Ausweiskopie")
    with pytest.raises(RuleViolation, match="verified already"):
        access.verify_identity(officer, ref, "again")
    with pytest.raises(RuleViolation, match="compile it first"):
        access.check_exportable(ref)
    with pytest.raises(RuleViolation, match="compile it first"):
        access.deliver(officer, ref, "2026-11-24", SHA)
    access.compile_request(officer, ref)
    with pytest.raises(RuleViolation, match="export the reviewed report first"):
        access.deliver(officer, ref, "2026-11-24", SHA)


def _to_reviewed(officer, ref: str) -> None:
    access.verify_identity(officer, ref, "Ausweis")
    access.compile_request(officer, ref)
    access.record_export(access.permit_export(officer, ref), SHA, fmt="html", lang="de")


def test_each_state_allows_the_steps_of_the_workflow_and_no_others(officer) -> None:
    assert access.allowed_steps("received") == ("verify", "extend", "reject")
    assert access.allowed_steps("verified") == ("compile", "extend", "reject")
    assert access.allowed_steps("compiled") == ("compile", "exclude", "include", "export", "extend", "reject")
    assert access.allowed_steps("reviewed") == (
        "compile",
        "exclude",
        "include",
        "export",
        "extend",
        "deliver",
        "reject",
    )
    assert access.allowed_steps("delivered") == access.allowed_steps("rejected") == ()
    assert access.next_step_text("received").startswith("Next: verify the requester's identity")
    ref = _open(officer).ref
    for step in ("compile", "exclude", "export", "deliver"):
        with pytest.raises(RuleViolation, match="identity is not verified"):
            access.refuse_step(access.get_request(ref), step)


def test_an_export_permit_checks_role_and_state_before_and_the_write_refuses_a_closed_request(officer) -> None:
    ref = _open(officer).ref
    with pytest.raises(PermissionDenied):
        access.permit_export(f.staff(), ref)
    access.verify_identity(officer, ref, "Ausweis")
    with pytest.raises(RuleViolation, match="compile it first"):
        access.permit_export(officer, ref)
    access.compile_request(officer, ref)
    permit = access.permit_export(officer, ref)
    access.reject(officer, ref, "withdrawn")  # another console, while the file was written
    with pytest.raises(RuleViolation, match="rejected already"):
        access.record_export(permit, SHA, fmt="html", lang="de")
    assert access.get_request(ref).state == "rejected" and access.get_request(ref).exported_sha256 is None


def test_delivery_keeps_the_exported_hash_and_starts_the_retention_clock(officer, fixed_clock) -> None:
    ref = _open(officer).ref
    _to_reviewed(officer, ref)
    request = access.deliver(officer, ref, "2026-11-24")
    assert (
        request.state == "delivered" and request.delivered_sha256 == SHA and request.delivered_on == date(2026, 11, 24)
    )
    assert request.closed_at == fixed_clock.current
    assert request.due_at == policy.active().rule("access_requests").due_from(fixed_clock.current)
    assert request.due_at.year == 2029
    with pytest.raises(RuleViolation, match="delivered already"):
        access.reject(officer, ref, "too late")


def test_delivery_date_must_be_real(officer) -> None:
    ref = _open(officer, "2026-11-20").ref
    _to_reviewed(officer, ref)
    with pytest.raises(ValidationError, match="before the request was received"):
        access.deliver(officer, ref, "2026-11-19")
    with pytest.raises(ValidationError, match="future"):
        access.deliver(officer, ref, "2026-11-30")


def test_a_new_exclusion_makes_the_export_stale(officer) -> None:
    ref = _open(officer, customer_number="K-10042").ref
    _to_reviewed(officer, ref)
    customer = access.compile_request(officer, ref).included("customer")[0]
    access.exclude_match(officer, ref, "customer", customer.id, "falsch")
    assert access.get_request(ref).state == "compiled" and access.get_request(ref).exported_sha256 is None
    with pytest.raises(RuleViolation, match="export the reviewed report first"):
        access.deliver(officer, ref, "2026-11-24")


def test_extension_once_within_the_first_month(officer, fixed_clock) -> None:
    ref = _open(officer, "2026-11-02").ref  # due Wed 2 Dec
    with pytest.raises(ValidationError, match="before the request was received"):
        access.extend(officer, ref, "viele Daten", "2026-11-01")
    request = access.extend(officer, ref, "viele Aufträge über mehrere Jahre", "2026-11-24")
    assert request.due_on == date(2026, 12, 2) and request.extended_due_on == date(2027, 2, 2)
    with pytest.raises(RuleViolation, match="second extension"):
        access.extend(officer, ref, "noch mehr", "2026-11-24")


def test_no_extension_after_the_first_month(officer, fixed_clock) -> None:
    ref = _open(officer, "2026-10-20").ref  # due Fri 20 Nov, today is 24 Nov
    with pytest.raises(RuleViolation, match="first month ended on 2026-11-20"):
        access.extend(officer, ref, "zu spät", "2026-11-19")
    ref2 = _open(officer, "2026-11-10").ref
    fixed_clock.advance(days=30)  # 24 Dec: beyond the 10 Dec deadline
    with pytest.raises(RuleViolation, match="no longer be extended"):
        access.extend(officer, ref2, "zu spät", "2026-11-20")


def test_notice_of_extension_after_the_first_month_is_refused(officer, fixed_clock) -> None:
    ref = _open(officer, "2026-11-02").ref  # due 2 Dec
    fixed_clock.set(datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc))
    with pytest.raises(ValidationError, match="future"):
        access.extend(officer, ref, "Grund", "2026-12-03")
    assert access.extend(officer, ref, "Grund", "2026-12-02").extended_due_on == date(2027, 2, 2)


def test_reject_needs_a_reason_and_closes(officer) -> None:
    ref = _open(officer).ref
    with pytest.raises(ValidationError, match="reason"):
        access.reject(officer, ref, "")
    request = access.reject(officer, ref, "Identität nicht nachweisbar")
    assert request.state == "rejected" and request.closed_at is not None and request.due_at is not None
    with pytest.raises(RuleViolation, match="rejected already"):
        access.verify_identity(officer, ref, "late")


def test_queue_orders_by_deadline_in_force_and_flags_overdue(officer, fixed_clock) -> None:
    late = _open(officer, "2026-10-20", name="Spät").ref  # due 20 Nov: 4 days overdue
    soon = _open(officer, "2026-11-02", name="Bald").ref  # due 2 Dec
    extended = _open(officer, "2026-10-30", name="Verlängert").ref  # due 30 Nov, extended to 1 Feb
    access.extend(officer, extended, "Umfang", "2026-11-24")
    done = _open(officer, "2026-10-01", name="Fertig").ref
    access.reject(officer, done, "zurückgezogen")
    rows = list_requests(state="open")
    assert [r.ref for r in rows] == [late, soon, extended]
    assert [(r.days_left, r.overdue) for r in rows] == [(-4, True), (8, False), (69, False)]
    assert rows[2].due_on == date(2027, 2, 1) and rows[2].extended
    all_rows = list_requests()
    assert [r.ref for r in all_rows][0] == done and not all_rows[0].overdue  # closed requests are never overdue
    summary = open_requests_summary()
    assert (summary.open_count, summary.overdue_count, summary.nearest_ref) == (3, 1, late)
    assert summary.nearest_due_on == date(2026, 11, 20)


def test_queue_pages_by_keyset_without_gaps_or_repeats(officer) -> None:
    day = date(2026, 10, 26)
    refs = [_open(officer, (day + timedelta(days=i % 5)).isoformat(), name=f"P{i}").ref for i in range(12)]
    seen: list[str] = []
    after = None
    while True:
        page = list_requests(after=after, limit=5)
        seen += [r.ref for r in page]
        if len(page) < 5:
            break
        after = page[-1]
    assert sorted(seen) == sorted(refs) and len(seen) == len(set(seen))
    dues = [r.due_on for r in list_requests(limit=50)]
    assert dues == sorted(dues)
    with pytest.raises(ValidationError, match="limit"):
        list_requests(limit=0)
    with pytest.raises(ValidationError, match="state"):
        list_requests(state="lost")


def test_showing_a_request_is_for_officers_and_audited(officer) -> None:
    ref = _open(officer).ref
    assert access.show_request(officer, ref).name == "Erika Weber"
    assert AuditEvent.select().where((AuditEvent.action == "access.read") & (AuditEvent.ref == ref)).count() == 1
    with pytest.raises(PermissionDenied):
        access.show_request(f.staff(), ref)
