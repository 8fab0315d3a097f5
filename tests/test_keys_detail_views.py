"""`/` and `o` on the order and session details too: the detail's lists narrow on the database
(the text taken literally) and turn round; a list cut at its cap says so; consents in words;
the bulk-exclude question names the key of the map. At 80x24."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from models.access import requests as access
from models.core.entities import ChatMessage, RemoteSession
from models.sessions import sessions
from models.sessions.sessions import SessionInput
from screens.kit.keys import key_of, shown
from tests.support import access_seed
from tests.support.screens import aio, console, make_app, screen_text, settle, world
from tests.support.workflow import act, type_in

FILTER = key_of("filter").key
SORT = key_of("sort").key
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def chat_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The chat lines the session detail shows, top to bottom."""
    return re.findall(r"(line \d+|price 5% off)", screen_text(app))


async def open_running_session(pilot, app) -> None:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#orders-table")
    table.move_cursor(row=table.get_row_index("A-2026-0001"))
    await act(pilot, "open")  # the order
    await act(pilot, "open")  # its one session


@aio
async def test_slash_and_o_on_the_session_detail_and_its_cap_said(db, fixed_clock) -> None:
    w = world()
    session = RemoteSession.get(RemoteSession.ref == w["running"].ref)
    ChatMessage.delete().where(ChatMessage.session == session).execute()
    rows = [
        {"session": session.id, "at": T0 + timedelta(seconds=i + 1), "sender": "customer", "text": f"line {i:03d}"}
        for i in range(250)
    ]
    rows.insert(
        120,
        {
            "session": session.id,
            "at": T0 + timedelta(seconds=120, milliseconds=500),
            "sender": "customer",
            "text": "price 5% off",
        },
    )
    ChatMessage.insert_many(rows).execute()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_running_session(pilot, app)
        detail = app.screen
        lines = chat_lines(app)
        assert lines[0] == "line 000" and len(lines) == 200  # oldest first, cut at the cap …
        assert "showing 200 of 251" in screen_text(app)  # … and said so
        await pilot.press(SORT)
        await settle(pilot)
        lines = chat_lines(app)
        assert lines[0] == "line 249" and len(lines) == 200
        assert "lists newest first" in screen_text(app)
        # `/`: the text literally, so % and _ are no wildcards
        await pilot.press(FILTER, *"5%", "enter")
        await settle(pilot)
        assert chat_lines(app) == ["price 5% off"]
        assert "showing 200" not in screen_text(app)
        await pilot.press(FILTER, "ctrl+a", "ctrl+k", *"line_1", "enter")
        await settle(pilot)
        assert chat_lines(app) == []
        await pilot.press(FILTER, "escape")
        await settle(pilot)
        assert app.screen is detail  # esc clears the filter; it does not leave the detail
        assert len(chat_lines(app)) == 200 and chat_lines(app)[0] == "line 249"


@aio
async def test_the_session_detail_names_consent_kinds_and_methods_in_words(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orders-table")
        table.move_cursor(row=table.get_row_index("A-2026-0002"))
        await act(pilot, "open")
        await act(pilot, "open")
        text = screen_text(app)
        assert "others see the screen" in text and "verbally" in text
        assert "screen_visibility" not in text and "verbal " not in text


@aio
async def test_slash_and_o_on_the_order_detail(db, fixed_clock) -> None:
    w = world()
    second = sessions.start_session(
        w["tech"],
        SessionInput(
            order="A-2026-0001",
            technician="jschulz",
            customer_ip=None,
            workstation="LAGER",
            customer_person=None,
            screen_private=True,
            started_at=T0 + timedelta(hours=1),
        ),
    )
    first = w["running"].ref
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orders-table")
        table.move_cursor(row=table.get_row_index("A-2026-0001"))
        await act(pilot, "open")
        text = screen_text(app)
        assert text.index(first) < text.index(second.ref)  # oldest first
        await pilot.press(SORT)
        await settle(pilot)
        text = screen_text(app)
        assert text.index(second.ref) < text.index(first)
        assert "lists newest first" in text
        await pilot.press(FILTER, *"jschulz", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert second.ref in text and first not in text
        assert "Data and retention" in text and "billing" in text  # the categories stay whole
        await pilot.press(FILTER, "escape")
        await settle(pilot)
        assert first in screen_text(app) and second.ref in screen_text(app)


@aio
async def test_the_bulk_exclude_question_names_the_include_key_of_the_map(db, fixed_clock, isolated_dirs) -> None:
    world_ = access_seed.seed()
    request = access.open_request(
        world_.officer, name="Erika Weber", received_on=date(2026, 11, 24), channel="letter", customer_number="K-10042"
    )
    access.verify_identity(world_.officer, request.ref, "signature compared with the contract")
    app = console(world_.officer, isolated_dirs, "access")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "open")
        await act(pilot, "compile")
        await act(pilot, "exclude_kind")
        await type_in(pilot, reason="a namesake")
        await act(pilot, "save")
        question = screen_text(app)
        assert f"They can be included again ({shown('include_kind')})." in question
        assert "(I)" not in question
        await act(pilot, "no")
