"""Orders and sessions: search, detail with retention state, completion, holds, refusals."""

from __future__ import annotations

from models.core.entities import AuditEvent, LegalHold, Order
from tests.support.screens import SHOWN, aio, make_app, screen_text, settle, world


@aio
async def test_search_by_customer_ref_day_and_technician(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "A-2026-0001" in text and "A-2026-0002" in text
        await pilot.press("slash")
        await pilot.press(*"baeck", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "A-2026-0001" in text and "A-2026-0002" not in text
        app.screen.query_one("#q-customer").value = ""
        app.screen.query_one("#q-day").value = "23.11.2026"
        app.screen.apply_filter()
        await settle(pilot)
        text = screen_text(app)
        assert "A-2026-0002" in text and "A-2026-0001" not in text
        app.screen.query_one("#q-day").value = ""
        app.screen.query_one("#q-ref").value = w["shared"].ref
        app.screen.apply_filter()
        await settle(pilot)
        assert "A-2026-0002" in screen_text(app) and "A-2026-0001" not in screen_text(app)
        app.screen.query_one("#q-ref").value = ""
        app.screen.query_one("#q-technician").value = "jschulz"
        app.screen.apply_filter()
        await settle(pilot)
        assert "A-2026" not in screen_text(app)
        app.screen.query_one("#q-day").value = "31.02.2026"
        app.screen.apply_filter()
        assert "day: is not a date" in screen_text(app)


@aio
async def test_detail_shows_categories_with_due_dates_and_is_audited(db, fixed_clock) -> None:
    from datetime import datetime, timezone

    from models.sessions import sessions

    w = world()
    sessions.add_system_info(
        w["tech"], w["shared"].ref, {"os": "Windows 11"}, at=datetime(2026, 11, 23, 9, 10, tzinfo=timezone.utc)
    )
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orders-table")
        table.move_cursor(row=table.get_row_index("A-2026-0002"))
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert (
            "Data and retention" in text
            and "system information" in text
            and "system_info" not in text
            and "billing" in text
        )
        assert "2026-11-25 11:00" in text  # 48 h after completion, on the Berlin clock (P7)
        video = next(line for line in text.splitlines() if line.strip().startswith("video"))
        assert "nothing kept" in video and "—" in video  # no recording: no date, nothing scheduled
        assert SHOWN.split(" \x1b")[0][:10] in text
        assert (
            AuditEvent.select().where((AuditEvent.action == "order.read") & (AuditEvent.ref == "A-2026-0002")).exists()
        )
        # completed already: the action is disabled with the reason
        assert app.screen.check_action("complete", ()) is None
        assert "completed already" in text


@aio
async def test_complete_an_order_and_refusal_while_a_session_runs(db, fixed_clock) -> None:
    from models.sessions import sessions

    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orders-table")
        table.move_cursor(row=table.get_row_index("A-2026-0001"))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f", "y")
        await settle(pilot)
        assert any("still has running sessions" in n.message for n in app._notifications)
        assert Order.get(Order.ref == "A-2026-0001").completed_at is None
        sessions.end_session(w["tech"], w["running"].ref)
        await pilot.press("f", "y")
        await settle(pilot)
        assert Order.get(Order.ref == "A-2026-0001").completed_at is not None
        assert "Order A-2026-0001 completed." in [n.message for n in app._notifications]


@aio
async def test_hold_and_release_by_the_privacy_officer_only(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.check_action("hold", ()) is None
        assert "lacks the role privacy officer" in screen_text(app)
    app = make_app(w["officer"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("h")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is required" in screen_text(app)
        app.screen.query_one("#f-reason").value = "Streitfall R-17"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert LegalHold.select().where(LegalHold.released_at.is_null()).count() == 1
        assert "LEGAL HOLD" in screen_text(app) and "Streitfall R-17" in screen_text(app)
        await pilot.press("r", "y")
        await settle(pilot)
        assert LegalHold.select().where(LegalHold.released_at.is_null()).count() == 0


@aio
async def test_order_detail_opens_any_of_its_sessions(db, fixed_clock) -> None:
    from models.sessions import sessions
    from models.sessions.sessions import SessionInput

    w = world()
    second = sessions.start_session(
        w["tech"],
        SessionInput(
            order="A-2026-0001",
            technician="mmueller",
            customer_ip=None,
            workstation="LAGER",
            customer_person=None,
            screen_private=True,
        ),
    )
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orders-table")
        table.move_cursor(row=table.get_row_index("A-2026-0001"))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Which session?" in screen_text(app)
        await pilot.press("end", "enter")
        await settle(pilot)
        assert f"Session {second.ref}" in screen_text(app) and "LAGER" in screen_text(app)
