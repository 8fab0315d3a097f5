"""The people screen's forms: staff, customer, contact person. Imported when one first opens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, Static

from models.browse.people import StaffRow
from models.core import people
from models.core.entities import ROLES, Staff
from models.core.i18n import _
from models.sessions.registers import IdentityInput
from screens.kit.forms import FormScreen, Problems, Tick, show_day
from screens.kit.labels import ROLE_LABELS, label
from screens.people.identities import Identity, added, identity_fields, removed


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
