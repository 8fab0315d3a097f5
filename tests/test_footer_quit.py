"""At 80x24 the footer of every main screen shows ^q (quit) whole, left of the palette key.

Where the screen's keys do not all fit, the footer leaves out the mode keys (the mode bar shows
them), then filter and sort (the same on every list), then the last keys of the screen, and shows
`?` (help lists every key) instead.
The German labels are longer: the same checks run in a German process too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.core.i18n import _
from screens.compat import FooterKey
from screens.kit.keys import key_of
from screens.shell.modes import MODE_SPECS
from tests.support.fit import everyone
from tests.support.screens import aio, make_app, settle

ROOT = Path(__file__).resolve().parents[1]


def footer_keys(app) -> list[FooterKey]:  # type: ignore[no-untyped-def]
    return [key for key in app.screen.query(FooterKey) if key.display]


def whole_in_view(app, action: str) -> bool:  # type: ignore[no-untyped-def]
    """The key is drawn in full inside the terminal and not under the palette key docked on the right."""
    keys = footer_keys(app)
    palette = next((k for k in keys if k.has_class("-command-palette")), None)
    right = palette.region.x if palette is not None else app.size.width
    return any(k.action == action and k.region.width > 0 and k.region.right <= right for k in keys)


@pytest.mark.parametrize("mode", [spec.name for spec in MODE_SPECS])
@aio
async def test_quit_is_in_view_on_every_main_screen_at_80x24(db, fixed_clock, isolated_dirs, mode) -> None:
    app = make_app(everyone(), start_mode=mode, data_dir=isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert whole_in_view(app, "quit"), [(k.key, k.description, k.region) for k in footer_keys(app)]
        shown = [k for k in footer_keys(app) if not k.has_class("-command-palette")]
        assert all(k.region.right <= app.size.width for k in shown)


@aio
async def test_keys_left_out_at_80_come_back_when_the_terminal_is_wider(db, fixed_clock, isolated_dirs) -> None:
    app = make_app(everyone(), start_mode="sessions", data_dir=isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        narrow = {k.action for k in footer_keys(app)}
        assert "screen_help" in narrow and "filter" not in narrow and "quit" in narrow
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        wide = {k.action for k in footer_keys(app)}
        assert {"filter", "disclose", "quit"} <= wide and "screen_help" not in wide
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert whole_in_view(app, "quit")


@pytest.mark.skipif(os.environ.get("SUPPORT24_TEST_LANGUAGE") == "de", reason="this is the German run")
def test_quit_is_in_view_in_german_too() -> None:
    env = dict(os.environ, SUPPORT24_TEST_LANGUAGE="de", PYTHONPATH=str(ROOT))
    env.pop("LANGUAGE", None)
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0", __file__]
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


@aio
async def test_long_labels_take_their_short_word_before_a_key_is_left_out(db, fixed_clock, isolated_dirs) -> None:
    """At 80 columns the billing-date key stays in the accounting footer, as `B Date`."""
    app = make_app(everyone(), start_mode="accounting", data_dir=isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert whole_in_view(app, "change_date") and whole_in_view(app, "quit")
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        wide = {k.action: k.description for k in footer_keys(app)}
        assert wide["change_date"] == _(key_of("billing_date").label)  # the whole label when there is room


@aio
async def test_a_detail_screen_fills_its_footer_up_to_the_palette_key(db, fixed_clock, isolated_dirs) -> None:
    """The access request's detail (a footer with wider keys): quit in view, and no room for another key."""
    from datetime import date

    from models.access import requests as access
    from tests.support import access_seed

    world = access_seed.seed()
    request = access.open_request(
        world.officer, name="Erika Weber", received_on=date(2026, 11, 24), channel="letter", customer_number="K-10042"
    )
    access.verify_identity(world.officer, request.ref, "signature compared with the contract")
    app = make_app(world.officer, start_mode="access", data_dir=isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert whole_in_view(app, "quit")
        keys = footer_keys(app)
        palette = next(k for k in keys if k.has_class("-command-palette"))
        assert palette.region.right + palette.styles.margin.right == app.size.width
        last = max((k for k in keys if k is not palette), key=lambda k: k.region.right)
        assert palette.region.x - last.region.right < 16  # a left-out key of the detail would not have fit
