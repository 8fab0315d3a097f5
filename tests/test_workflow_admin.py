"""The administrator at 80x24, from the first key to what is stored: register a technician, record a missing
commitment date and a second role, deactivate and reactivate an account."""

from __future__ import annotations

from datetime import date

from models.core.entities import AuditEvent, Staff
from screens.kit.forms import ConfirmScreen
from screens.people.screen import StaffForm
from tests.support import factories
from tests.support.screens import aio, make_app, screen_text, settle
from tests.support.workflow import act, type_in


async def highlight(pilot, username: str) -> None:  # type: ignore[no-untyped-def]
    table = pilot.app.screen.query_one("#staff-table")
    table.move_cursor(row=table.get_row_index(username))
    await pilot.pause()


@aio
async def test_admin_keeps_the_staff_register(db, fixed_clock, admin) -> None:
    factories.staff("lfischer", name="Lena Fischer", signed=None)
    app = make_app(admin, start_mode="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "mode.people")
        await act(pilot, "new")
        assert isinstance(app.screen, StaffForm)
        await type_in(pilot, username="jschulz", name="Jan Schulz", commitment_signed_on="10.01.2026")
        await act(pilot, "save")
        jan = Staff.get(Staff.username == "jschulz")
        assert jan.roles == "technician" and jan.commitment_signed_on == date(2026, 1, 10) and jan.active
        await highlight(pilot, "lfischer")
        await act(pilot, "edit")
        await type_in(pilot, commitment_signed_on="02.11.2026", **{"role-privacy_officer": True})
        await act(pilot, "save")
        lena = Staff.get(Staff.username == "lfischer")
        assert lena.commitment_signed_on == date(2026, 11, 2) and lena.roles == "privacy_officer technician"
        await highlight(pilot, "jschulz")
        await act(pilot, "deactivate")
        assert isinstance(app.screen, ConfirmScreen) and "Deactivate jschulz?" in screen_text(app)
        await act(pilot, "yes")
        assert not Staff.get(Staff.username == "jschulz").active
        await highlight(pilot, "jschulz")
        await act(pilot, "reactivate")
        await act(pilot, "yes")
        assert Staff.get(Staff.username == "jschulz").active
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.actor == admin.username)]
    assert actions.count("staff.register") == 1 and actions.count("staff.update") == 3
