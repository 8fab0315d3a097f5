"""Every main screen in German at 80x24, in a process that imported the screens in German.

Not collected on its own (the suite runs in English); tests/test_screens_german.py runs it as
SUPPORT24_TEST_LANGUAGE=de pytest tests/screens_de.py and passes --snapshot-update on.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from console.jobs import billing_export
from models.access import requests as access
from models.billing import outbox as billing
from models.core import audit
from models.core.i18n import current_language
from tests.support import access_seed
from tests.support.fit import everyone, form_problems, look
from tests.support.screens import aio, console, make_app, settle, world
from tests.test_screens_access import requests
from tests.test_screens_accounting import billing_world
from tests.test_screens_retention import build_world

SIZE = (80, 24)
MODES = ["dashboard", "sessions", "orders", "consents", "people", "audit", "help"]


@pytest.fixture(autouse=True)
def german() -> None:
    assert current_language() == "de", "run with SUPPORT24_TEST_LANGUAGE=de (tests/test_screens_german.py does)"


@pytest.mark.parametrize("mode", MODES)
def test_main_screen_de(snap_compare, db, fixed_clock, mode: str) -> None:
    w = world()
    audit.record("mmueller", "demo.snapshot")
    app = make_app(w["tech"] if mode != "audit" else w["officer"], start_mode=mode)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_retention_de(snap_compare, db, fixed_clock, isolated_dirs: Path) -> None:
    w = build_world(isolated_dirs)
    assert snap_compare(console(w.officer, isolated_dirs, "retention"), terminal_size=SIZE, run_before=settle)


def test_access_de(snap_compare, db, fixed_clock, isolated_dirs: Path) -> None:
    w = access_seed.seed()
    requests(w.officer)
    assert snap_compare(console(w.officer, isolated_dirs, "access"), terminal_size=SIZE, run_before=settle)


def test_access_detail_de(snap_compare, db, fixed_clock, isolated_dirs: Path) -> None:
    w = access_seed.seed()
    request = access.open_request(
        w.officer, name="Erika Weber", received_on=date(2026, 11, 24), channel="letter", customer_number="K-10042"
    )
    access.verify_identity(w.officer, request.ref, "Unterschrift mit dem Vertrag verglichen")

    async def opened(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(console(w.officer, isolated_dirs, "access"), terminal_size=SIZE, run_before=opened)


def test_accounting_de(snap_compare, db, fixed_clock, isolated_dirs: Path) -> None:
    _tech, accountant = billing_world()
    assert snap_compare(console(accountant, isolated_dirs, "accounting"), terminal_size=SIZE, run_before=settle)


def test_accounting_batches_de(snap_compare, db, fixed_clock, isolated_dirs: Path, tmp_path: Path) -> None:
    _tech, accountant = billing_world()
    billing_export.export(accountant, tmp_path / "erp")
    billing.acknowledge(accountant, 1, date(2026, 11, 24))

    async def batches(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)

    assert snap_compare(console(accountant, isolated_dirs, "accounting"), terminal_size=SIZE, run_before=batches)


def test_session_start_form_de(snap_compare, db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")

    async def show_form(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        app.set_focus(None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=show_form)


def test_order_detail_de(snap_compare, db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")

    async def open_detail(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        table = app.screen.query_one("#orders-table")
        table.move_cursor(row=table.get_row_index("A-2026-0002"))
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_detail)


def test_command_palette_de(snap_compare, db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="dashboard")

    async def palette(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=palette)


@pytest.mark.parametrize(
    "mode", ["sessions", "orders", "consents", "retention", "access", "accounting", "people", "audit"]
)
@aio
async def test_german_lists_show_their_deciding_columns_whole_at_80x24(db, fixed_clock, isolated_dirs, mode) -> None:
    """German words are longer: the state, answer, class and hold columns must still be whole, nothing sideways."""
    app = make_app(everyone(), start_mode=mode, data_dir=isolated_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await look(pilot, mode, SIZE)


@pytest.mark.parametrize(("mode", "key"), [("people", "n"), ("people", "u"), ("sessions", "s")])
@aio
async def test_german_forms_show_their_whole_title_and_save_at_80x24(db, fixed_clock, mode, key) -> None:
    """German titles are longer: the staff form's title wraps instead of being cut, Save stays in reach."""
    app = make_app(everyone(), start_mode=mode)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert form_problems(app) == []
