"""Unrecorded connections: what remote-tool logs show and no console session accounts for.

Reached from the command palette; `a` files the highlighted connection under an order,
`d` marks it as not customer work with a reason (both as `support24 ingest assign/dismiss`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static, TextArea

from models.browse.ingest import PENDING_SORTS, PendingRow, pending_page
from models.core.entities import Staff
from models.core.i18n import _
from models.sessions import reconcile
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column
from screens.kit.forms import FormScreen
from screens.kit.keys import bind, binds
from screens.kit.roles import refusal
from screens.kit.text import literal

COLUMNS = [
    Column("id", _("#"), 6, priority=0),
    Column("tool", _("Tool"), 10, min=6),
    Column("start", _("Start"), 16, priority=0),
    Column("end", _("End"), 16, priority=2),
    Column("tech", _("Technician"), 12, min=8, short=_("Tech")),
    Column("partner", _("Partner"), 14, priority=2, min=8, most=30),
    Column("device", _("Device"), 14, priority=0, min=8, most=30),
]


def render_pending(row: PendingRow) -> list[Text]:
    return [
        Text(str(row.id)),
        Text(row.tool),
        literal(row.started_at),
        literal(row.ended_at) if row.ended_at else Text(_("open")),
        literal(row.technician),
        literal(row.partner),
        literal(row.device),
    ]


@dataclass(frozen=True)
class AssignInput:
    order: str
    technician: str | None
    screen_private: bool | None


class AssignForm(FormScreen[AssignInput]):
    TITLE = _("File the connection under an order")

    def __init__(self, operator: Staff, connection_id: int) -> None:
        super().__init__()
        self.operator = operator
        self.connection_id = connection_id

    def compose_fields(self) -> ComposeResult:
        yield from self.field("order", _("Order ref"), Input(placeholder="A-2026-0001"))
        yield from self.field("technician", _("Technician (if the log does not say)"), Input())
        choices = [(_("not known (stays a P4 finding)"), "unknown"), (_("yes"), "yes"), (_("no"), "no")]
        yield from self.field(
            "screen_private", _("Could only the technician see the screen?"), Select(choices, value="unknown")
        )

    def collect(self) -> AssignInput:
        private = self.value("screen_private")
        return AssignInput(
            self.required("order"),
            self.optional("technician"),
            None if private in ("", "unknown") else private == "yes",
        )

    def perform(self, data: AssignInput) -> None:
        reconcile.assign(
            self.operator,
            self.connection_id,
            data.order,
            technician=data.technician,
            screen_private=data.screen_private,
        )


class DismissForm(FormScreen[str]):
    TITLE = _("Not customer work")

    def __init__(self, operator: Staff, connection_id: int) -> None:
        super().__init__()
        self.operator = operator
        self.connection_id = connection_id

    def compose_fields(self) -> ComposeResult:
        yield from self.field("reason", _("Reason (e.g. an internal test)"), TextArea())

    def collect(self) -> str:
        return self.required("reason")

    def perform(self, data: str) -> None:
        reconcile.dismiss(self.operator, self.connection_id, data)


class UnrecordedConnectionsScreen(MainScreen):
    MODE = "dashboard"
    BINDINGS = [
        *binds("assign", "not_work", not_work="dismiss_connection"),
        bind("back", show=True),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(
            Text(_("Unrecorded connections: in a remote tool's log, with no session in the console"), style="bold"),
            classes="panel",
        )
        yield PagedTable(
            COLUMNS, pending_page, render_pending, sorts=PENDING_SORTS, filterable=True, id="pending-table"
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#pending-table").focus()
        reason = refusal(self.operator, *reconcile.INGEST_ROLES)
        if reason:
            self.hint(reason)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("assign", "dismiss_connection") and refusal(self.operator, *reconcile.INGEST_ROLES):
            return None
        return True

    def _selected(self) -> int | None:
        row = self.query_one("#pending-table", PagedTable).selected()
        return row.id if row is not None else None

    def _after(self, result: Any) -> None:
        if result is not None:
            self.refresh_data()

    def action_assign(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.app.push_screen(AssignForm(self.operator, selected), self._after)

    def action_dismiss_connection(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.app.push_screen(DismissForm(self.operator, selected), self._after)

    def action_back(self) -> None:
        self.app.pop_screen()
