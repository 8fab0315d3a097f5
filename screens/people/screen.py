"""Staff and customers: register staff with roles and commitment date, deactivate; customers, contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Checkbox, Input, Label, Static

from models.browse.people import CustomerRow, StaffRow, contacts_of, customers_page, staff_page
from models.core import people
from models.core.db import worker_connection
from models.core.entities import ROLES, Staff
from models.core.errors import ValidationError
from models.core.i18n import _
from models.core.labels import term
from screens.kit.base import MainScreen, PagedTable
from screens.kit.forms import ConfirmScreen, FormScreen, Tick
from screens.kit.roles import refusal
from screens.kit.text import literal

STAFF_COLUMNS = [
    ("user", _("User")),
    ("name", _("Name")),
    ("roles", _("Roles")),
    ("commit", _("Commitment")),
    ("secrecy", _("§203")),
    ("active", _("Active")),
]
CUSTOMER_COLUMNS = [
    ("number", _("Number")),
    ("name", _("Customer")),
    ("email", _("E-mail")),
    ("secrecy", _("§203")),
    ("contacts", _("Contacts")),
]
CUSTOMER_ROLES = ("admin", "technician")


def render_staff(row: StaffRow) -> list[Text]:
    commitment = literal(row.commitment_signed_on) if row.commitment_signed_on else Text(_("MISSING"), style="bold")
    return [
        literal(row.username),
        literal(row.name),
        Text(" ".join(term(role) for role in row.roles.split())),
        commitment,
        literal(row.secrecy_commitment_on),
        Text(_("yes") if row.active else _("no")),
    ]


def render_customer(row: CustomerRow) -> list[Text]:
    return [
        literal(row.number),
        literal(row.name),
        literal(row.email),
        Text(_("yes") if row.professional_secrecy else ""),
        Text(str(row.contacts)),
    ]


@dataclass(frozen=True)
class StaffData:
    username: str
    name: str
    roles: list[str]
    commitment_signed_on: date | None
    secrecy_commitment_on: date | None


class StaffForm(FormScreen[StaffData]):
    TITLE = _("Register staff (P3: date of the written confidentiality commitment)")

    def __init__(self, operator: Staff) -> None:
        super().__init__()
        self.operator = operator

    def compose_fields(self) -> ComposeResult:
        yield from self.field("username", _("operating-system account"), Input())
        yield from self.field("name", _("full name"), Input())
        yield Label(Text(_("roles")), classes="field-label")
        for role in ROLES:
            yield Tick(role, value=role == "technician", id=f"f-role-{role}")
        yield Static("", id="e-roles", classes="field-error")
        yield from self.field("commitment_signed_on", _("commitment signed on (DD.MM.YYYY)"), Input())
        yield from self.field("secrecy_commitment_on", _("§ 203 StGB commitment on (optional)"), Input())

    def collect(self) -> StaffData:
        roles = [role for role in ROLES if self.query_one(f"#f-role-{role}", Checkbox).value]
        if not roles:
            raise ValidationError("roles", _("at least one role is required"))
        return StaffData(
            self.required("username"),
            self.required("name"),
            roles,
            self.day("commitment_signed_on"),
            self.day("secrecy_commitment_on"),
        )

    def perform(self, data: StaffData) -> Any:
        return people.register_staff(
            self.operator,
            data.username,
            data.name,
            data.roles,
            data.commitment_signed_on,
            secrecy_commitment_on=data.secrecy_commitment_on,
        )


@dataclass(frozen=True)
class CustomerData:
    number: str
    name: str
    email: str | None
    professional_secrecy: bool


class CustomerForm(FormScreen[CustomerData]):
    TITLE = _("Register a customer")

    def __init__(self, operator: Staff) -> None:
        super().__init__()
        self.operator = operator

    def compose_fields(self) -> ComposeResult:
        yield from self.field("number", _("customer number, e.g. K-10042"), Input())
        yield from self.field("name", _("name"), Input())
        yield from self.field("email", _("e-mail (optional)"), Input())
        yield from self.field(
            "professional_secrecy",
            _("professional secrecy"),
            Tick(_("bound by § 203 StGB (technicians need the extra commitment)")),
        )

    def collect(self) -> CustomerData:
        return CustomerData(
            self.required("number"), self.required("name"), self.optional("email"), self.checked("professional_secrecy")
        )

    def perform(self, data: CustomerData) -> Any:
        return people.register_customer(
            self.operator, data.number, data.name, email=data.email, professional_secrecy=data.professional_secrecy
        )


@dataclass(frozen=True)
class ContactData:
    name: str
    email: str | None
    phone: str | None


class ContactForm(FormScreen[ContactData]):
    def __init__(self, operator: Staff, customer_number: str) -> None:
        super().__init__()
        self.operator = operator
        self.customer_number = customer_number
        self.TITLE = _("Contact person of {number}").format(number=customer_number)

    def compose_fields(self) -> ComposeResult:
        yield from self.field("name", _("name"), Input())
        yield from self.field("email", _("e-mail (optional)"), Input())
        yield from self.field("phone", _("phone (optional)"), Input())

    def collect(self) -> ContactData:
        return ContactData(self.required("name"), self.optional("email"), self.optional("phone"))

    def perform(self, data: ContactData) -> Any:
        return people.add_contact(self.operator, self.customer_number, data.name, email=data.email, phone=data.phone)


class PeopleScreen(MainScreen):
    MODE = "people"
    BINDINGS = [
        Binding("n", "new_staff", _("New staff"), id="people.new_staff"),
        Binding("x", "deactivate", _("Deactivate"), id="people.deactivate"),
        Binding("u", "new_customer", _("New customer"), id="people.new_customer"),
        Binding("p", "new_contact", _("Contact"), id="people.new_contact"),
        Binding("tab", "app.focus_next", _("Next list"), id="people.next", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        yield Label(Text(_("Staff")), classes="pane-title")
        yield PagedTable(STAFF_COLUMNS, staff_page, render_staff, id="staff-table")
        yield Label(Text(_("Customers (enter: contact persons)")), classes="pane-title")
        yield PagedTable(
            CUSTOMER_COLUMNS,
            lambda after, limit: customers_page("", after, limit),
            render_customer,
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
        if action in ("new_staff", "deactivate"):
            if refusal(self.operator, "admin"):
                return None
            if action == "deactivate":
                row = self.table("staff").selected()
                return True if row is not None and row.active and row.username != self.operator.username else None
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

    def action_new_staff(self) -> None:
        self.app.push_screen(StaffForm(self.operator), self.after_form(_("Staff member registered.")))

    def action_new_customer(self) -> None:
        self.app.push_screen(CustomerForm(self.operator), self.after_form(_("Customer registered.")))

    def action_new_contact(self) -> None:
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
                self.deactivate(row.username)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exit_on_error=False, group="people")
    def deactivate(self, username: str) -> None:
        with worker_connection():
            people.update_staff(self.operator, username, active=False)
        self.app.call_from_thread(self.after_form(_("{user} deactivated.").format(user=username)), True)

    def on_data_table_row_selected(self, event: PagedTable.RowSelected) -> None:
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
