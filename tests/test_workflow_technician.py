"""The technician's day at 80x24, from the first key to what is stored: start a shared-screen session with the
customer's consent, log an activity and a chat line, end the session."""

from __future__ import annotations

from models.core.entities import ActivityEvent, ChatMessage, Consent, RemoteSession
from screens.kit.forms import ConfirmScreen
from screens.sessions.forms import ConsentForm, StartSessionForm
from tests.support.screens import aio, make_app, screen_text, settle, world
from tests.support.workflow import act, type_in


@aio
async def test_technician_starts_logs_and_ends_a_session(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "mode.sessions")
        await act(pilot, "start_session")
        assert isinstance(app.screen, StartSessionForm)
        await type_in(
            pilot,
            order="A-2026-0001",
            customer_ip="203.0.113.9",
            workstation="BUCHHALTUNG-PC",
            customer_person="Erika Weber",
            screen_private=False,
        )
        await act(pilot, "save")
        assert isinstance(app.screen, ConsentForm)  # the rest was checked; now the customer is asked
        await type_in(pilot, granted=True)
        await act(pilot, "save")
        new = RemoteSession.select().order_by(RemoteSession.id.desc()).get()
        assert new.workstation == "BUCHHALTUNG-PC" and not new.screen_private and new.ended_at is None
        consent = Consent.get(Consent.session == new)
        assert consent.kind == "screen_visibility" and consent.granted and consent.given_by == "Erika Weber"
        assert app.screen.table.selected().ref == new.ref  # the next key goes to the new session
        await act(pilot, "activity")
        await type_in(pilot, action="driver update", detail="printer driver 5.2")
        await act(pilot, "save")
        assert ActivityEvent.get(ActivityEvent.session == new).detail == "printer driver 5.2"
        await act(pilot, "chat")
        await type_in(pilot, text="Der Drucker druckt wieder.")
        await act(pilot, "save")
        assert ChatMessage.get(ChatMessage.session == new).text == "Der Drucker druckt wieder."
        await act(pilot, "end_session")
        assert isinstance(app.screen, ConfirmScreen) and f"End session {new.ref} now?" in screen_text(app)
        await act(pilot, "yes")
        assert RemoteSession.get_by_id(new.id).ended_at is not None
