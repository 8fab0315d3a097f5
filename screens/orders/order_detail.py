"""An order in full (sessions, data per category, holds) with its actions: complete, hold, release.

Kept apart from the orders list (screens/orders/screen.py) so that the list shows without importing
the forms; this module is imported when an order is first opened.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from models.browse.detail import OrderDetail, order_detail
from models.core import clock
from models.core.db import worker_connection
from models.core.i18n import _
from models.core.labels import category_label, term
from models.retention import holds
from models.sessions import orders
from screens.kit.forms import ConfirmScreen, FormScreen
from screens.kit.keys import bind, binds, shown
from screens.kit.roles import refusal
from screens.kit.text import literal
from screens.orders.details import DetailScreen, SessionDetailScreen, detail_table


class HoldForm(FormScreen[str]):
    TITLE = _("Place a legal hold (billing dispute, P8)")

    def __init__(self, operator: Any, order_ref: str) -> None:
        super().__init__()
        self.operator = operator
        self.order_ref = order_ref

    def compose_fields(self) -> ComposeResult:
        yield from self.field("reason", _("reason, e.g. the dispute's reference"), Input())

    def collect(self) -> str:
        return self.required("reason")

    def perform(self, data: str) -> Any:
        return holds.place_hold(self.operator, self.order_ref, data)


class OrderDetailScreen(DetailScreen):
    """An order: sessions, data per category with due date and state, holds; complete, hold, release."""

    BINDINGS = [
        bind("back", "app.pop_screen", show=True),
        Binding("q", "app.pop_screen", _("Back"), show=False),
        *binds("complete", "hold", "release"),
        bind("open", "view_session", show=True),
    ]  # with DetailScreen's, inherited: back, `/` and `o`

    def fetch(self) -> OrderDetail:
        return order_detail(self.operator, self.ref, self.list_query)

    def render_data(self, d: OrderDetail) -> RenderableType:
        head = Text()
        head.append(_("Order {ref}").format(ref=d.ref) + "\n", style="bold")
        pairs: list[tuple[str, object]] = [
            (_("customer"), f"{d.customer_number} {d.customer}"),
            (_("billing class"), term(d.billing_class)),
            (_("description"), d.description),
            (_("opened"), d.opened_at),
            (_("completed"), d.completed_at or _("not yet")),
            (_("billed on"), d.billed_on or _("not yet")),
        ]
        for label, value in pairs:
            head.append(f"{label}: ", style="dim")
            head.append_text(literal(value))
            head.append("\n")
        hold = d.active_hold
        if hold is not None:
            head.append(
                _("LEGAL HOLD since {at} by {who}: ").format(
                    at=clock.format_berlin(hold.placed_at), who=hold.placed_by
                ),
                style="bold",
            )
            head.append_text(literal(hold.reason))
            head.append("\n")
        sessions = detail_table(
            _("Sessions"),
            [_("ref"), _("technician"), _("started"), _("ended")],
            self.cut_note(d.cut, "sessions", len(d.sessions)),
        )
        for ref, tech, start, end in d.sessions:
            sessions.add_row(ref, literal(tech), literal(start), literal(end) if end else Text(_("running")))
        data = detail_table(_("Data and retention"), [_("category"), _("records"), _("due"), _("state")])
        for line in d.categories:
            data.add_row(
                category_label(line.category),
                str(line.count),
                literal(line.due_at) if line.due_at else Text("—"),
                term(line.state),
            )
        parts: list[RenderableType] = [head, sessions, Text(""), data]
        if d.retention_note:
            parts.append(Text(d.retention_note, style="dim"))
        if d.holds:
            table = detail_table(
                _("Holds"),
                [_("placed"), _("by"), _("reason"), _("released")],
                self.cut_note(d.cut, "holds", len(d.holds)),
            )
            for h in d.holds:
                table.add_row(literal(h.placed_at), literal(h.placed_by), literal(h.reason), literal(h.released_at))
            parts.append(table)
        return Group(*parts)

    def reason_disabled(self, action: str) -> str | None:
        """Why an action is not possible now, or None."""
        d: OrderDetail | None = self.data
        if d is None:
            return _("loading")
        if action == "complete":
            if d.completed_at is not None:
                return _("the order is completed already")
            return refusal(self.operator, *orders.ORDER_ROLES)
        if action in ("hold", "release"):
            if action == "hold" and d.active_hold is not None:
                return _("the order is held already")
            if action == "release" and d.active_hold is None:
                return _("the order has no active hold")
            return refusal(self.operator, *holds.HOLD_ROLES)
        if action == "view_session" and not d.sessions:
            return _("the order has no sessions")
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("complete", "hold", "release", "view_session"):
            return None if self.reason_disabled(action) else True
        return True

    def show(self, message: DetailScreen.Loaded) -> None:
        super().show(message)
        reasons = [
            f"{key}: {reason}"
            for key, action in ((shown("complete"), "complete"), (shown("hold"), "hold"), (shown("release"), "release"))
            if (reason := self.reason_disabled(action)) and action != "release"
        ]
        self.hint("  ·  ".join(reasons))

    def action_complete(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.complete()

        self.app.push_screen(
            ConfirmScreen(
                _(
                    "Complete order {ref} now? Billing records are created, and system "
                    "information and gathered files fall due in 48 h (P7)."
                ).format(ref=self.ref)
            ),
            answered,
        )

    @work(thread=True, exit_on_error=False, group="order-action")
    def complete(self) -> None:
        with worker_connection():
            orders.complete_order(self.operator, self.ref)
        self.app.call_from_thread(self.done, _("Order {ref} completed.").format(ref=self.ref))

    def done(self, message: str) -> None:
        self.notify(message, markup=False)
        self.load()

    def action_hold(self) -> None:
        self.app.push_screen(
            HoldForm(self.operator, self.ref), lambda result: self.done(_("Hold placed.")) if result else None
        )

    def action_release(self) -> None:
        hold = self.data.active_hold if self.data else None
        if hold is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.release(hold.id)

        self.app.push_screen(ConfirmScreen(_("Release the legal hold on {ref}?").format(ref=self.ref)), answered)

    @work(thread=True, exit_on_error=False, group="order-action")
    def release(self, hold_id: int) -> None:
        with worker_connection():
            holds.release_hold(self.operator, hold_id)
        self.app.call_from_thread(self.done, _("Hold released."))

    def action_view_session(self) -> None:
        """Open one of the order's sessions in full (its activity, chat, system information)."""
        if not self.data or not self.data.sessions:
            return
        if len(self.data.sessions) == 1:
            self.app.push_screen(SessionDetailScreen(self.operator, self.data.sessions[0][0]))
            return
        choices = [
            (ref, f"{ref}  {clock.format_berlin(start)}  {tech}") for ref, tech, start, _end in self.data.sessions
        ]

        def chosen(ref: str | None) -> None:
            if ref:
                self.app.push_screen(SessionDetailScreen(self.operator, ref))

        self.app.push_screen(ChooseScreen(_("Which session?"), choices), chosen)


class ChooseScreen(ModalScreen[str | None]):
    """Pick one of a few items by keyboard; Escape picks none."""

    AUTO_FOCUS = "OptionList"
    BINDINGS = [Binding("escape", "dismiss(None)", _("Cancel"), id="choose.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Label(Text(self.title_text), classes="form-title")
            yield OptionList(*[Option(Text(label), id=key) for key, label in self.choices], id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
