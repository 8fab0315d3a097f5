"""Shared builders for the screen tests: a small fixed world and an app around an operator."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from typing import Any

from models.core.entities import Customer, Order, RemoteSession, Staff
from models.sessions import sessions
from models.sessions.sessions import ConsentInput, SessionInput
from screens.shell.app import ConsoleApp, ConsoleInfo
from tests.support import factories

HOSTILE = "[bold red]x[/] [link=http://x]y[/link] \x1b[31mred"
SHOWN = "[bold red]x[/] [link=http://x]y[/link] [31mred"  # ESC removed, the rest literal
HOSTILE_NAME = "[b]W[/b] [link=http://x]PC[/link]"  # names refuse control characters already


def aio(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (no async plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def make_app(operator: Staff, *, start_mode: str = "dashboard", refresh_seconds: float = 3600.0) -> ConsoleApp:
    """An app for one operator; a long refresh so that only the test decides when to refresh."""
    info = ConsoleInfo(
        operator_username=operator.username,
        operator_name=operator.name,
        database="sqlite:///test.db",
        data_dir="/data",
        schema_version=1,
        policy_version="builtin-2026-1",
        refresh_seconds=refresh_seconds,
    )
    return ConsoleApp(operator, info, start_mode=start_mode)


def world() -> dict[str, Any]:
    """Staff, two customers, an open order with one running session, a completed order."""
    tech = factories.staff("mmueller", "technician", name="Max Müller")
    colleague = factories.staff("jschulz", "technician", name="Jana Schulz")
    officer = factories.staff("dpo", "privacy_officer", name="Petra Privacy")
    accountant = factories.staff("acc", "accounting", name="Alex Accounting", signed=None)
    customer = factories.customer("K-10042", "Bäckerei Schmidt")
    hostile = factories.customer("K-66666", HOSTILE)
    order = factories.order("A-2026-0001", customer, opened_at=datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc))
    running = sessions.start_session(
        tech,
        SessionInput(
            order=order.ref,
            technician="mmueller",
            customer_ip="203.0.113.7",
            workstation="EMPFANG-PC",
            customer_person="Erika Weber",
            screen_private=True,
            started_at=datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc),
        ),
    )
    sessions.add_chat(tech, running.ref, "customer", HOSTILE, at=datetime(2026, 11, 24, 9, 5, tzinfo=timezone.utc))
    other = factories.order("A-2026-0002", hostile, opened_at=datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))
    shared = sessions.start_session(
        tech,
        SessionInput(
            order=other.ref,
            technician="mmueller",
            customer_ip="198.51.100.4",
            workstation=HOSTILE_NAME,
            customer_person="Olaf Offen",
            screen_private=False,
            started_at=datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc),
            consents=[
                ConsentInput(
                    "screen_visibility",
                    "Olaf Offen",
                    "verbal",
                    True,
                    at=datetime(2026, 11, 23, 8, 59, tzinfo=timezone.utc),
                )
            ],
        ),
    )
    sessions.end_session(tech, shared.ref, ended_at=datetime(2026, 11, 23, 9, 40, tzinfo=timezone.utc))
    from models.sessions import orders

    orders.complete_order(tech, other.ref, completed_at=datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    return {
        "tech": tech,
        "colleague": colleague,
        "officer": officer,
        "accountant": accountant,
        "customer": customer,
        "hostile": hostile,
        "order": order,
        "running": running,
        "shared": shared,
        "other": other,
    }


async def settle(pilot: Any) -> None:
    """Let the workers finish and their messages be handled (no sleeping on time).

    A form's submit worker may be waiting for a consent form the test has still to fill, so
    only the other workers are awaited.
    """
    for _ in range(4):
        busy = [w for w in pilot.app.workers if not w.is_finished and w.group != "submit"]
        for worker in busy:
            try:
                await worker.wait()
            except Exception:
                pass
        await pilot.pause()


def screen_text(app: ConsoleApp) -> str:
    """Everything the current screen shows, as plain text (what a user would read)."""
    from rich.console import Console
    from textual.widgets import DataTable, Static

    console = Console(width=400, record=True, file=open("/dev/null", "w"), color_system=None)
    parts: list[str] = []
    for widget in app.screen.query(Static):
        content = widget.content
        if isinstance(content, str):
            parts.append(content)
        else:
            console.print(content)
            parts.append(console.export_text())
    for table in app.screen.query(DataTable):
        for row_key in table.rows:
            parts.append(" | ".join(str(cell) for cell in table.get_row(row_key)))
    return "\n".join(parts)


__all__ = ["Customer", "Order", "RemoteSession", "date"]


def save_docs_screenshots(target: str = "docs/screens", size: tuple[int, int] = (120, 40)) -> list[str]:
    """Write the README screenshots (SVG, saved by Textual) from the fixed test world.

    Run from the project root: python -c "from tests.test_screens_support import save_docs_screenshots as s; s()"
    """
    import tempfile
    from pathlib import Path

    from models.core import clock
    from models.core.db import close_database, open_database
    from models.core.schema import ensure_schema
    from tests.conftest import NOW

    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        open_database(f"sqlite:///{tmp}/docs.db")
        ensure_schema()
        clock.set_clock(clock.FixedClock(NOW))
        try:
            w = world()

            async def shoot(mode: str) -> None:
                app = make_app(w["officer"] if mode == "audit" else w["tech"], start_mode=mode)
                async with app.run_test(size=size) as pilot:
                    await settle(pilot)
                    app.save_screenshot(filename=f"{mode}.svg", path=str(folder))
                    written.append(str(folder / f"{mode}.svg"))

            for mode in ("dashboard", "sessions", "orders", "consents", "people", "audit", "help"):
                asyncio.run(shoot(mode))
        finally:
            clock.reset_clock()
            close_database()
    return written
