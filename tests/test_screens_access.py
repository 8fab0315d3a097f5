"""Access requests screens: the queue with urgency, opening one, the whole workflow, refusals, text safety."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from models.access import requests as access
from models.core.entities import AccessRequest, AuditEvent
from screens.shell.app import ConsoleApp
from tests.support import access_seed
from tests.support.screens import HOSTILE_NAME, aio, console, fill, screen_text, settle


def access_app(operator, data_dir: Path) -> ConsoleApp:  # type: ignore[no-untyped-def]
    return console(operator, data_dir, "access")


def requests(officer) -> None:  # type: ignore[no-untyped-def]
    """Three open requests at different distances from their deadline, one closed."""
    access.open_request(officer, name="Olga Overdue", received_on=date(2026, 9, 20), channel="letter")
    access.open_request(officer, name=HOSTILE_NAME, received_on=date(2026, 10, 28), channel="email")
    access.open_request(officer, name="Frieda Fresh", received_on=date(2026, 11, 24), channel="fax")
    closed = access.open_request(officer, name="Carl Closed", received_on=date(2026, 11, 2), channel="letter")
    access.reject(officer, closed.ref, "identity could not be verified")


@aio
async def test_queue_lists_open_requests_nearest_deadline_first_with_urgency(db, fixed_clock, isolated_dirs) -> None:
    world = access_seed.seed()
    requests(world.officer)
    app = access_app(world.officer, isolated_dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#ar-table")
        rows = [table.get_row(key) for key in table.rows]
        assert [str(r[1]) for r in rows] == ["Olga Overdue", HOSTILE_NAME, "Frieda Fresh"]  # literal, closed hidden
        left = [r[4] for r in rows]
        error, warning = (app.get_css_variables()[v].lower() for v in ("error", "warning"))
        assert "overdue" in str(left[0]) and str(left[0].style).lower().endswith(error)
        assert str(left[1]) == "6 d" and str(left[1].style).lower().endswith(warning)
        assert error not in str(left[2].style).lower() and warning not in str(left[2].style).lower()
        await pilot.press("z")  # all states
        await settle(pilot)
        assert "Carl Closed" in screen_text(app)


@aio
async def test_officer_answers_a_request_step_by_step(db, fixed_clock, isolated_dirs, tmp_path) -> None:
    world = access_seed.seed()
    app = access_app(world.officer, isolated_dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await fill(
            pilot, name="Erika Weber", email="e.weber@mueller.example", customer="K-10042", workstations="EMPFANG-PC"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        request = AccessRequest.get(AccessRequest.name == "Erika Weber")
        detail = app.screen
        assert detail.ref == request.ref and "Next: verify the requester's identity" in screen_text(app)
        # out of order: not offered
        for step in ("compile", "export", "deliver", "exclude"):
            assert not detail.check_action(step, ())
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is detail and AccessRequest.get_by_id(request.id).state == "received"  # not delivered
        await pilot.press("v")
        await fill(pilot, method="signature compared with the contract")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert AccessRequest.get_by_id(request.id).state == "verified"
        await pilot.press("m")
        await settle(pilot)
        table = detail.query_one("#ad-matches")
        keys = [key.value for key in table.rows]
        assert any(k.startswith("customer:") for k in keys) and any(k.startswith("session:") for k in keys)
        assert AuditEvent.select().where(AuditEvent.action == "access.compile").count() == 1
        # exclude the namesake customer K-30003
        namesake = next(k for k in keys if "K-30003" in str(table.get_row(k)[1]))
        table.move_cursor(row=table.get_row_index(namesake))
        await pilot.pause()
        await pilot.press("minus")
        await fill(pilot, reason="a design studio of the same name")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "a design studio of the same name" in str(table.get_row(namesake)[4])
        assert detail.check_action("exclude", ()) is None  # excluded already
        # undo it: include again (asked once, with the reason), then exclude again
        await pilot.press("plus")
        await settle(pilot)
        assert "It was excluded because: a design studio of the same name" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert str(table.get_row(namesake)[4]) == ""
        include = AuditEvent.select().where(AuditEvent.action == "access.include").get()
        assert "a design studio of the same name" in include.detail
        await pilot.press("minus")
        await fill(pilot, reason="a design studio of the same name")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert detail.check_action("include", ())
        # export as Markdown in English to a file
        out = tmp_path / "report.md"
        await pilot.press("x")
        await fill(pilot, fmt="md", lang="en", out=str(out))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert out.exists() and oct(out.stat().st_mode & 0o777) == "0o600"
        assert "kontakt@weber-design.example" not in out.read_text(encoding="utf-8")  # the excluded record
        assert AccessRequest.get_by_id(request.id).state == "reviewed"
        await pilot.press("b")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")  # delivery closes the request: asked once
        await settle(pilot)
        closed = AccessRequest.get_by_id(request.id)
        assert closed.state == "delivered" and closed.delivered_on == date(2026, 11, 24)
        assert "Delivered: closed" in screen_text(app)
        for step in ("verify", "compile", "export", "extend", "deliver", "reject"):
            assert not detail.check_action(step, ())


@aio
async def test_refusals_show_in_the_form_and_change_nothing(db, fixed_clock, isolated_dirs) -> None:
    world = access_seed.seed()
    requests(world.officer)
    app = access_app(world.officer, isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await fill(pilot, name="", received_on="2026-12-31")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is required" in str(app.screen.query_one("#e-name").render())
        await fill(pilot, name="Zoe Zukunft")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "lies in the future" in str(app.screen.query_one("#e-received_on").render())
        await pilot.press("escape", "y")  # throw the typed form away
        await settle(pilot)
        assert AccessRequest.select().where(AccessRequest.name == "Zoe Zukunft").count() == 0
        # the overdue request can no longer be extended: not offered
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.ref == AccessRequest.get(AccessRequest.name == "Olga Overdue").ref
        assert not app.screen.check_action("extend", ())
        await pilot.press("escape")
        await settle(pilot)
        # a fresh one: the requester cannot have been told after the first month
        fresh = AccessRequest.get(AccessRequest.name == "Frieda Fresh")
        table = app.screen.query_one("#ar-table")
        table.move_cursor(row=table.get_row_index(fresh.ref))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("l")
        await fill(pilot, reason="many records", notified_on="2026-11-30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "lies in the future" in str(app.screen.query_one("#e-notified_on").render())
        assert AccessRequest.get_by_id(fresh.id).extended_due_on is None
        # with a valid date the new deadline is shown before anything is saved
        await fill(pilot, notified_on="24.11.2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        from models.access.deadlines import extended_due

        new_due = extended_due(AccessRequest.get_by_id(fresh.id).due_on)
        assert f"the new deadline is {new_due.strftime('%d.%m.%Y')}" in screen_text(app)
        await pilot.press("n")  # not now
        await settle(pilot)
        assert AccessRequest.get_by_id(fresh.id).extended_due_on is None
        await pilot.press("escape", "y")
        await settle(pilot)
        # another console moves the request on while this one looks at it: the model refuses
        await pilot.press("v")
        await fill(pilot, method="ID card shown")
        access.verify_identity(world.officer, fresh.ref, "passport copy")  # elsewhere, meanwhile
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "was verified already" in screen_text(app)
        await pilot.press("escape", "y")
        await settle(pilot)
        access.reject(world.officer, fresh.ref, "withdrawn by the requester")  # elsewhere, meanwhile
        await pilot.press("j")  # still offered here: this view has not reloaded yet
        await fill(pilot, reason="duplicate")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is rejected already; nothing can be changed" in screen_text(app)
        assert AccessRequest.get_by_id(fresh.id).rejected_reason == "withdrawn by the requester"


@aio
async def test_technician_sees_no_names_and_no_actions(db, fixed_clock, isolated_dirs) -> None:
    world = access_seed.seed()
    requests(world.officer)
    app = access_app(world.tech, isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "lacks the role privacy officer" in text
        assert "Olga Overdue" not in text and "overdue" in text
        assert app.screen.check_action("new", ()) is None and app.screen.check_action("open", ()) is None
        await pilot.press("n")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.MODE == "access"
        assert AuditEvent.select().where(AuditEvent.action == "access.view").count() == 0


SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_queue(snap_compare, db, fixed_clock, isolated_dirs, size: str) -> None:
    world = access_seed.seed()
    requests(world.officer)
    app = access_app(world.officer, isolated_dirs)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_detail_with_compile_preview(snap_compare, db, fixed_clock, isolated_dirs, size: str) -> None:
    world = access_seed.seed()
    request = access.open_request(
        world.officer,
        name="Erika Weber",
        received_on=date(2026, 11, 24),
        channel="letter",
        email="e.weber@mueller.example",
        customer_number="K-10042",
    )
    access.verify_identity(world.officer, request.ref, "signature compared with the contract")
    app = access_app(world.officer, isolated_dirs)

    async def compiled(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=compiled)
