"""The JSON export with what sessions captured written by the database (models/access/report_json.py) is
byte for byte the document the plain Python encoder writes, on SQLite and PostgreSQL, for any
text the subject or a technician typed, and for rows the database cannot format itself."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from console.reports import json_writer
from console.reports.access_report import open_report
from console.settings.config import Controller
from models.access import report_json as access_json
from models.access import requests as access
from models.core.db import database, is_sqlite
from models.core.entities import ActivityEvent, ChatMessage, Consent, RemoteSession, Staff
from tests.support.access_seed import seed

CONTROLLER = Controller(city="Hanau")
AT = datetime(2026, 11, 20, 9, 30, 15, 987654, tzinfo=timezone.utc)
NASTY = [
    '"quoted" \\ back\\slash /',
    "line\nbreak\r\ttab\b\f",
    "\x01\x1f\x7f control",
    "äöü ß € 😀 \u2028\u2029 \ufeff",
    "</script><b>&amp;</b>",
    "",
    " ",
]


@pytest.fixture
def ref(db: str, fixed_clock) -> str:
    world = seed()
    request = access.open_request(
        world.officer, name="Erika Weber", received_on="2026-11-24", channel="letter", customer_number="K-10042"
    )
    access.verify_identity(world.officer, request.ref, "Personalausweis vorgelegt")
    access.compile_request(world.officer, request.ref)
    session = RemoteSession.get(RemoteSession.ref == "S-2026-0001")
    for n, text in enumerate(NASTY):
        at = AT + timedelta(minutes=n)
        ActivityEvent.create(
            session=session,
            at=at,
            action=text or "x",
            detail=text,
            file_name=None if n % 2 else text,
            direction="upload",
            file_size=n * 2**40,
            file_sha256=None,
        )
        ChatMessage.create(session=session, at=at, sender=text or "x", text=text)
        Consent.create(
            ref=f"C-2026-09{n:02d}",
            session=session,
            kind="screen",
            given_by=text,
            given_by_key="x",
            method="verbal",
            granted=bool(n % 2),
            at=at,
            created_at=at,
            note=text if n % 3 else None,
        )
    return request.ref


def _both(ref: str) -> tuple[str, str]:
    """The report written with what the database built, and written all in Python."""
    actor = Staff.get(Staff.username == access.get_request(ref).verified_by)
    fast = json_writer.render(open_report(actor, ref, controller=CONTROLLER), in_sql=True)
    plain = json_writer.render(open_report(actor, ref, controller=CONTROLLER), in_sql=False)
    return fast, plain


def test_activity_chat_and_consents_from_sql_are_the_same_bytes(ref: str) -> None:
    assert access_json.available()  # the fast path is really taken on this backend
    fast, plain = _both(ref)
    assert fast == plain
    assert '"detail":"line\\nbreak\\r\\ttab\\b\\f"' in fast and "😀" in fast and '"granted":true' in fast


def test_rows_the_database_cannot_format_fall_back_to_python(ref: str) -> None:
    if not is_sqlite():
        pytest.skip("PostgreSQL columns are typed: a size is a number, an instant a timestamp")
    database.execute_sql(
        "UPDATE activity_event SET file_size = 'zwölf' WHERE id = (SELECT MIN(id) FROM activity_event)"
    )
    database.execute_sql(
        "UPDATE chat_message SET at = '2026-11-20T09:30:15+00:00' WHERE id = (SELECT MAX(id) FROM chat_message)"
    )
    database.execute_sql("UPDATE consent SET granted = 'yes' WHERE id = (SELECT MAX(id) FROM consent)")
    fast, plain = _both(ref)
    assert fast == plain
    assert '"file_size":"zwölf"' in fast


def test_rows_written_in_any_order_come_by_time_then_id_as_in_python(ref: str) -> None:
    """The database writes a session's rows as one text: in the report's order (time, then id), not as stored."""
    session = RemoteSession.get(RemoteSession.ref == "S-2026-0001")
    for n in range(5):  # stored latest first; the last two at the same instant
        at = AT + timedelta(hours=5 - min(n, 3))
        ActivityEvent.create(session=session, at=at, action=f"later-{n}", detail=None, file_name=None)
        ChatMessage.create(session=session, at=at, sender="customer", text=f"later-{n}")
    fast, plain = _both(ref)
    assert fast == plain
    positions = [fast.index(f'"later-{n}"') for n in (3, 4, 2, 1, 0)]  # by time; 3 and 4 at once, by id
    assert positions == sorted(positions)


def test_the_sessions_own_fields_orders_and_billing_records_from_sql_are_the_same_bytes(ref: str) -> None:
    """What a session, its order or a billing record holds of outside text is written exactly as Python writes it."""
    from models.core.entities import BillingRecord, Order

    text = "".join(NASTY)
    session = RemoteSession.get(RemoteSession.ref == "S-2026-0001")
    RemoteSession.update(workstation=text, customer_person=text, tool=None, ended_at=None).where(
        RemoteSession.id == session.id
    ).execute()
    Order.update(description=text).where(Order.id == session.order_id).execute()
    BillingRecord.update(workstation_or_employee=text, restriction_reason=text).execute()
    fast, plain = _both(ref)
    assert fast == plain
    assert '"workstation":"' + json.dumps(text, ensure_ascii=False)[1:-1] + '"' in fast
    assert fast.count('"description":"' + json.dumps(text, ensure_ascii=False)[1:-1]) == 1


def test_session_order_and_billing_fields_the_database_cannot_format_fall_back_to_python(ref: str) -> None:
    if not is_sqlite():
        pytest.skip("PostgreSQL columns are typed")
    database.execute_sql("UPDATE remote_session SET started_at = '2026-11-20T09:00:00+00:00'")
    database.execute_sql("UPDATE orders SET billed_on = '2026-11-30 00:00:00'")
    database.execute_sql("UPDATE billing_record SET duration_minutes = 'vierzig'")
    fast, plain = _both(ref)
    assert fast == plain
    assert '"started_at":"2026-11-20T09:00:00Z"' in fast, fast
    assert '"billed_on":"2026-11-30"' in fast and '"duration_minutes":"vierzig"' in fast
