"""Orders and sessions: history searchable by customer, ref, day and technician; detail; complete; holds."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input

from models.browse.paging import ListQuery
from models.browse.sessions import ORDER_SORTS, OrderFilter, OrderRow
from models.browse.sessions import orders as order_page
from models.core.errors import ValidationError
from models.core.i18n import _
from models.core.labels import term
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.keys import binds
from screens.kit.text import literal

COLUMNS = [
    Column("ref", _("Order"), 11, priority=0),
    Column("state", _("State"), widest(term(state) for state in ("open", "completed", "billed")), priority=0),
    Column("customer", _("Customer"), 30, min=14, most=64),
    Column("opened", _("Opened"), 16, priority=3),
    Column("sessions", _("Sess."), 5, priority=2),
    Column("class", _("Class"), widest(term(c) for c in ("contract", "goodwill", "billable")), priority=0),
    Column("hold", _("Hold"), widest([_("HELD")]), priority=0),
]


def render_order(row: OrderRow) -> list[Text]:
    return [
        Text(row.ref),
        Text(_(row.state)),
        literal(f"{row.customer_number} {row.customer}"),
        literal(row.opened_at),
        Text(str(row.sessions)),
        Text(term(row.billing_class)),
        Text(_("HELD") if row.held else ""),
    ]


class OrdersScreen(MainScreen):
    MODE = "orders"
    BINDINGS = binds("filter", "back", filter="search", back="clear_search")

    def __init__(self) -> None:
        super().__init__()
        self.filter = OrderFilter()

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Input(placeholder=_("customer no./name"), id="q-customer")
            yield Input(placeholder=_("order/session ref"), id="q-ref")
            yield Input(placeholder=_("day DD.MM.YYYY"), id="q-day")
            yield Input(placeholder=_("technician"), id="q-technician")
        yield PagedTable(COLUMNS, self.fetch, render_order, sorts=ORDER_SORTS, id="orders-table")

    def on_mount(self) -> None:
        self.query_one("#orders-table").focus()

    def fetch(self, after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None) -> Any:
        return order_page(self.filter, after, limit, q)

    def action_search(self) -> None:
        self.query_one("#q-customer", Input).focus()

    def action_clear_search(self) -> None:
        for widget in self.query(".filters Input").results(Input):
            widget.value = ""
        self.apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter()

    def apply_filter(self) -> None:
        from screens.kit.forms import parse_day  # the forms' module is imported when a form first opens

        try:
            day = parse_day(self.query_one("#q-day", Input).value)
        except ValidationError as exc:
            self.hint(_("day") + f": {exc.problem}")
            return
        self.filter = OrderFilter(
            customer=self.query_one("#q-customer", Input).value.strip(),
            ref=self.query_one("#q-ref", Input).value.strip(),
            day=day,
            technician=self.query_one("#q-technician", Input).value.strip(),
        )
        self.hint("")
        table = self.query_one("#orders-table", PagedTable)
        table.restart()
        table.focus()

    def on_data_table_row_selected(self) -> None:
        row = self.query_one("#orders-table", PagedTable).selected()
        if row is not None:
            from screens.orders.order_detail import OrderDetailScreen

            self.app.push_screen(OrderDetailScreen(self.operator, row.ref))


def __getattr__(name: str) -> Any:
    """The order's drill-down and its forms live in screens/orders/order_detail.py, imported when first
    opened so that the list shows without importing the forms; still reachable from here."""
    if name in ("OrderDetailScreen", "HoldForm", "ChooseScreen"):
        from screens.orders import order_detail

        return getattr(order_detail, name)
    raise AttributeError(name)
