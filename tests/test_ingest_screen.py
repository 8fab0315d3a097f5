"""The dashboard shows logged connections without a screen-privacy record; the unrecorded-connections screen."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from console.importing.remote.ingest import ingest_files
from models.sessions.registers import LoggedConnection
from tests.support import factories as f
from tests.support.screens import aio, console, fill, screen_text, settle

DATA = Path(__file__).parent / "data" / "remote-tools"


def _world():
    me = f.staff("olga", roles="admin technician", name="Olga Operator", signed=date(2016, 1, 1))
    f.order("A-2017-0001", f.customer(), opened_at=datetime(2017, 1, 2, tzinfo=UTC))
    ingest_files(me, [DATA / "teamviewer_webapi_reports_connections_MOCK.json"])
    return me


@aio
async def test_dashboard_shows_the_finding_and_the_screen_dismisses_a_connection(db, fixed_clock, tmp_path) -> None:
    me = _world()
    app = console(me, tmp_path, "dashboard")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Logged connections without a screen-privacy record (P4): 2" in screen_text(app)
        app.show_unrecorded_connections()
        await settle(pilot)
        text = screen_text(app)
        assert "test-device1" in text and "test-device2" in text
        await pilot.press("delete")
        await settle(pilot)
        await fill(pilot, reason="Testverbindung")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert LoggedConnection.select().where(LoggedConnection.state == "pending").count() == 1
        assert "test-device1" not in screen_text(app)
