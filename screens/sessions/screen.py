"""Active sessions: the live list with elapsed time ticking, and every action on a running session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult

from models.browse.sessions import SESSION_SORTS, SessionRow, active_sessions
from models.core.db import worker_connection
from models.core.i18n import _
from models.sessions import sessions
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.keys import binds
from screens.kit.roles import refusal
from screens.kit.text import elapsed, literal

if TYPE_CHECKING:
    from screens.kit.forms import FormScreen

COLUMNS = [
    Column("ref", _("Session"), 11, priority=0),
    Column("elapsed", _("Elapsed"), 8, min=7),
    Column("customer", _("Customer"), 24, min=14, most=48),
    Column("tech", _("Tech"), 10, min=6),
    Column("workstation", _("Workstation"), 14, priority=2, min=8, short=_("Station"), most=40),
    Column("person", _("Person"), 16, priority=3, min=8, most=30),
    Column("ip", _("IP"), 15, priority=0),
    Column("screen", _("Screen"), widest([_("private"), _("shared")]), priority=0, short=_("Scr.")),
]
ROW_ACTIONS = ("end", "activity", "chat", "sysinfo", "colleague", "disclose", "open")


def render_session(row: SessionRow) -> list[Text]:
    return [
        Text(row.ref),
        Text(elapsed(row.started_at)),
        literal(row.customer),
        literal(row.technician),
        literal(row.workstation),
        literal(row.customer_person),
        literal(row.customer_ip),
        Text(_("private") if row.screen_private else _("shared")),
    ]


class ActiveSessionsScreen(MainScreen):
    MODE = "sessions"
    BINDINGS = binds("start", "end", "activity", "chat", "sysinfo", "colleague", "disclose", "open")

    def compose_body(self) -> ComposeResult:
        yield PagedTable(
            COLUMNS, active_sessions, render_session, sorts=SESSION_SORTS, filterable=True, id="sessions-table"
        )

    @property
    def table(self) -> PagedTable:
        return self.query_one("#sessions-table", PagedTable)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick_elapsed, name="elapsed")
        reason = refusal(self.operator, *sessions.SESSION_ROLES)
        if reason:
            self.hint(_("Read-only: {reason}").format(reason=reason))

    def tick_elapsed(self) -> None:
        """Advance the elapsed column from the application clock; no database work."""
        table = self.table
        if "elapsed" not in table.columns:  # left out on a narrow terminal
            return
        for key, row in table.rows_by_key.items():
            table.update_cell(key, "elapsed", Text(elapsed(row.started_at)))

    def selected(self) -> SessionRow | None:
        return self.table.selected()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return self.selected() is not None
        if action == "start" or action in ROW_ACTIONS:
            if refusal(self.operator, *sessions.SESSION_ROLES):
                return None  # shown disabled; the hint line says why
            if action != "start" and self.selected() is None:
                return None
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def on_paged_table_loaded(self, message: PagedTable.Loaded) -> None:
        self.refresh_bindings()

    # -- actions ----------------------------------------------------------------------------
    def open_form(self, form: FormScreen[Any], done: str) -> None:
        def after(result: object) -> None:
            if result is not None:
                self.notify(done, markup=False)
                self.refresh_data()

        self.app.push_screen(form, after)

    # The forms and the detail are imported when one first opens: the list shows without them.
    def action_start(self) -> None:
        from screens.sessions.forms import StartSessionForm

        form = StartSessionForm(self.operator)

        def after(result: object) -> None:
            if result is not None and form.started is not None:
                self.notify(_("Session {ref} started.").format(ref=form.started.ref), markup=False)
                self.table.select_when_loaded(form.started.ref)
                self.refresh_data()

        self.app.push_screen(form, after)

    def with_row(self, build: Callable[[SessionRow], FormScreen[Any]], done: str) -> None:
        row = self.selected()
        if row is not None:
            self.open_form(build(row), done)

    def action_activity(self) -> None:
        from screens.sessions.forms import ActivityForm

        self.with_row(lambda row: ActivityForm(self.operator, row.ref), _("Activity recorded."))

    def action_chat(self) -> None:
        from screens.sessions.forms import ChatForm

        self.with_row(lambda row: ChatForm(self.operator, row.ref), _("Chat line recorded."))

    def action_sysinfo(self) -> None:
        from screens.sessions.forms import SystemInfoForm

        self.with_row(lambda row: SystemInfoForm(self.operator, row.ref), _("System information recorded."))

    def action_colleague(self) -> None:
        from screens.sessions.forms import ColleagueForm

        self.with_row(
            lambda row: ColleagueForm(self.operator, row.ref, row.customer_person or ""), _("Colleague joined.")
        )

    def action_disclose(self) -> None:
        from screens.sessions.forms import DisclosureForm

        self.with_row(
            lambda row: DisclosureForm(self.operator, row.ref, row.customer_person or ""), _("Disclosure recorded.")
        )

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            from screens.orders.details import SessionDetailScreen

            self.app.push_screen(SessionDetailScreen(self.operator, row.ref))

    def action_end(self) -> None:
        from screens.kit.forms import ConfirmScreen

        row = self.selected()
        if row is None:
            return
        question = Text(_("End session {ref} now?").format(ref=row.ref) + "\n")
        question.append_text(literal(f"{row.customer} · {row.workstation or ''} · {elapsed(row.started_at)}"))

        def answered(yes: bool | None) -> None:
            if yes:
                self.end_session(row.ref)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exit_on_error=False, group="end")
    def end_session(self, ref: str) -> None:
        with worker_connection():
            sessions.end_session(self.operator, ref)
        self.app.call_from_thread(self.ended, ref)

    def ended(self, ref: str) -> None:
        self.notify(_("Session {ref} ended.").format(ref=ref), markup=False)
        self.refresh_data()
