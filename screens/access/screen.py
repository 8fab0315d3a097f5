"""Access requests (GDPR Art. 15, P12): the queue by nearest deadline, coloured by urgency; open one.

Only the privacy officer works these requests; others see the queue without the
requesters' names and the actions disabled with the reason (DESIGN.md §3).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from models.access import requests as access
from models.access.queries import REQUEST_SORTS
from models.browse.access import requests_page
from models.core import clock
from models.core.i18n import _
from models.core.labels import term
from screens.access.urgency import days_left_text, theme_colour, urgency_variable
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.keys import binds
from screens.kit.keys import shown as key_shown
from screens.kit.roles import refusal
from screens.kit.text import literal

COLUMNS = [
    Column("ref", _("Request"), 12, priority=0),
    Column("name", _("Requester"), 18, min=14, most=48),
    Column("received", _("Received"), 10, priority=2),
    Column("due", _("Due"), 12, priority=0),
    Column("left", _("Days left"), widest(days_left_text(n, True) for n in (-99, 999)), priority=0, short=_("Left")),
    Column("state", _("State"), widest(term(state) for state in access.ACCESS_STATES), priority=0),
]
STATE_FILTERS: tuple[str | None, ...] = ("open", None, "closed", *access.OPEN_STATES, *access.CLOSED_STATES)


class AccessRequestsScreen(MainScreen):
    MODE = "access"
    BINDINGS = binds("new", "open", "state", state="cycle_state")

    def __init__(self) -> None:
        super().__init__()
        self.state: str | None = "open"

    def compose_body(self) -> ComposeResult:
        yield Static(id="ar-filter", classes="pane-title")
        yield PagedTable(
            COLUMNS,
            self.fetch,
            self.render_row,
            key=lambda row: row.ref,
            sorts=REQUEST_SORTS,
            filterable=True,
            id="ar-table",
        )

    @property
    def table(self) -> PagedTable:
        return self.query_one("#ar-table", PagedTable)

    @property
    def officer(self) -> bool:
        return refusal(self.operator, access.ROLE) is None

    def on_mount(self) -> None:
        self.show_filter()
        reason = refusal(self.operator, access.ROLE)
        if reason:
            self.hint(_("Read-only, names hidden: {reason}").format(reason=reason))
        else:
            self.hint(_("enter opens the highlighted request; n registers a new one."))
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.table.reload())

    def fetch(self, after: Any, limit: int, q: Any = None) -> Any:
        return requests_page(self.state, after, limit, q, by_name=refusal(self.operator, access.ROLE) is None)

    def render_row(self, row: Any) -> list[Text]:
        is_open = row.state in access.OPEN_STATES
        variable = urgency_variable(row.days_left, is_open)
        colour = theme_colour(self.app, variable) if variable else ""
        due = clock.format_day(row.due_on) + (" +" if row.extended else "")
        return [
            Text(row.ref),
            literal(row.name) if self.officer else Text("—"),
            Text(clock.format_day(row.received_on)),
            Text(due),
            Text(days_left_text(row.days_left, is_open), style=f"bold {colour}" if colour else ""),
            Text(term(row.state)),
        ]

    def show_filter(self) -> None:
        shown = term(self.state) or _("all")
        self.query_one("#ar-filter", Static).update(
            Text(
                _("Requests · {state}  ({key} to change; + after a deadline: extended)").format(
                    state=shown, key=key_shown("state")
                )
            )
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "open"):
            if not self.officer:
                return None
            if action == "open" and self.table.selected() is None:
                return None
        return True

    def on_paged_table_loaded(self, message: PagedTable.Loaded) -> None:
        self.refresh_bindings()

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self) -> None:
        if self.check_action("open", ()):
            self.action_open()

    def action_cycle_state(self) -> None:
        self.state = STATE_FILTERS[(STATE_FILTERS.index(self.state) + 1) % len(STATE_FILTERS)]
        self.show_filter()
        self.table.reload()

    def action_new(self) -> None:
        # The forms and the request's detail (with its report writers) are imported when first opened.
        from screens.access.detail import AccessDetailScreen
        from screens.access.forms import OpenRequestForm

        form = OpenRequestForm(self.operator)

        def opened(result: object) -> None:
            if result is not None and form.created_ref:
                self.notify(_("Access request {ref} opened.").format(ref=form.created_ref), markup=False)
                self.table.reload()
                self.app.push_screen(AccessDetailScreen(self.operator, form.created_ref))

        self.app.push_screen(form, opened)

    def action_open(self) -> None:
        row = self.table.selected()
        if row is not None:
            from screens.access.detail import AccessDetailScreen

            self.app.push_screen(AccessDetailScreen(self.operator, row.ref))
