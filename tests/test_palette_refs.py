"""The palette: a typed reference is looked up in a worker and opened, or named as unknown; actions by role."""

from __future__ import annotations

from tests.support.screens import aio, make_app, settle, world


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


@aio
async def test_an_unknown_reference_is_named_and_nothing_opens(db, fixed_clock) -> None:
    from screens.shell.palette import ReferenceProvider

    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        below = app.screen
        for typed, said in (
            ("A-2099-9999", "no order A-2099-9999"),
            ("S-2099-9999", "no session S-2099-9999"),
            ("AR-2099-9999", "no access request AR-2099-9999"),
            ("K-99999", "no customer K-99999"),
            ("batch 77", "no billing batch 77"),
        ):
            [(_text, _help, open_it)] = ReferenceProvider(app.screen).reference_hits(typed)
            open_it()
            await settle(pilot)
            assert said in notes(app)
            assert app.screen is below, typed  # nothing opened, no other screen


@aio
async def test_a_known_request_opens_from_the_palette(db, fixed_clock, isolated_dirs) -> None:
    from datetime import date

    from models.access import requests as access
    from screens.access.detail import AccessDetailScreen
    from screens.shell.palette import ReferenceProvider
    from tests.support import access_seed
    from tests.support.screens import console

    seeded = access_seed.seed()
    request = access.open_request(seeded.officer, name="Erika Weber", received_on=date(2026, 11, 24), channel="letter")
    app = console(seeded.officer, isolated_dirs, "dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        [(text, _help, open_it)] = ReferenceProvider(app.screen).reference_hits(request.ref.lower())
        assert text == f"Open access request {request.ref}"
        open_it()
        await settle(pilot)
        assert isinstance(app.screen, AccessDetailScreen) and app.screen.ref == request.ref


@aio
async def test_the_palette_offers_the_screen_actions_the_role_allows_with_their_map_keys(db, fixed_clock) -> None:
    from screens.shell.palette import ReferenceProvider

    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the newest order's detail
        await settle(pilot)
        texts = [text for text, _help, _cb in ReferenceProvider(app.screen).action_hits()]
        assert "Complete (f)" in texts  # the key map's key, not o (o sorts)
        assert not any(text.startswith("Hold") for text in texts)  # a technician may not place a hold
    app = make_app(w["officer"], start_mode="orders")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        texts = [text for text, _help, _cb in ReferenceProvider(app.screen).action_hits()]
        assert "Hold (h)" in texts
