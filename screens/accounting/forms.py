"""Forms of the accounting screen: export a batch to a folder, acknowledge a batch with its billing date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from console.jobs import billing_export
from console.progress_words import RECORDS
from models.billing import correction
from models.billing import outbox as billing
from models.core import clock
from models.core.entities import Staff
from models.core.errors import ValidationError
from models.core.i18n import _, ngettext
from screens.kit.forms import ConfirmScreen, FormScreen, show_day
from screens.kit.keys import shown
from screens.kit.progress import ShowsProgress, progress_status


@dataclass(frozen=True)
class ExportInput:
    folder: Path


class ExportBatchForm(ShowsProgress, FormScreen[ExportInput]):
    """Every outbox record into the next numbered batch (CSV + JSON), or one batch again, byte for byte."""

    def __init__(self, operator: Staff, default_folder: Path, *, reexport: int | None = None, waiting: int = 0) -> None:
        super().__init__()
        self.operator = operator
        self.default_folder = default_folder
        self.reexport = reexport
        self.waiting = waiting
        self.outcome: billing_export.ExportResult | None = None
        self.TITLE = (
            _("Export batch {n} again").format(n=reexport)
            if reexport is not None
            else _("Export the outbox as the next batch")
        )

    def compose_fields(self) -> ComposeResult:
        if self.reexport is None:
            yield Static(
                Text(
                    ngettext("{n} record waits in the outbox.", "{n} records wait in the outbox.", self.waiting).format(
                        n=self.waiting
                    )
                )
            )
        # named as billing_export names it, so its refusals show under this input
        yield from self.field("out_dir", _("Folder (created 0700 if missing)"), Input(str(self.default_folder)))
        yield progress_status()  # "… of … records · about … left" while the files are written

    def collect(self) -> ExportInput:
        raw = self.required("out_dir")
        return ExportInput(Path(raw).expanduser())

    def perform(self, data: ExportInput) -> None:
        self.outcome = billing_export.export(
            self.operator, data.folder, reexport=self.reexport, progress=self.follow_progress(RECORDS)
        )


@dataclass(frozen=True)
class AckInput:
    billed_on: date


class AcknowledgeForm(FormScreen[AckInput]):
    """Accounting billed the batch: its orders get the billing date that starts P8's three months.

    The date is typed here (today is offered) and the step is confirmed once with batch and date,
    because the domain does not let a billing date change after the acknowledgement.
    """

    def __init__(self, operator: Staff, batch: billing.BatchInfo) -> None:
        super().__init__()
        self.operator = operator
        self.batch = batch
        self.number = batch.number
        self.outcome: Any = None
        self.TITLE = _("Acknowledge batch {n}").format(n=batch.number)

    def compose_fields(self) -> ComposeResult:
        yield Static(
            Text(
                _("Batch {n}, created {created} by {by}, {count} records.").format(
                    n=self.batch.number,
                    created=clock.format_berlin(self.batch.created_at),
                    by=self.batch.created_by,
                    count=self.batch.record_count,
                )
            )
        )
        yield from self.field(
            "billed_on",
            _("Billed on (the invoice date, DD.MM.YYYY)"),
            Input(show_day(clock.today_berlin())),
            required=True,
            day=True,
        )

    def collect(self) -> AckInput:
        day = self.day("billed_on")
        if day is None:
            raise ValidationError("billed_on", _("is required"))
        return AckInput(day)

    def precheck(self, data: AckInput) -> None:
        billing.check_acknowledge(self.operator, self.number, data.billed_on)

    async def prepare(self, data: AckInput) -> AckInput | None:
        question = Text(
            _("Acknowledge batch {n} ({count} records, created {created}) as billed on {day}?").format(
                n=self.batch.number,
                count=self.batch.record_count,
                created=clock.format_berlin(self.batch.created_at),
                day=show_day(data.billed_on),
            )
            + "\n"
            + _(
                "Its orders get this billing date, which starts the three months after which their records are "
                "deleted (P8). A wrong date can be corrected later ({key}) until that deletion is due."
            ).format(key=shown("billing_date"))
        )
        return data if await self.app.push_screen_wait(ConfirmScreen(question)) else None

    def perform(self, data: AckInput) -> None:
        self.outcome = billing.acknowledge(self.operator, self.number, data.billed_on)


class BillingDateForm(FormScreen[AckInput]):
    """Correct the billing date of an acknowledged batch; old → new is shown and confirmed once before saving."""

    def __init__(self, operator: Staff, batch: billing.BatchInfo) -> None:
        super().__init__()
        self.operator = operator
        self.target = batch
        self.change: correction.DateChange | None = None
        self.TITLE = _("Change the billing date of batch {n}").format(n=batch.number)  # type: ignore[misc]

    def compose_fields(self) -> ComposeResult:
        yield Static(
            Text(
                _("Batch {n}, {count} records, billed on {day}.").format(
                    n=self.target.number, count=self.target.record_count, day=show_day(self.target.billed_on)
                )
            )
        )
        yield from self.field(
            "billed_on",
            _("New billing date (the invoice date, DD.MM.YYYY)"),
            Input(show_day(self.target.billed_on)),
            required=True,
            day=True,
        )

    def collect(self) -> AckInput:
        day = self.day("billed_on")
        if day is None:
            raise ValidationError("billed_on", _("is required"))
        if day == self.target.billed_on:
            raise ValidationError("billed_on", _("is the date the batch has; type the corrected one"))
        return AckInput(day)

    def precheck(self, data: AckInput) -> None:
        self.change = correction.check_change_billing_date(self.operator, self.target.number, data.billed_on)

    async def prepare(self, data: AckInput) -> AckInput | None:
        change = self.change
        assert change is not None
        question = Text(
            _("Change the billing date of batch {n}: {old} → {new}?").format(
                n=change.number, old=show_day(change.old), new=show_day(change.new)
            )
            + "\n"
            + ngettext(
                "{n} order takes the new date, and the deletion of its records (P8) moves with it.",
                "{n} orders take the new date, and the deletion of their records (P8) moves with it.",
                change.orders_changed,
            ).format(n=change.orders_changed)
        )
        return data if await self.app.push_screen_wait(ConfirmScreen(question)) else None

    def perform(self, data: AckInput) -> None:
        self.change = correction.change_billing_date(self.operator, self.target.number, data.billed_on)
