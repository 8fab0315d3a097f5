"""Enter opens what a line refers to: a dashboard line, an audit row, an access report's match; `/` over the matches."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable

from models.access import requests as access
from tests.support import access_seed
from tests.support.screens import aio, console, make_app, screen_text, settle, world


@aio
async def test_enter_on_a_dashboard_line_opens_the_session_or_the_screen(db, fixed_clock) -> None:
    from screens.orders.details import SessionDetailScreen

    w = world()
    app = make_app(w["tech"], start_mode="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = next(widget for widget in app.screen.query(".dash-active-line") if widget.name == w["running"].ref)
        line.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen) and app.screen.ref == w["running"].ref
    app = make_app(w["tech"], start_mode="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#dash-staff").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.MODE == "people"


@aio
async def test_enter_on_an_audit_row_opens_the_record_it_names(db, fixed_clock) -> None:
    from screens.orders.details import SessionDetailScreen

    w = world()
    app = make_app(w["officer"], start_mode="audit")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#audit-table")
        key = next(key for key, row in table.rows_by_key.items() if row.ref == w["running"].ref)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen) and app.screen.ref == w["running"].ref


@aio
async def test_enter_on_a_match_opens_it_and_slash_filters_the_matches(db, fixed_clock, isolated_dirs) -> None:
    from screens.orders.screen import OrderDetailScreen

    seeded = access_seed.seed()
    request = access.open_request(
        seeded.officer,
        name="Erika Weber",
        received_on=date(2026, 11, 24),
        channel="letter",
        email="e.weber@mueller.example",
        customer_number="K-10042",
    )
    access.verify_identity(seeded.officer, request.ref, "signature compared with the contract")
    app = console(seeded.officer, isolated_dirs, "access")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("m")  # compile
        await settle(pilot)
        detail = app.screen
        matches = detail.query_one("#ad-matches", DataTable)
        everything = matches.row_count
        orders = [m for m in detail.compilation.matches if m.kind == "order"]
        assert everything > len(orders) > 0
        await pilot.press("slash")
        await pilot.press(*orders[0].ref, "enter")
        await settle(pilot)
        assert 0 < matches.row_count < everything and app.screen is detail  # filtered, still in the request
        key = f"order:{orders[0].id}"
        shown = [row.value for row in matches.rows]
        assert key in shown and all(orders[0].ref in str(matches.get_row(k)) for k in shown)
        matches.move_cursor(row=matches.get_row_index(key))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen) and app.screen.ref == orders[0].ref
        assert orders[0].ref in screen_text(app)


@aio
async def test_the_mode_keys_work_again_after_a_session_opened_from_the_dashboard_is_closed(db, fixed_clock) -> None:
    from screens.orders.details import SessionDetailScreen

    w = world()
    app = make_app(w["tech"], start_mode="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = next(widget for widget in app.screen.query(".dash-active-line") if widget.name == w["running"].ref)
        line.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.MODE == "sessions"
        await pilot.press("1")
        await settle(pilot)
        assert app.screen.MODE == "dashboard"
        await pilot.press("3")
        await settle(pilot)
        assert app.screen.MODE == "orders"


@aio
async def test_the_mode_keys_work_again_after_a_session_opened_from_an_audit_row_or_the_palette(
    db, fixed_clock
) -> None:
    from screens.orders.details import SessionDetailScreen

    w = world()
    app = make_app(w["officer"], start_mode="audit")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#audit-table")
        key = next(key for key, row in table.rows_by_key.items() if row.ref == w["running"].ref)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert app.screen.MODE == "dashboard"
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*w["running"].ref)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen) and app.screen.ref == w["running"].ref
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert app.screen.MODE == "audit"
