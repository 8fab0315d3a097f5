"""What the fit tests look at: the main lists, their deciding columns, and whether a table hides anything sideways."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import DataTable

from models.access import requests as access
from models.retention import holds
from models.sessions import sessions
from models.sessions.sessions import ConsentInput
from tests.support import billing, factories
from tests.support.screens import settle, world

#: mode, the tables to look at (the view key pressed before each), and the columns each must show
LISTS: list[tuple[str, list[tuple[str, str, set[str]]]]] = [
    ("sessions", [("", "#sessions-table", {"ref", "ip", "screen"})]),
    ("orders", [("", "#orders-table", {"ref", "state", "class", "hold"})]),
    ("consents", [("", "#consents-table", {"at", "answer", "kind"})]),
    (
        "retention",
        [("", "#ret-queue", {"due", "state"}), ("w", "#ret-runs", {"state"}), ("w", "#ret-holds", {"reason"})],
    ),
    ("access", [("", "#ar-table", {"ref", "due", "left", "state"})]),
    ("accounting", [("", "#acc-outbox", {"ref", "class"}), ("w", "#acc-batches", {"number", "ack", "billed"})]),
    ("people", [("", "#staff-table", {"user", "commit", "active"}), ("", "#customers-table", {"number", "name"})]),
    ("audit", [("", "#audit-table", {"at", "action"})]),
]
SIZES = [(80, 24), (100, 30), (120, 40)]


def shown_keys(table: DataTable[Any]) -> set[str]:
    return {str(key.value) for key in table.columns}


def overflow(table: DataTable[Any]) -> int:
    """How many cells the rows are wider than the table shows (0: nothing behind horizontal scrolling)."""
    width = sum(column.get_render_width(table) for column in table.ordered_columns)
    return max(0, width - table.scrollable_content_region.width)


def cut_headers(table: DataTable[Any]) -> list[str]:
    return [column.label.plain for column in table.ordered_columns if column.label.plain.endswith("…")]


def everyone() -> Any:
    """An operator with every role, over a world with a row in every list, with long words where lists have them."""
    w = world()
    sessions.record_consent(w["tech"], w["running"].ref, ConsentInput("recording", "Erika Weber", "verbal", False))
    root = factories.staff("root", "technician privacy_officer accounting admin", name="Root")
    request = access.open_request(
        root, name="Matthias Schmidhuber-Langenfeld", received_on=date(2026, 11, 20), channel="letter"
    )
    access.verify_identity(root, request.ref, "Personalausweis vorgelegt")
    access.compile_request(root, request.ref)
    customer = factories.customer("K-10077", "Rechtsanwälte Müller-Lüdenscheidt & Partner mbB")
    billing.completed_order(w["tech"], "A-2026-0003", customer, billing_class="billable")
    holds.place_hold(root, "A-2026-0003", "Billing dispute about the invoice of November, see the letter")
    return root


async def look(pilot: Any, mode: str, size: tuple[int, int]) -> None:
    app = pilot.app
    for key, selector, wanted in dict(LISTS)[mode]:
        if key:
            await pilot.press(key)
            await settle(pilot)
        table = app.screen.query_one(selector, DataTable)
        where = f"{mode} {selector} at {size[0]}x{size[1]}"
        assert wanted <= shown_keys(table), (where, shown_keys(table))
        assert overflow(table) == 0, (where, overflow(table))
        assert not cut_headers(table), (where, cut_headers(table))


def form_problems(app: Any) -> list[str]:
    """What keeps the open form from being used at this size: its title cut or off-screen, Save out of reach."""
    from textual.geometry import Region
    from textual.widgets import Button, Label

    screen = app.screen
    inside = Region(0, 0, *app.size)
    title = screen.query_one(".form-title", Label)
    save = screen.query_one("#form-save", Button)
    problems = []
    if not inside.contains_region(title.region) or title.region.height == 0:
        problems.append(f"title outside the screen: {title.region}")
    if not inside.contains_region(save.region) or save.region.height == 0:
        problems.append(f"Save outside the screen: {save.region}")
    lines = title.render_lines(Region(0, 0, title.size.width, title.size.height))
    shown = " ".join("".join(segment.text for segment in line).strip() for line in lines)
    wanted = str(getattr(screen, "TITLE", "") or "")
    if wanted and " ".join(shown.split()) != " ".join(wanted.split()):
        problems.append(f"title cut: {shown!r} of {wanted!r}")
    return problems
