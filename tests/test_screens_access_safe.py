"""Access requests, the permanent steps: delivery asks once with its date; every match of a kind is excluded
and included again at once (a common name matching thousands of records)."""

from __future__ import annotations

from models.access import requests as access
from models.core.entities import AccessRequest, AccessRequestExclusion, AuditEvent
from screens.access.detail import AccessDetailScreen
from screens.kit.forms import ConfirmScreen
from tests.support import access_seed
from tests.support.screens import aio, console, fill, screen_text, settle


def verified_request(world) -> str:  # type: ignore[no-untyped-def]
    request = access.open_request(
        world.officer,
        name="Erika Weber",
        email="e.weber@mueller.example",
        customer_number="K-10042",
        channel="letter",
        received_on="2026-11-20",
    )
    access.verify_identity(world.officer, request.ref, "signature compared with the contract")
    return request.ref


@aio
async def test_every_match_of_a_kind_is_excluded_and_included_again_at_once(db, fixed_clock, isolated_dirs) -> None:
    world = access_seed.seed()
    ref = verified_request(world)
    app = console(world.officer, isolated_dirs, "access")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(AccessDetailScreen(world.officer, ref))
        await settle(pilot)
        detail = app.screen
        await pilot.press("m")
        await settle(pilot)
        table = detail.query_one("#ad-matches")
        sessions = [k.value for k in table.rows if k.value.startswith("session:")]
        assert sessions
        table.move_cursor(row=table.get_row_index(sessions[0]))
        await pilot.pause()
        assert detail.check_action("include_kind", ()) is False  # nothing of the kind excluded yet
        await pilot.press("underscore")
        await settle(pilot)
        await fill(pilot, reason="sessions of a namesake at another company")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        n = len(sessions)
        assert f"{n} session match" in screen_text(app) and ref in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert AccessRequestExclusion.select().where(AccessRequestExclusion.record_kind == "session").count() == n
        assert all(str(table.get_cell(k, "excluded")).startswith("sessions of") for k in sessions)  # cut to the column
        assert not any(str(table.get_cell(k, "excluded")) for k in table.rows if not k.value.startswith("session:"))
        table.move_cursor(row=table.get_row_index(sessions[0]))
        await pilot.pause()
        await pilot.press("asterisk")
        await settle(pilot)
        assert f"Include all {n} excluded session matches" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert AccessRequestExclusion.select().count() == 0
        assert not any(str(table.get_cell(k, "excluded")) for k in sessions)
    events = [e.detail for e in AuditEvent.select().where(AuditEvent.action.in_(["access.exclude", "access.include"]))]
    assert events == [f"session:all count={n}", f"session:all count={n}"]


@aio
async def test_delivery_shows_the_date_and_asks_once(db, fixed_clock, isolated_dirs, tmp_path) -> None:
    world = access_seed.seed()
    ref = verified_request(world)
    app = console(world.officer, isolated_dirs, "access")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(AccessDetailScreen(world.officer, ref))
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("x")
        await fill(pilot, fmt="md", lang="en", out=str(tmp_path / "report.md"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("b")
        await fill(pilot, on="23.11.2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"report of {ref} was sent to the requester on 23.11.2026" in screen_text(app)
        assert "cannot be taken back" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert AccessRequest.get(AccessRequest.ref == ref).state == "reviewed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert AccessRequest.get(AccessRequest.ref == ref).state == "delivered"
