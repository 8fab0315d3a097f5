"""Helpers for the retention, access, accounting and timer screen tests: an app, settling, screen text."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any, Awaitable, Callable

from models.core.entities import Staff
from screens.shell.app import ConsoleApp, ConsoleInfo

HOSTILE_NAME = "[b]W[/b] [link=http://x]PC[/link]"  # markup-like text that must show literally


def aio(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (no async plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def console(operator: Staff, data_dir: Path, mode: str, **kwargs: Any) -> ConsoleApp:
    """An app for one operator in `mode`; a long refresh so that only the test decides when to refresh."""
    info = ConsoleInfo(
        operator_username=operator.username,
        operator_name=operator.name,
        database="sqlite:///test.db",
        data_dir=str(data_dir),
        schema_version=1,
        policy_version="builtin-2026-1",
        refresh_seconds=3600.0,
    )
    return ConsoleApp(operator, info, start_mode=mode, **kwargs)


async def settle(pilot: Any) -> None:
    """Let every worker finish and every posted message be handled (no sleeping on time).

    A loaded page may start the next load (the deletion records follow the highlighted run),
    so this goes on until a pass finds no worker left, at least three passes. A form's submit
    worker may be waiting for a question the test has still to answer, so it is not awaited.
    """
    for n in range(20):
        busy = [w for w in pilot.app.workers if not w.is_finished and w.group != "submit"]
        for worker in busy:
            try:
                await worker.wait()
            except Exception:
                pass
        await pilot.pause()
        if n >= 2 and all(worker.is_finished or worker.group == "submit" for worker in pilot.app.workers):
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


def screen_text(app: ConsoleApp) -> str:
    """Everything the current screen shows, as plain text (what a user would read)."""
    from textual.widgets import DataTable, Static

    parts: list[str] = [str(widget.render()) for widget in app.screen.query(Static)]
    for table in app.screen.query(DataTable):
        for row_key in table.rows:
            parts.append(" | ".join(str(cell) for cell in table.get_row(row_key)))
    return "\n".join(parts)
