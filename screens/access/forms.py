"""Forms of the access-request workflow (GDPR Art. 15): open, verify, exclude, export, extend, deliver, reject.

Each form collects a small dataclass and calls models/access (or console/access_report for
the export) in a thread; a refusal (step out of order, a late extension) shows in the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from console.progress_words import RECORDS
from console.reports.access_report import FORMATS, export_report
from console.reports.texts import LANGUAGES
from console.settings.config import Controller
from models.access import bulk_exclusion
from models.access import requests as access
from models.core import clock
from models.core.entities import ACCESS_CHANNELS, Staff
from models.core.errors import ValidationError
from models.core.i18n import _, ngettext
from models.core.labels import term
from screens.kit.forms import ConfirmScreen, FormScreen, show_day
from screens.kit.keys import shown
from screens.kit.progress import ShowsProgress, progress_status


def split_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


@dataclass(frozen=True)
class NewRequest:
    name: str
    received_on: date
    channel: str
    email: str | None
    customer_number: str | None
    address: str | None
    workstations: list[str]
    ips: list[str]


class OpenRequestForm(FormScreen[NewRequest]):
    """A written request arrived: register it; the deadline follows Art. 12(3) and Regulation 1182/71."""

    TITLE = _("Open an access request")

    def __init__(self, operator: Staff) -> None:
        super().__init__()
        self.operator = operator
        self.created_ref: str | None = None

    def compose_fields(self) -> ComposeResult:
        yield from self.field("name", _("Requester's name"), Input(), required=True)
        yield from self.field(
            "received_on",
            _("Received on (date of the written request)"),
            Input(show_day(clock.today_berlin())),
            required=True,
            day=True,
        )
        yield from self.field(
            "channel", _("Channel"), Select([(c, c) for c in ACCESS_CHANNELS], value="letter", allow_blank=False)
        )
        yield from self.field("email", _("E-mail (optional)"), Input())
        yield from self.field("customer", _("Customer number (optional)"), Input(placeholder="K-10042"))
        yield from self.field("address", _("Postal address (optional)"), TextArea())
        yield from self.field("workstations", _("Workstation names they gave (comma-separated, optional)"), Input())
        yield from self.field("ips", _("IP addresses they gave (comma-separated, optional)"), Input())

    def collect(self) -> NewRequest:
        received = self.day("received_on")
        if received is None:
            raise ValidationError("received_on", _("is required"))
        return NewRequest(
            self.required("name"),
            received,
            self.value("channel"),
            self.optional("email"),
            self.optional("customer"),
            self.value("address").strip() or None,
            split_list(self.value("workstations")),
            split_list(self.value("ips")),
        )

    def perform(self, data: NewRequest) -> None:
        identifiers = {"workstations": data.workstations, "ips": data.ips} if data.workstations or data.ips else None
        request = access.open_request(
            self.operator,
            name=data.name,
            received_on=data.received_on,
            channel=data.channel,
            email=data.email,
            customer_number=data.customer_number,
            address=data.address,
            identifiers=identifiers,
        )
        self.created_ref = request.ref


class StepForm(FormScreen[Any]):
    """A workflow step on one request; subclasses give the fields and the call."""

    def __init__(self, operator: Staff, ref: str) -> None:
        super().__init__()
        self.operator = operator
        self.ref = ref
        self.outcome: Any = None  # what perform() produced, e.g. the ExportResult of an export

    def compose_fields(self) -> ComposeResult:
        yield from ()


@dataclass(frozen=True)
class TextStep:
    text: str


class VerifyForm(StepForm):
    TITLE = _("Verify the requester's identity")

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "method",
            _("How was the identity checked? (e.g. signature compared with the contract)"),
            TextArea(),
            required=True,
        )

    def collect(self) -> TextStep:
        return TextStep(self.value("method"))

    def perform(self, data: TextStep) -> None:
        access.verify_identity(self.operator, self.ref, data.text)


class RejectForm(StepForm):
    TITLE = _("Reject the request")

    def compose_fields(self) -> ComposeResult:
        yield from self.field("reason", _("Reason (kept with the request)"), TextArea(), required=True)

    def collect(self) -> TextStep:
        return TextStep(self.value("reason"))

    def perform(self, data: TextStep) -> None:
        access.reject(self.operator, self.ref, data.text)


class ExcludeForm(StepForm):
    """A false match (a namesake, another company's PC): left out of the report, with the reason."""

    TITLE = _("Exclude a match")

    def __init__(self, operator: Staff, ref: str, kind: str, record_id: int, label: str) -> None:
        super().__init__(operator, ref)
        self.kind = kind
        self.record_id = record_id
        self.TITLE = _("Exclude {kind} {label} from {ref}").format(kind=term(kind), label=label, ref=ref)

    def compose_fields(self) -> ComposeResult:
        yield from self.field("reason", _("Why does it not concern the requester?"), TextArea(), required=True)

    def collect(self) -> TextStep:
        return TextStep(self.value("reason"))

    def perform(self, data: TextStep) -> None:
        access.exclude_match(self.operator, self.ref, self.kind, self.record_id, data.text)


class ExcludeKindForm(StepForm):
    """Every included match of one kind left out at once (a common name matching thousands of chat lines)."""

    def __init__(self, operator: Staff, ref: str, kind: str) -> None:
        super().__init__(operator, ref)
        self.kind = kind
        self.count = 0
        self.TITLE = _("Exclude every {kind} match from {ref}").format(kind=term(kind), ref=ref)  # type: ignore[misc]

    def compose_fields(self) -> ComposeResult:
        yield from self.field("reason", _("Why do they not concern the requester?"), TextArea(), required=True)

    def collect(self) -> TextStep:
        if not self.value("reason").strip():
            raise ValidationError("reason", _("is required"))
        return TextStep(self.value("reason"))

    def precheck(self, data: TextStep) -> None:
        self.count = bulk_exclusion.included_of_kind(self.operator, self.ref, self.kind)

    async def prepare(self, data: TextStep) -> TextStep | None:
        question = Text(
            ngettext(
                "Leave {n} {kind} match out of the report of {ref}?",
                "Leave all {n} {kind} matches out of the report of {ref}?",
                self.count,
            ).format(n=self.count, kind=term(self.kind), ref=self.ref)
            + "\n"
            + _("They can be included again ({key}).").format(key=shown("include_kind"))
        )
        return data if await self.app.push_screen_wait(ConfirmScreen(question)) else None

    def perform(self, data: TextStep) -> None:
        self.outcome = bulk_exclusion.exclude_kind(self.operator, self.ref, self.kind, data.text)


@dataclass(frozen=True)
class ExtendStep:
    reason: str
    notified_on: date


class ExtendForm(StepForm):
    TITLE = _("Extend by two months (Art. 12(3))")

    def compose_fields(self) -> ComposeResult:
        yield from self.field("reason", _("Reason (complexity, number of requests)"), TextArea(), required=True)
        yield from self.field(
            "notified_on", _("Requester told on"), Input(show_day(clock.today_berlin())), required=True, day=True
        )

    def collect(self) -> ExtendStep:
        notified = self.day("notified_on")
        if notified is None:
            raise ValidationError("notified_on", _("is required"))
        return ExtendStep(self.value("reason"), notified)

    def precheck(self, data: ExtendStep) -> None:
        self.new_due = access.preview_extension(self.operator, self.ref, data.notified_on)

    async def prepare(self, data: ExtendStep) -> ExtendStep | None:
        question = Text(
            _("Extend {ref}: the new deadline is {day}. The requester must be told why (Art. 12(3)).").format(
                ref=self.ref, day=self.new_due.strftime("%d.%m.%Y")
            )
            + "\n"
            + _("An extension is allowed once and cannot be taken back. Extend now?")
        )
        return data if await self.app.push_screen_wait(ConfirmScreen(question)) else None

    def perform(self, data: ExtendStep) -> None:
        access.extend(self.operator, self.ref, data.reason, data.notified_on)


@dataclass(frozen=True)
class DeliverStep:
    on: date


class DeliverForm(StepForm):
    TITLE = _("Deliver the exported report")

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "on", _("Sent to the requester on"), Input(show_day(clock.today_berlin())), required=True, day=True
        )

    def collect(self) -> DeliverStep:
        day = self.day("on")
        if day is None:
            raise ValidationError("on", _("is required"))
        return DeliverStep(day)

    async def prepare(self, data: DeliverStep) -> DeliverStep | None:
        """Delivery closes the request for good: said once, with the date, before it is recorded."""
        question = Text(
            _("Record that the report of {ref} was sent to the requester on {day}?").format(
                ref=self.ref, day=show_day(data.on)
            )
            + "\n"
            + _("The request is closed then; this cannot be taken back.")
        )
        return data if await self.app.push_screen_wait(ConfirmScreen(question)) else None

    def perform(self, data: DeliverStep) -> None:
        access.deliver(self.operator, self.ref, data.on)


@dataclass(frozen=True)
class ExportStep:
    fmt: str
    lang: str
    path: Path


class ExportForm(ShowsProgress, StepForm):
    """Write the report (JSON, HTML or Markdown; German or English) to a file readable only by you."""

    TITLE = _("Export the report")

    def __init__(self, operator: Staff, ref: str, data_dir: Path, controller: Controller, lang: str = "de") -> None:
        super().__init__(operator, ref)
        self.data_dir = data_dir
        self.controller = controller
        self.lang = lang if lang in LANGUAGES else "de"

    def compose_fields(self) -> ComposeResult:
        yield from self.field("fmt", _("Format"), Select([(f, f) for f in FORMATS], value="html", allow_blank=False))
        yield from self.field(
            "lang", _("Language"), Select([(lang, lang) for lang in LANGUAGES], value=self.lang, allow_blank=False)
        )
        yield from self.field(
            "out",  # named as export_report names it, so its refusals show under this input
            _("File (empty: in the data folder)"),
            Input(placeholder=str(self.data_dir / f"{self.ref}-{self.lang}.html")),
        )
        yield progress_status()  # "… of … records · about … left" while the report is written

    def collect(self) -> ExportStep:
        fmt, lang = self.value("fmt"), self.value("lang")
        raw = self.value("out")
        path = Path(raw).expanduser() if raw else self.data_dir / f"{self.ref}-{lang}.{fmt}"
        if not path.is_absolute():
            path = self.data_dir / path
        return ExportStep(fmt, lang, path)

    def perform(self, data: ExportStep) -> None:
        try:
            self.outcome = export_report(
                self.operator,
                self.ref,
                fmt=data.fmt,
                out=data.path,
                controller=self.controller,
                lang=data.lang,
                progress=self.follow_progress(RECORDS),
            )
        except OSError as exc:
            raise ValidationError("out", _("cannot write: {error}").format(error=exc.strerror or exc)) from None
