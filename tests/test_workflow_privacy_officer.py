"""The privacy officer's access request at 80x24, from the first key to what is stored: register, verify,
compile, exclude a namesake, export, deliver."""

from __future__ import annotations

from datetime import date

from models.core.entities import AccessRequest, AccessRequestExclusion
from screens.access.detail import AccessDetailScreen
from screens.kit.forms import ConfirmScreen
from tests.support import access_seed
from tests.support.screens import aio, console, screen_text, settle
from tests.support.workflow import act, type_in


@aio
async def test_privacy_officer_answers_an_access_request(db, fixed_clock, isolated_dirs, tmp_path) -> None:
    world = access_seed.seed()
    app = console(world.officer, isolated_dirs, "dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "mode.access")
        await act(pilot, "new")
        await type_in(
            pilot, name="Erika Weber", email="e.weber@mueller.example", customer="K-10042", workstations="EMPFANG-PC"
        )
        await act(pilot, "save")
        request = AccessRequest.get(AccessRequest.name == "Erika Weber")
        assert isinstance(app.screen, AccessDetailScreen) and app.screen.ref == request.ref
        await act(pilot, "verify")
        await type_in(pilot, method="signature compared with the contract")
        await act(pilot, "save")
        assert AccessRequest.get_by_id(request.id).state == "verified"
        await act(pilot, "compile")
        table = app.screen.query_one("#ad-matches")
        namesake = next(k for k in table.rows if "K-30003" in str(table.get_row(k)[1]))
        table.move_cursor(row=table.get_row_index(namesake))
        await pilot.pause()
        await act(pilot, "exclude")
        await type_in(pilot, reason="a design studio of the same name")
        await act(pilot, "save")
        assert AccessRequestExclusion.get().reason == "a design studio of the same name"
        out = tmp_path / "report.md"
        await act(pilot, "export_report")
        await type_in(pilot, fmt="md", lang="de", out=str(out))
        await act(pilot, "save")
        assert out.exists() and "kontakt@weber-design.example" not in out.read_text(encoding="utf-8")
        await act(pilot, "deliver")
        await act(pilot, "save")
        assert isinstance(app.screen, ConfirmScreen) and "cannot be taken back" in screen_text(app)
        await act(pilot, "yes")
        closed = AccessRequest.get_by_id(request.id)
        assert closed.state == "delivered" and closed.delivered_on == date(2026, 11, 24)
        assert closed.delivered_sha256 == closed.exported_sha256
