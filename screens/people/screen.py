"""Staff and customers: register staff with roles and commitment date, deactivate; customers, contacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, Static

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
from models.core.entities import ROLES, Staff
from models.core.i18n import _
from models.sessions import registers
from models.sessions.registers import IdentityInput
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.forms import ConfirmScreen, FormScreen, Problems, Tick, show_day
from screens.kit.keys import binds
from screens.kit.labels import ROLE_LABELS, label, labels_of
from screens.kit.roles import refusal
from screens.kit.text import literal
from screens.people.identities import Identity, added, identity_fields, removed

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


@dataclass(frozen=True)
class StaffData:
    username: str
    name: str
    roles: list[str]
    commitment_signed_on: date | None
    secrecy_commitment_on: date | None
    add_identities: list[IdentityInput] = field(default_factory=list)
    remove_identities: list[str] = field(default_factory=list)


class StaffForm(FormScreen[StaffData]):
    """Register a staff member, or change one (name, roles, P3 commitment, § 203 commitment)."""

    #: the registers name the identity's fields plainly; the form shows them under its own
    FIELD_ALIASES = {"value": "identity_value", "tool": "identity_tool", "kind": "identity_tool"}

    def __init__(
        self, operator: Staff, current: StaffRow | None = None, identities: list[Identity] | None = None
    ) -> None:
        super().__init__()
        self.operator = operator
        self.current = current
        self.identities = identities or []
        self.TITLE = (
            _("Change {user}").format(user=current.username)
            if current is not None
            else _("Register staff (P3: date of the written confidentiality commitment)")
        )

    def compose_fields(self) -> ComposeResult:
        current = self.current
        if current is None:
            yield from self.field("username", _("operating-system account"), Input(), required=True)
        yield from self.field("name", _("full name"), Input(current.name if current else ""), required=True)
        yield Label(Text(_("roles")), classes="field-label")
        have = set(current.roles.split()) if current else {"technician"}
        with Horizontal(classes="tick-row"):
            for role in ROLES:
                tick = Tick(label(ROLE_LABELS, role), value=role in have, id=f"f-role-{role}")
                tick.compact = True
                yield tick
        yield Static("", id="e-roles", classes="field-error")
        yield from self.field(
            "commitment_signed_on",
            _("confidentiality commitment signed on (DD.MM.YYYY)"),
            Input(show_day(current.commitment_signed_on) if current else ""),
            day=True,
        )
        yield from self.field(
            "secrecy_commitment_on",
            _("§ 203 StGB secrecy commitment on (optional)"),
            Input(show_day(current.secrecy_commitment_on) if current else ""),
            day=True,
        )
        yield from identity_fields(self.identities)

    def collect(self) -> StaffData:
        problems = Problems()
        roles = [role for role in ROLES if self.query_one(f"#f-role-{role}", Checkbox).value]
        if not roles:
            problems.add("roles", _("at least one role is required"))
        username = self.current.username if self.current else problems.take(lambda: self.required("username"))
        name = problems.take(lambda: self.required("name"))
        signed = problems.take(lambda: self.day("commitment_signed_on"))
        if self.current is not None and self.current.commitment_signed_on and signed is None:
            if "commitment_signed_on" not in problems.fields():
                problems.add("commitment_signed_on", _("can be corrected, not removed"))
        secrecy = problems.take(lambda: self.day("secrecy_commitment_on"))
        add = problems.take(lambda: added(self, username or ""))
        problems.raise_any()
        return StaffData(username or "", name or "", roles, signed, secrecy, add or [], removed(self, self.identities))

    def perform(self, data: StaffData) -> Any:
        """The person and their identities in one transaction (people.with_identities)."""
        if self.current is None:

            def step() -> Staff:
                return people.register_staff(
                    self.operator,
                    data.username,
                    data.name,
                    data.roles,
                    data.commitment_signed_on,
                    secrecy_commitment_on=data.secrecy_commitment_on,
                )
        else:

            def step() -> Staff:
                return people.update_staff(
                    self.operator,
                    data.username,
                    name=data.name,
                    roles=data.roles,
                    commitment_signed_on=data.commitment_signed_on,
                    secrecy_commitment_on=data.secrecy_commitment_on if data.secrecy_commitment_on else "",
                )

        return people.with_identities(
            self.operator, data.username, step, add=data.add_identities, remove=data.remove_identities
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
        yield from self.field("number", _("customer number, e.g. K-10042"), Input(), required=True)
        yield from self.field("name", _("name"), Input(), required=True)
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
        yield from self.field("name", _("name"), Input(), required=True)
        yield from self.field("email", _("e-mail (optional)"), Input())
        yield from self.field("phone", _("phone (optional)"), Input())

    def collect(self) -> ContactData:
        return ContactData(self.required("name"), self.optional("email"), self.optional("phone"))

    def perform(self, data: ContactData) -> Any:
        return people.add_contact(self.operator, self.customer_number, data.name, email=data.email, phone=data.phone)


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

    def action_new_staff(self) -> None:
        self.app.push_screen(StaffForm(self.operator), self.after_form(_("Staff member registered.")))

    def action_edit_staff(self) -> None:
        row = self.table("staff").selected()
        if row is not None:
            self.open_staff_form(row)

    @work(thread=True, exit_on_error=False, exclusive=True, group="staff-form")
    def open_staff_form(self, row: StaffRow) -> None:
        """The person's tool identities are read first (in this thread), then the form opens with them."""
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

        self.app.push_screen(ConfirmScreen(question), answered)

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
                self.set_active(row.username, False)

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
