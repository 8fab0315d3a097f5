"""Helpers for the screen tests: an app around an operator, settling, what the screen shows, a small world.

Screen tests import from here (never from another test module).
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.content import Content
from textual.widgets import DataTable, Static

from models.core.entities import Staff
from models.retention import holds
from models.sessions import sessions
from models.sessions.sessions import ConsentInput, SessionInput
from screens.shell.app import ConsoleApp, ConsoleInfo
from tests.support import factories, purge_world

HOSTILE = "[bold red]x[/] [link=http://x]y[/link] \x1b[31mred"
SHOWN = "[bold red]x[/] [link=http://x]y[/link] [31mred"  # ESC removed, the rest literal
HOSTILE_NAME = "[b]W[/b] [link=http://x]PC[/link]"  # markup-like; names refuse control characters already
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}  # the terminal sizes of the snapshots


def aio(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (no async plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def make_app(
    operator: Staff,
    *,
    start_mode: str = "dashboard",
    refresh_seconds: float = 3600.0,
    data_dir: Path | str = "/data",
    **kwargs: Any,
) -> ConsoleApp:
    """An app for one operator; a long refresh so that only the test decides when to refresh."""
    info = ConsoleInfo(
        operator_username=operator.username,
        operator_name=operator.name,
        database="sqlite:///test.db",
        data_dir=str(data_dir),
        schema_version=1,
        policy_version="builtin-2026-1",
        refresh_seconds=refresh_seconds,
    )
    return ConsoleApp(operator, info, start_mode=start_mode, **kwargs)


def console(operator: Staff, data_dir: Path, mode: str, **kwargs: Any) -> ConsoleApp:
    """An app for one operator in `mode`, with its data folder (files, reports, backups)."""
    return make_app(operator, start_mode=mode, data_dir=data_dir, **kwargs)


def retention_app(operator: Staff, data_dir: Path) -> ConsoleApp:
    return console(operator, data_dir, "retention")


def build_world(data_dir: Path) -> purge_world.World:
    """The purge world with one order on hold (a reason with markup-like text)."""
    world = purge_world.build(data_dir)
    holds.place_hold(world.officer, world.order_refs["held"], "Billing dispute [b]Rechnung 7[/b]")
    return world


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
    """Let every worker finish and every posted message be handled (no sleeping on time).

    A loaded page may start the next load (the deletion records follow the highlighted run),
    so this goes on until a pass finds no worker left, at least three passes. A form's submit
    worker may be waiting for a consent form the test has still to fill: it is not awaited,
    only given its passes.
    """
    for n in range(20):
        for worker in [w for w in pilot.app.workers if not w.is_finished and w.group != "submit"]:
            try:
                await worker.wait()
            except Exception:  # a failed worker is the app's to show; the test reads the screen
                pass
        await pilot.pause()
        unfinished = [w for w in pilot.app.workers if not w.is_finished]
        if n >= 2 and not unfinished or n >= 4 and all(w.group == "submit" for w in unfinished):
            return


async def fill(pilot: Any, **values: Any) -> None:
    """Type into the current form's fields by name, as a user would."""
    from textual.widgets import Checkbox, Input, Select, TextArea

    for name, value in values.items():
        widget = pilot.app.screen.query_one(f"#f-{name}")
        if isinstance(widget, Input):
            widget.value = value
        elif isinstance(widget, TextArea):
            widget.text = value
        elif isinstance(widget, (Select, Checkbox)):
            widget.value = value
    await pilot.pause()


def rich_text(renderable: Any, width: int = 400) -> str:
    """A Rich renderable (a table, a group) as the plain text a terminal of `width` shows."""
    from rich.console import Console

    with open(os.devnull, "w") as devnull:
        out = Console(width=width, record=True, file=devnull, color_system=None)
        out.print(renderable)
        return out.export_text()


def screen_text(app: ConsoleApp) -> str:
    """Everything the current screen shows, as plain text (what a user would read)."""
    parts: list[str] = []
    for widget in app.screen.query(Static):
        visual = widget.render()
        parts.append(visual.plain if isinstance(visual, Content) else rich_text(widget.content))
    for table in app.screen.query(DataTable):
        for row_key in table.rows:
            parts.append(" | ".join(str(cell) for cell in table.get_row(row_key)))
    return "\n".join(parts)


def summary_text(app: ConsoleApp) -> str:
    """The retention summary panel (a rich Table, maybe with a line under it) as plain text."""
    return rich_text(app.screen.query_one("#ret-summary", Static).content, width=120)


def save_docs_screenshots(target: str = "docs/screens", size: tuple[int, int] = (120, 40)) -> list[str]:
    """Write the README screenshots (SVG, saved by Textual) from the fixed test world.

    Run from the project root: python -c "from tests.support.screens import save_docs_screenshots as s; s()"
    """
    import tempfile
    from pathlib import Path

    from models.core import clock
    from models.core.db import close_database, open_database
    from models.core.schema import ensure_schema
    from tests.support.env import NOW

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
