"""At 80x24 the dashboard shows every running session it counts (up to its first rows)."""

from __future__ import annotations

from datetime import datetime, timezone

from models.sessions import sessions
from models.sessions.sessions import SessionInput
from tests.support import factories
from tests.support.screens import aio, make_app, settle, world


def drawn(app) -> str:  # type: ignore[no-untyped-def]
    """The screen as the terminal shows it, row by row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@aio
async def test_every_running_session_counted_is_on_the_screen_at_80x24(db, fixed_clock) -> None:
    w = world()
    refs = [w["running"].ref]
    for n, minute in ((3, 10), (4, 20)):
        order = factories.order(
            f"A-2026-000{n}", w["customer"], opened_at=datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)
        )
        started = sessions.start_session(
            w["tech"],
            SessionInput(
                order=order.ref,
                technician="mmueller",
                customer_ip="203.0.113.9",
                workstation="BUERO-PC",
                customer_person="Erika Weber",
                screen_private=True,
                started_at=datetime(2026, 11, 24, 9, minute, tzinfo=timezone.utc),
            ),
        )
        refs.append(started.ref)
    app = make_app(w["tech"], start_mode="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = drawn(app)
        assert "Active sessions: 3" in screen
        assert [ref for ref in refs if ref not in screen] == []
