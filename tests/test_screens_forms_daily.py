"""Forms as a daily tool: nothing pre-filled that one key would save, every problem at once under its field."""

from __future__ import annotations

import json

from textual.widgets import Input

from models.core.entities import ActivityEvent
from screens.sessions.forms import ActivityForm
from tests.support.screens import aio, make_app, settle, world
from tests.support.screens import fill_form as fill


def error_under(app, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#e-{name}").render())


@aio
async def test_the_activity_form_prefills_nothing_so_a_save_of_the_empty_form_records_nothing(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ActivityForm)
        assert form.query_one("#f-action", Input).value == ""
        await pilot.press("enter", "ctrl+s")
        await settle(pilot)
        assert app.screen is form and ActivityEvent.select().count() == 0
        assert "is required" in error_under(app, "action")
        await fill(
            pilot, form, file_name="drv.zip", file_size="many", file_sha256="xyz"
        )  # a transfer: the action follows from it
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "whole number of bytes" in error_under(app, "file_size") and "64 hex" in error_under(app, "file_sha256")
        assert ActivityEvent.select().count() == 0


@aio
async def test_system_information_is_typed_as_names_and_values_with_each_problem_at_its_row(db, fixed_clock) -> None:
    from models.core.entities import SystemInfo
    from screens.sessions.forms import SystemInfoForm

    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        form = app.screen
        assert isinstance(form, SystemInfoForm)
        await fill(pilot, form, **{"value-0": "Windows 11 Pro", "key-1": "ram", "value-1": "16 GB", "key-2": "ram"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "give the name" in error_under(app, "key-0") and "ram is given twice" in error_under(app, "key-2")
        assert SystemInfo.select().count() == 0
        await fill(pilot, form, **{"key-0": "os", "key-2": "", "value-2": ""})
        await pilot.press("ctrl+s")
        await settle(pilot)
        info = SystemInfo.get()
        assert json.loads(info.data) == {"os": "Windows 11 Pro", "ram": "16 GB"}


def test_a_disabled_action_names_the_roles_in_words_not_ids(db, fixed_clock) -> None:
    from screens.kit.roles import refusal, roles_text
    from tests.support import factories

    tech = factories.staff("tina", "technician", name="Tina Technik")
    officer = factories.staff("dora", roles="privacy_officer admin", name="Dora Datenschutz")
    reason = refusal(tech, "privacy_officer", "admin")
    assert reason == "tina lacks the role privacy officer or administrator for this action"
    assert roles_text(officer) == "administrator, privacy officer"


@aio
async def test_one_save_shows_every_missing_field_and_bad_date_at_once(db, fixed_clock, admin) -> None:
    from screens.access.forms import OpenRequestForm
    from screens.people.screen import CustomerForm

    app = make_app(admin, start_mode="people")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("K")  # new customer
        assert isinstance(app.screen, CustomerForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is required" in error_under(app, "number") and "is required" in error_under(app, "name")
        await pilot.press("escape")
        await settle(pilot)
        form = OpenRequestForm(admin)
        await app.push_screen(form)
        await settle(pilot)
        await fill(pilot, form, received_on="31.02.2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is required" in error_under(app, "name") and "is not a date" in error_under(app, "received_on")
