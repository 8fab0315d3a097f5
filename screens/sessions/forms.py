"""Forms of the Active sessions screen: start, consent, activity, chat, system info, colleague, disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, Select, Static

from models.browse import jobs as browse_jobs
from models.core import validation
from models.core.entities import BILLING_CLASSES, CONSENT_METHODS, DISCLOSURE_BASES, TRANSFER_DIRECTIONS, Staff
from models.core.i18n import _
from models.core.labels import term
from models.retention.policy import CATEGORIES
from models.sessions import sessions
from models.sessions.sessions import ConsentInput, FileTransfer, SessionInput
from screens.kit.forms import FormScreen, Problems, Tick, parse_whole_number
from screens.kit.labels import (
    BILLING_CLASS_LABELS,
    CATEGORY_LABELS,
    CONSENT_KIND_LABELS,
    CONSENT_METHOD_LABELS,
    DISCLOSURE_BASIS_LABELS,
    TRANSFER_LABELS,
    label,
    options,
)

CONSENT_QUESTIONS = {
    "screen_visibility": _("Others can see the technician's screen. Did the customer agree before the start? (P4)"),
    "additional_staff": _("A second technician joins. Did the customer agree before they join? (P6)"),
    "disclosure": _("Data is passed on with the customer's consent. Did the customer agree? (P11)"),
}


def choices(values: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    return [(term(value), value) for value in values]


class ConsentForm(FormScreen[ConsentInput]):
    """Who agreed, how, and whether they agreed; returned to the form that asked for it."""

    def __init__(self, kind: str, given_by: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.given_by = given_by
        self.TITLE = _("Consent first: {kind}").format(kind=label(CONSENT_KIND_LABELS, kind))

    def compose_fields(self) -> ComposeResult:
        yield Static(Text(CONSENT_QUESTIONS.get(self.kind, "")))
        yield from self.field("given_by", _("given by (customer's person)"), Input(self.given_by), required=True)
        yield from self.field(
            "method",
            _("how"),
            Select(options(CONSENT_METHOD_LABELS, CONSENT_METHODS), value="verbal", allow_blank=False),
        )
        yield from self.field("granted", _("answer"), Tick(_("the customer agreed"), value=False))
        yield from self.field("note", _("note (optional)"), Input())

    def collect(self) -> ConsentInput:
        return ConsentInput(
            kind=self.kind,
            given_by=self.required("given_by"),
            method=self.value("method"),
            granted=self.checked("granted"),
            note=self.optional("note"),
        )


@dataclass(frozen=True)
class StartData:
    session: SessionInput
    customer_number: str | None
    billing_class: str


class StartSessionForm(FormScreen[StartData]):
    TITLE = _("Start a session")

    def __init__(self, operator: Staff) -> None:
        super().__init__()
        self.operator = operator
        self.started: Any = None

    def compose_fields(self) -> ComposeResult:
        yield from self.field("order", _("order ref (empty: a new order for the customer below)"), Input())
        yield from self.field("customer", _("customer number for a new order"), Input())
        yield from self.field(
            "billing_class",
            _("billing class of a new order"),
            Select(options(BILLING_CLASS_LABELS, BILLING_CLASSES), value="billable", allow_blank=False),
        )
        yield from self.field("technician", _("technician (username)"), Input(self.operator.username), required=True)
        yield from self.field("customer_ip", _("customer IP"), Input())
        yield from self.field("workstation", _("workstation"), Input())
        yield from self.field("customer_person", _("customer person"), Input())
        yield from self.field(
            "screen_private", _("screen privacy (P4)"), Tick(_("only the technician sees the screen"), value=True)
        )

    def collect(self) -> StartData:
        problems = Problems()
        order = self.value("order").upper()
        customer = self.value("customer")
        if not order and not customer:
            problems.add("order", _("give an order ref, or a customer number for a new order"))
        technician = problems.take(lambda: self.required("technician"))
        problems.raise_any()
        data = SessionInput(
            order=order,
            technician=technician or "",
            customer_ip=self.optional("customer_ip"),
            workstation=self.optional("workstation"),
            customer_person=self.optional("customer_person"),
            screen_private=self.checked("screen_private"),
        )
        return StartData(data, customer or None, self.value("billing_class"))

    def precheck(self, data: StartData) -> None:
        """IP, order, customer and technician are checked before the customer is asked for consent."""
        sessions.check_start(self.operator, data.session, customer_number=data.customer_number)

    async def prepare(self, data: StartData) -> StartData | None:
        if data.session.screen_private:
            return data
        consent = await self.app.push_screen_wait(ConsentForm("screen_visibility", data.session.customer_person or ""))
        if consent is None:
            self.show_error(
                "screen_private",
                _("others can see the screen: the session starts only after the customer's consent is recorded (P4)"),
            )
            return None
        session = SessionInput(**{**data.session.__dict__, "consents": [consent]})
        return StartData(session, data.customer_number, data.billing_class)

    def perform(self, data: StartData) -> Any:
        self.started = browse_jobs.start_job(
            self.operator, data.session, customer_number=data.customer_number, billing_class=data.billing_class
        )
        return self.started


class SessionForm(FormScreen[Any]):
    """A form about one running session."""

    def __init__(self, operator: Staff, session_ref: str) -> None:
        super().__init__()
        self.operator = operator
        self.session_ref = session_ref


@dataclass(frozen=True)
class ActivityData:
    action: str
    detail: str | None
    transfer: FileTransfer | None


class ActivityForm(SessionForm):
    def compose_fields(self) -> ComposeResult:
        yield Static(Text(_("Activity in {ref}").format(ref=self.session_ref)), classes="form-title")
        # nothing pre-filled: an empty form must not save as an empty "note" activity
        yield from self.field(
            "action", _("action (e.g. note, restart, driver update)"), Input(placeholder=_("what was done"))
        )
        yield from self.field("detail", _("detail"), Input())
        yield from self.field("file_name", _("file transferred (empty: none)"), Input())
        yield from self.field(
            "file_direction",
            _("direction"),
            Select(options(TRANSFER_LABELS, TRANSFER_DIRECTIONS), value="upload", allow_blank=False),
        )
        yield from self.field("file_size", _("size in bytes"), Input())
        yield from self.field("file_sha256", _("SHA-256"), Input())

    def collect(self) -> ActivityData:
        """Every problem at once: the action (or a transfer instead), the size and the hash of a transfer."""
        problems = Problems()
        transfer = None
        action: str | None = None
        if self.value("file_name"):
            size = problems.take(
                lambda: parse_whole_number(self.value("file_size"), "file_size", _("must be a whole number of bytes"))
            )
            if size is None and "file_size" not in problems.fields():
                problems.add("file_size", _("must be a whole number of bytes"))
            sha = problems.take(lambda: validation.sha256("file_sha256", self.value("file_sha256")))
            if size is not None and sha is not None:
                transfer = FileTransfer(self.value("file_name"), self.value("file_direction"), size, sha)
                action = "file_" + transfer.direction
        else:
            action = problems.take(lambda: self.required("action"))
        problems.raise_any()
        assert action is not None
        return ActivityData(action, self.optional("detail"), transfer)

    def perform(self, data: ActivityData) -> Any:
        return sessions.log_activity(
            self.operator, self.session_ref, data.action, detail=data.detail, transfer=data.transfer
        )


@dataclass(frozen=True)
class ChatData:
    sender: str
    text: str


class ChatForm(SessionForm):
    def compose_fields(self) -> ComposeResult:
        yield Static(Text(_("Chat line in {ref}").format(ref=self.session_ref)), classes="form-title")
        yield from self.field(
            "sender",
            _("from"),
            Select(
                [(_("the customer"), "customer"), (_("the technician"), "technician")],
                value="customer",
                allow_blank=False,
            ),
        )
        yield from self.field("text", _("text"), Input(), required=True)

    def collect(self) -> ChatData:
        return ChatData(self.value("sender"), self.required("text"))

    def perform(self, data: ChatData) -> Any:
        return sessions.add_chat(self.operator, self.session_ref, data.sender, data.text)


SYSTEM_INFO_ROWS = 6
SYSTEM_INFO_EXAMPLES = ("os", "ram", "cpu")


class SystemInfoForm(SessionForm):
    """System information as name and value fields, one item per row (no JSON to type)."""

    DEFAULT_CSS = """
    SystemInfoForm .info-key { width: 18; margin-right: 1; }
    SystemInfoForm .info-value { width: 1fr; }
    """

    def compose_fields(self) -> ComposeResult:
        yield Static(Text(_("System information for {ref}").format(ref=self.session_ref)), classes="form-title")
        yield Label(Text(_("name and value, one item per row, e.g. os  Windows 11 Pro")), classes="field-label")
        for n in range(SYSTEM_INFO_ROWS):
            example = SYSTEM_INFO_EXAMPLES[n] if n < len(SYSTEM_INFO_EXAMPLES) else ""
            name = Input(placeholder=example, id=f"f-key-{n}", classes="info-key")
            value = Input(id=f"f-value-{n}", classes="info-value")
            for widget in (name, value):
                widget.compact = True
            with Horizontal(classes="tick-row"):
                yield name
                yield value
            yield Static("", id=f"e-key-{n}", classes="field-error")
        yield Static("", id="e-data", classes="field-error")

    def collect(self) -> dict[str, Any]:
        problems = Problems()
        data: dict[str, Any] = {}
        for n in range(SYSTEM_INFO_ROWS):
            name, value = self.value(f"key-{n}"), self.value(f"value-{n}")
            if not name and not value:
                continue
            if not name:
                problems.add(f"key-{n}", _("give the name of this value, e.g. os"))
            elif name in data:
                problems.add(f"key-{n}", _("{name} is given twice").format(name=name))
            else:
                data[name] = value
        if not data and not problems.items:
            problems.add("data", _("give at least one item, e.g. os: Windows 11 Pro"))
        problems.raise_any()
        return data

    def perform(self, data: dict[str, Any]) -> Any:
        return sessions.add_system_info(self.operator, self.session_ref, data)


@dataclass(frozen=True)
class ColleagueData:
    username: str
    consent: ConsentInput | None = None


class ColleagueForm(SessionForm):
    def __init__(self, operator: Staff, session_ref: str, customer_person: str = "") -> None:
        super().__init__(operator, session_ref)
        self.customer_person = customer_person

    def compose_fields(self) -> ComposeResult:
        yield Static(
            Text(
                _("Second technician for {ref}; the customer's consent is asked next (P6)").format(ref=self.session_ref)
            ),
            classes="form-title",
        )
        yield from self.field("username", _("colleague (username)"), Input(), required=True)

    def collect(self) -> ColleagueData:
        return ColleagueData(self.required("username"))

    def precheck(self, data: ColleagueData) -> None:
        """The colleague is checked (known, committed, not in already) before the customer is asked."""
        sessions.check_participant(self.operator, self.session_ref, data.username)

    async def prepare(self, data: ColleagueData) -> ColleagueData | None:
        consent = await self.app.push_screen_wait(ConsentForm("additional_staff", self.customer_person))
        if consent is None:
            self.show_error("username", _("a colleague joins only after the customer's consent is recorded (P6)"))
            return None
        return ColleagueData(data.username, consent)

    def perform(self, data: ColleagueData) -> Any:
        assert data.consent is not None
        return browse_jobs.add_colleague(self.operator, self.session_ref, data.username, data.consent)


@dataclass(frozen=True)
class DisclosureData:
    recipient: str
    categories: list[str]
    scope: str
    basis: str
    consent: ConsentInput | None = None


class DisclosureForm(SessionForm):
    def __init__(self, operator: Staff, session_ref: str, customer_person: str = "") -> None:
        super().__init__(operator, session_ref)
        self.customer_person = customer_person

    def compose_fields(self) -> ComposeResult:
        yield Static(
            Text(_("Disclosure from {ref} (P11); the customer is told now").format(ref=self.session_ref)),
            classes="form-title",
        )
        yield from self.field("recipient", _("recipient"), Input(), required=True)
        yield Label(Text(_("categories passed on")), classes="field-label")
        for row in (CATEGORIES[:4], CATEGORIES[4:]):
            with Horizontal(classes="tick-row"):
                for category in row:
                    tick = Tick(label(CATEGORY_LABELS, category), id=f"f-category-{category}")
                    tick.compact = True
                    yield tick
        yield Static("", id="e-categories", classes="field-error")
        yield from self.field("scope", _("scope (what, how much)"), Input(), required=True)
        yield from self.field(
            "basis",
            _("legal basis"),
            Select(options(DISCLOSURE_BASIS_LABELS, DISCLOSURE_BASES), value="consent", allow_blank=False),
        )

    def collect(self) -> DisclosureData:
        problems = Problems()
        recipient = problems.take(lambda: self.required("recipient"))
        categories = [c for c in CATEGORIES if self.query_one(f"#f-category-{c}", Checkbox).value]
        if not categories:
            problems.add("categories", _("tick at least one category"))
        scope = problems.take(lambda: self.required("scope"))
        problems.raise_any()
        return DisclosureData(recipient or "", categories, scope or "", self.value("basis"))

    async def prepare(self, data: DisclosureData) -> DisclosureData | None:
        if data.basis != "consent":
            return data
        consent = await self.app.push_screen_wait(ConsentForm("disclosure", self.customer_person))
        if consent is None:
            self.show_error("basis", _("on the basis of consent, the customer's consent is recorded first (P11)"))
            return None
        return DisclosureData(data.recipient, data.categories, data.scope, data.basis, consent)

    def perform(self, data: DisclosureData) -> Any:
        return browse_jobs.disclose(
            self.operator,
            self.session_ref,
            data.consent,
            recipient=data.recipient,
            categories=data.categories,
            scope=data.scope,
            basis=data.basis,
        )
