"""Active sessions: the live list, starting, consent first, colleagues, disclosures, ending, refusals."""

from __future__ import annotations

from datetime import timedelta

from models.core.entities import Consent, Order, Participant, RemoteSession
from tests.support.screens import aio, make_app, screen_text, settle, world


@aio
async def test_list_shows_running_sessions_with_elapsed_time(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert w["running"].ref in text and "1:00:00" in text
        assert w["shared"].ref not in text  # ended
        fixed_clock.advance(minutes=5)
        app.screen.tick_elapsed()
        assert "1:05:00" in screen_text(app)


async def fill(pilot, form, **values) -> None:  # type: ignore[no-untyped-def]
    """Type into a form's inputs by field name, as a user would."""
    from textual.widgets import Checkbox, Input, Select

    for name, value in values.items():
        widget = form.query_one(f"#f-{name}")
        if isinstance(widget, Input):
            widget.value = value
        elif isinstance(widget, Checkbox):
            widget.value = bool(value)
        elif isinstance(widget, Select):
            widget.value = value
    await pilot.pause()


@aio
async def test_whole_job_shared_screen_consent_colleague_activity_chat_end(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        form = app.screen
        await fill(
            pilot,
            form,
            order="",
            customer="K-10042",
            customer_ip="192.0.2.1",
            workstation="KASSE-2",
            customer_person="Erika Weber",
            screen_private=False,
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        consent = app.screen
        assert "Consent first: others see the screen" in screen_text(app)
        assert consent.query_one("#f-given_by").value == "Erika Weber"
        await fill(pilot, consent, granted=True)
        await pilot.press("ctrl+s")
        await settle(pilot)
        started = RemoteSession.get(RemoteSession.workstation == "KASSE-2")
        assert not started.screen_private and started.order.customer.number == "K-10042"
        assert Consent.get(Consent.session == started).kind == "screen_visibility"
        assert f"Session {started.ref} started." in [n.message for n in app._notifications]
        table = app.screen.table
        table.move_cursor(row=table.get_row_index(started.ref))
        await pilot.pause()
        # a colleague: consent form comes first
        await pilot.press("t")
        await fill(pilot, app.screen, username="jschulz")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Consent first: second technician" in screen_text(app)
        await fill(pilot, app.screen, given_by="Erika Weber", granted=True)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Participant.get(Participant.session == started).staff.username == "jschulz"
        # activity with a file transfer, a chat line
        await pilot.press("a")
        await fill(
            pilot, app.screen, file_name="drv.zip", file_direction="download", file_size="1024", file_sha256="a" * 64
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert started.activity.get().file_name == "drv.zip"
        await pilot.press("c")
        await fill(pilot, app.screen, text="Danke!")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert started.chat.get().text == "Danke!"
        # end it
        fixed_clock.advance(minutes=30)
        await pilot.press("e")
        await pilot.press("y")
        await settle(pilot)
        assert RemoteSession.get_by_id(started.id).ended_at is not None
        assert started.ref not in screen_text(app)


@aio
async def test_cancelled_consent_starts_nothing(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await fill(pilot, app.screen, order="A-2026-0001", customer_person="Erika Weber", screen_private=False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")  # the customer was not asked
        await settle(pilot)
        assert "starts only after the customer's consent" in screen_text(app)
        assert RemoteSession.select().count() == 2
        assert Order.select().count() == 2


@aio
async def test_refusals_are_shown_in_the_form_and_nothing_is_saved(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.press("ctrl+s")  # neither order nor customer
        await settle(pilot)
        assert "give an order ref, or a customer number" in str(app.screen.query_one("#e-order").render())
        # a new order for a customer and a technician without commitment: refused, no order left behind
        await fill(pilot, app.screen, customer="K-10042", technician="acc")
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = screen_text(app)
        assert "no written confidentiality commitment" in shown or "is not a technician" in shown
        assert Order.select().count() == 2
        await fill(pilot, app.screen, technician="mmueller", customer_ip="300.1.1.1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(app.screen.query_one("#e-customer_ip").render()).strip()
        assert Order.select().count() == 2 and RemoteSession.select().count() == 2
        # a colleague whose consent is refused does not join
        await pilot.press("escape", "y")
        await settle(pilot)
        await pilot.press("t")
        await fill(pilot, app.screen, username="jschulz")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await fill(pilot, app.screen, given_by="Erika Weber", granted=False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "consent must be recorded first" in screen_text(app)
        assert Participant.select().count() == 0


@aio
async def test_operator_without_role_sees_actions_disabled_with_reason(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["accountant"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "lacks the role technician or admin" in screen_text(app)
        assert app.screen.check_action("start", ()) is None
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.MODE == "sessions"  # no form opened


@aio
async def test_disclosure_on_consent_asks_consent_first(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await fill(pilot, app.screen, recipient="Hersteller XY", scope="Fehlerprotokoll")
        app.screen.query_one("#f-category-system_info").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Consent first: disclosure" in screen_text(app)
        await fill(pilot, app.screen, granted=True)
        await pilot.press("ctrl+s")
        await settle(pilot)
        disclosure = w["running"].disclosures.get()
        assert disclosure.recipient == "Hersteller XY" and disclosure.consent is not None


@aio
async def test_live_refresh_by_timer_callback_only_when_visible(db, fixed_clock) -> None:
    from models.sessions import sessions
    from models.sessions.sessions import SessionInput

    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.refresh_timer is not None  # armed after the first load
        fixed_clock.advance(minutes=10)
        other = sessions.start_session(
            w["colleague"],
            SessionInput(  # another console starts one
                order="A-2026-0001",
                technician="jschulz",
                customer_ip=None,
                workstation="LAGER",
                customer_person=None,
                screen_private=True,
            ),
        )
        assert other.ref not in screen_text(app)
        screen.refresh_tick()
        await settle(pilot)
        assert other.ref in screen_text(app) and "0:00:00" in screen_text(app)
        assert screen.refresh_timer is not None  # re-armed after the refresh
        # not visible: the tick only remembers; back on the screen it refreshes
        await pilot.press("1")
        await settle(pilot)
        sessions.end_session(w["colleague"], other.ref)
        screen.refresh_tick()
        assert screen.refresh_pending
        await pilot.press("2")
        await settle(pilot)
        assert other.ref not in screen_text(app)


@aio
async def test_customer_text_is_shown_literally(db, fixed_clock) -> None:
    from tests.support.screens import SHOWN

    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert SHOWN in shown and "\x1b" not in shown
        from models.core.entities import AuditEvent

        assert AuditEvent.select().where(AuditEvent.action == "session.read").count() == 1


_ = timedelta


@aio
async def test_the_privacy_checkbox_shows_its_state_without_colour(db, fixed_clock) -> None:
    """Over SSH on a monochrome terminal the box must read X when on and blank when off."""
    from screens.sessions.forms import StartSessionForm

    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(StartSessionForm(w["tech"]))
        await pilot.pause()
        box = app.screen.query_one("#f-screen_private")
        box.focus()
        await pilot.pause()
        assert str(box.render()).startswith("▐X▌ only the technician")
        await pilot.press("space")
        await pilot.pause()
        assert box.value is False and str(box.render()).startswith("▐ ▌ only the technician")
        await pilot.press("space")
        await pilot.pause()
        assert box.value is True and str(box.render()).startswith("▐X▌")
