"""While a long export runs in its worker, the console shows how far it is and about how long is
left: the access report's export form and the billing export form, in their status line; the
purge in the retention screen's hint. The worker is held between two pages by an Event (no sleeping)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from textual.widgets import Static

from console.reports import document
from models.access import data as access_data
from models.access import requests as access
from models.billing import outbox
from tests.support import access_seed
from tests.support import factories as f
from tests.support.billing import completed_order
from tests.support.screens import aio, console, fill, settle


class Hold:
    """Holds a worker after its first page until the test has read the screen."""

    def __init__(self) -> None:
        self.reached, self.release = threading.Event(), threading.Event()

    def pages(self, real):  # type: ignore[no-untyped-def]
        def held(*args, **kwargs):  # type: ignore[no-untyped-def]
            for n, page in enumerate(real(*args, **kwargs)):
                yield page
                if n == 0 and not self.reached.is_set():
                    self.reached.set()
                    self.release.wait(10)

        return held

    async def wait(self, pilot) -> None:  # type: ignore[no-untyped-def]
        assert await asyncio.to_thread(self.reached.wait, 10), "the worker never reached its second page"
        for _ in range(5):
            await pilot.pause()


def status(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#progress-status", Static).render())


@pytest.fixture
def hold() -> Hold:
    held = Hold()
    yield held
    held.release.set()  # never leave a worker waiting


@aio
async def test_a_slow_access_export_shows_records_of_the_total_and_the_time_left(
    db, fixed_clock, isolated_dirs, tmp_path: Path, monkeypatch, hold: Hold
) -> None:
    world = access_seed.seed()
    request = access.open_request(
        world.officer, name="Erika Weber", received_on="2026-11-24", channel="letter", customer_number="K-10042"
    )
    access.verify_identity(world.officer, request.ref, "Personalausweis vorgelegt")
    access.compile_request(world.officer, request.ref)
    monkeypatch.setattr(document, "PROGRESS_EVERY", 1)  # the seed is small: report every record
    monkeypatch.setattr(access_data, "_pages", hold.pages(access_data._pages))
    out = tmp_path / "report.json"
    app = console(world.officer, isolated_dirs, "access")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the request's detail
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await fill(pilot, fmt="json", out=str(out))
        await pilot.press("ctrl+s")
        await hold.wait(pilot)
        line = status(app)
        assert " of " in line and " records · about " in line and line.endswith(" left"), line
        hold.release.set()
        await settle(pilot)
        assert out.exists() and access.get_request(request.ref).state == "reviewed"


@aio
async def test_a_slow_billing_export_shows_records_of_the_total_and_the_time_left(
    db, fixed_clock, isolated_dirs, monkeypatch, hold: Hold
) -> None:
    me = f.staff("olga", roles="accounting technician", name="Olga Operator")
    customer = f.customer()
    for n in range(1, 4):
        completed_order(me, f"A-2026-000{n}", customer)
    monkeypatch.setattr(outbox, "_STREAM_PAGE", 1)  # three pages of one record
    monkeypatch.setattr(outbox, "_batch_rows", _held_rows(hold, outbox._batch_rows))
    app = console(me, isolated_dirs, "accounting")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await hold.wait(pilot)
        line = status(app)
        assert line.startswith("1 of 3 records · about ") and line.endswith(" left"), line
        hold.release.set()
        await settle(pilot)
        assert any(Path(isolated_dirs).rglob("support24-billing-000001.csv"))


def _held_rows(hold: Hold, real):  # type: ignore[no-untyped-def]
    """`_batch_rows` that stops before the second page until the test releases it."""
    calls = [0]

    def rows(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == 2 and not hold.reached.is_set():
            hold.reached.set()
            hold.release.wait(10)
        return real(*args, **kwargs)

    return rows


@aio
async def test_a_slow_purge_says_items_of_the_total_and_the_time_left_in_the_hint(
    db, fixed_clock, isolated_dirs, monkeypatch, hold: Hold
) -> None:
    from models.purge import service
    from tests.support.screens import build_world, screen_text

    world = build_world(isolated_dirs)
    real_purge = service.purge

    def purge(*args, progress=None, **kwargs):  # type: ignore[no-untyped-def]
        def held(done: int, total: int) -> None:
            progress(done, total)
            if 0 < done < total and not hold.reached.is_set():
                hold.reached.set()
                hold.release.wait(10)

        return real_purge(*args, progress=held if progress else None, **{**kwargs, "batch_size": 1})

    monkeypatch.setattr(service, "purge", purge)
    monkeypatch.setattr(service, "throttled", lambda report, **_kw: report)  # every batch, not once a second
    app = console(world.officer, isolated_dirs, "retention")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("y")
        await hold.wait(pilot)
        text = screen_text(app)
        assert "Purging: 1 of " in text and " items · about " in text and " left" in text, text
        hold.release.set()
        await settle(pilot)
