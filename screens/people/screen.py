"""Staff and customers: register staff with roles and commitment date, deactivate; customers, contacts."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Label

from models.browse.people import (
    CUSTOMER_SORTS,
    STAFF_SORTS,
    CustomerRow,
    StaffRow,
    contacts_of,
    customers_page,
    staff_page,
)
from models.core import people
from models.core.db import worker_connection
from models.core.i18n import _
from models.sessions import registers
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.keys import binds
from screens.kit.labels import ROLE_LABELS, labels_of
from screens.kit.roles import refusal
from screens.kit.text import literal, show_day

STAFF_COLUMNS = [
    Column("user", _("User"), 10, priority=0, min=8),
    Column("name", _("Name"), 16, min=10, most=48),
    Column("roles", _("Roles"), widest(ROLE_LABELS.values()), priority=0, most=48),
    Column("commit", _("Commitment"), widest([_("MISSING")], 10), priority=0, short=_("Signed")),
    Column("secrecy", _("§203"), 10),
    Column("active", _("Active"), widest([_("yes"), _("no")]), priority=0),
]
CUSTOMER_COLUMNS = [
    Column("number", _("Number"), 7, priority=0),
    Column("name", _("Customer"), 26, priority=0, min=12, most=64),
    Column("email", _("E-mail"), 22, priority=2, min=10, most=40),
    Column("secrecy", _("§203"), widest([_("yes")])),
    Column("contacts", _("Contacts"), 8, short=_("Cont.")),
]
CUSTOMER_ROLES = ("admin", "technician")


def render_staff(row: StaffRow) -> list[Text]:
    commitment = (
        Text(show_day(row.commitment_signed_on)) if row.commitment_signed_on else Text(_("MISSING"), style="bold")
    )
    return [
        literal(row.username),
        literal(row.name),
        Text(labels_of(ROLE_LABELS, row.roles.split())),
        commitment,
        Text(show_day(row.secrecy_commitment_on)),
        Text(_("yes") if row.active else _("no"), style="" if row.active else "bold"),
    ]


def render_customer(row: CustomerRow) -> list[Text]:
    return [
        literal(row.number),
        literal(row.name),
        literal(row.email),
        Text(_("yes") if row.professional_secrecy else ""),
        Text(str(row.contacts)),
    ]


class PeopleScreen(MainScreen):
    MODE = "people"
    BINDINGS = [
        *binds(
            "new",
            "edit",
            "deactivate",
            "reactivate",
            "new_customer",
            "new_contact",
            "next_list",
            new="new_staff",
            edit="edit_staff",
            next_list="app.focus_next",
        ),
    ]

    def compose_body(self) -> ComposeResult:
        yield Label(Text(_("Staff")), classes="pane-title")
        yield PagedTable(STAFF_COLUMNS, staff_page, render_staff, sorts=STAFF_SORTS, filterable=True, id="staff-table")
        yield Label(Text(_("Customers (enter: contact persons)")), classes="pane-title")
        yield PagedTable(
            CUSTOMER_COLUMNS,
            partial(customers_page, ""),
            render_customer,
            sorts=CUSTOMER_SORTS,
            filterable=True,
            id="customers-table",
        )

    def on_mount(self) -> None:
        self.query_one("#staff-table").focus()
        reasons = [
            reason for reason in (refusal(self.operator, "admin"), refusal(self.operator, *CUSTOMER_ROLES)) if reason
        ]
        if reasons:
            self.hint(_("Some actions are disabled: {reason}").format(reason="; ".join(dict.fromkeys(reasons))))

    def table(self, name: str) -> PagedTable:
        return self.query_one(f"#{name}-table", PagedTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_staff", "edit_staff", "deactivate", "reactivate"):
            if refusal(self.operator, "admin"):
                return None
            row = self.table("staff").selected()
            if action == "edit_staff":
                return True if row is not None else None
            if action == "deactivate":
                return True if row is not None and row.active and row.username != self.operator.username else None
            if action == "reactivate":
                return True if row is not None and not row.active else None
        if action in ("new_customer", "new_contact"):
            if refusal(self.operator, *CUSTOMER_ROLES):
                return None
            if action == "new_contact" and self.table("customers").selected() is None:
                return None
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def after_form(self, message: str) -> Any:
        def done(result: object) -> None:
            if result is not None:
                self.notify(message, markup=False)
                self.refresh_data()

        return done

    # The forms and dialogs are imported when one first opens: the lists show without them.
    def action_new_staff(self) -> None:
        from screens.people.forms import StaffForm

        self.app.push_screen(StaffForm(self.operator), self.after_form(_("Staff member registered.")))

    def action_edit_staff(self) -> None:
        row = self.table("staff").selected()
        if row is not None:
            self.open_staff_form(row)

    @work(thread=True, exit_on_error=False, exclusive=True, group="staff-form")
    def open_staff_form(self, row: StaffRow) -> None:
        """The person's tool identities are read first (in this thread), then the form opens with them."""
        from screens.people.forms import StaffForm
        from screens.people.identities import Identity

        with worker_connection():
            current = [Identity(i.tool, i.kind, i.value) for i in registers.identities_of(row.username)]
        self.app.call_from_thread(
            self.app.push_screen,
            StaffForm(self.operator, row, current),
            self.after_form(_("{user} changed.").format(user=row.username)),
        )

    def action_reactivate(self) -> None:
        row = self.table("staff").selected()
        if row is None:
            return
        question = Text(
            _("Make {user} active again? They can open the console and work again.").format(user=row.username)
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.set_active(row.username, True)

        from screens.kit.forms import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_new_customer(self) -> None:
        from screens.people.forms import CustomerForm

        self.app.push_screen(CustomerForm(self.operator), self.after_form(_("Customer registered.")))

    def action_new_contact(self) -> None:
        from screens.people.forms import ContactForm

        row = self.table("customers").selected()
        if row is not None:
            self.app.push_screen(ContactForm(self.operator, row.number), self.after_form(_("Contact person added.")))

    def action_deactivate(self) -> None:
        row = self.table("staff").selected()
        if row is None:
            return
        question = Text(
            _("Deactivate {user}? They can no longer open the console or do remote maintenance.").format(
                user=row.username
            )
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.set_active(row.username, False)

        from screens.kit.forms import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exit_on_error=False, group="people")
    def set_active(self, username: str, active: bool) -> None:
        with worker_connection():
            people.update_staff(self.operator, username, active=active)
        done = _("{user} is active again.") if active else _("{user} deactivated.")
        self.app.call_from_thread(self.after_form(done.format(user=username)), True)

    def on_data_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        if event.data_table.id == "staff-table" and self.check_action("edit_staff", ()):
            self.action_edit_staff()
        if event.data_table.id == "customers-table":
            row = self.table("customers").selected()
            if row is not None:
                self.show_contacts(row.number)

    @work(thread=True, exit_on_error=False, group="people")
    def show_contacts(self, number: str) -> None:
        with worker_connection():
            rows = contacts_of(self.operator, number)
        text = Text(_("Contact persons of {number}: ").format(number=number))
        text.append_text(
            literal(
                "; ".join(" ".join(part for part in (r.name, r.email or "", r.phone or "") if part) for r in rows)
                or _("none")
            )
        )
        self.app.call_from_thread(self.hint, text)


def __getattr__(name: str) -> Any:
    """The forms live in screens.people.forms (imported when one opens); still reachable from here."""
    if name in ("StaffForm", "CustomerForm", "ContactForm", "StaffData", "CustomerData", "ContactData"):
        from screens.people import forms

        return getattr(forms, name)
    raise AttributeError(name)
