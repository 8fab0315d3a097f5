"""Audit: the hash-chained trail, newest first, and a verify action that shows its result."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

from models.browse.paging import ListQuery
from models.browse.people import AUDIT_SORTS, AuditRow, audit_page, verify_trail
from models.core.db import worker_connection
from models.core.i18n import _, ngettext
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column
from screens.kit.keys import binds, shown
from screens.kit.roles import refusal
from screens.kit.text import literal

COLUMNS = [
    Column("id", _("#"), 7, min=4),
    Column("at", _("When"), 16, priority=0),
    Column("actor", _("Who"), 10, min=8),
    Column("action", _("Action"), 20, priority=0, min=14),
    Column("ref", _("Ref"), 14, min=10, most=30),
    Column("detail", _("Detail"), 20, priority=2, min=10, most=80),
]
VERIFY_ROLES = ("privacy_officer", "admin")


def render_event(row: AuditRow) -> list[Text]:
    return [
        Text(str(row.id)),
        literal(row.at),
        literal(row.actor),
        literal(row.action),
        literal(row.ref),
        literal(row.detail),
    ]


class AuditScreen(MainScreen):
    MODE = "audit"
    BINDINGS = binds("verify", "filter", "open", filter="search")

    def compose_body(self) -> ComposeResult:
        yield Static(
            Text(_("Chain not checked yet: press {key} to verify.").format(key=shown("verify"))),
            id="verify-result",
            classes="panel",
        )
        with Horizontal(classes="filters"):
            yield Input(placeholder=_("who (username)"), id="q-actor")
            yield Input(placeholder=_("action starts with, e.g. session."), id="q-action")
        yield PagedTable(COLUMNS, self.fetch, render_event, sorts=AUDIT_SORTS, id="audit-table")

    def on_mount(self) -> None:
        self.query_one("#audit-table").focus()
        reason = refusal(self.operator, *VERIFY_ROLES)
        if reason:
            self.hint(_("Verify: {reason}").format(reason=reason))

    def fetch(self, after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None) -> Any:
        return audit_page(
            self.query_one("#q-actor", Input).value, self.query_one("#q-action", Input).value, after, limit, q
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "verify" and refusal(self.operator, *VERIFY_ROLES):
            return None
        return True

    def action_search(self) -> None:
        self.query_one("#q-actor", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        table = self.query_one("#audit-table", PagedTable)
        table.restart()
        table.focus()

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Enter on an event: open the record it names (order, session, consent, request, customer, batch)."""
        from screens.shell.palette import opener

        row = self.query_one("#audit-table", PagedTable).selected()
        if row is None:
            return
        open_it = opener(self.app, row.ref or "")
        if open_it is None:
            self.hint(_("Event {id} names no record that can be opened.").format(id=row.id))
        else:
            open_it()

    def action_verify(self) -> None:
        self.query_one("#verify-result", Static).update(Text(_("verifying …")))
        self.verify()

    @work(thread=True, exit_on_error=False, exclusive=True, group="verify")
    def verify(self) -> None:
        with worker_connection():
            result = verify_trail(self.operator)
        self.app.call_from_thread(self.show_result, result)

    def show_result(self, result: Any) -> None:
        if result.ok:
            text = Text(
                ngettext(
                    "✓ Chain intact: {n} event checked.", "✓ Chain intact: {n} events checked.", result.checked
                ).format(n=result.checked),
                style="bold",
            )
        else:
            text = Text(
                _("✗ Chain BROKEN at event {id}: {problem} ({n} events checked before it).").format(
                    id=result.first_bad_id, problem=result.problem, n=result.checked
                ),
                style="bold",
            )
        box = self.query_one("#verify-result", Static)
        box.update(text)
        box.set_class(result.ok, "ok")  # colours come from the theme (console.tcss)
        box.set_class(not result.ok, "bad")
        self.refresh_data()
