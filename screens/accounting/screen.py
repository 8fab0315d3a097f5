"""Accounting (P9): the billing outbox, the numbered batches with their records, export and acknowledgement.

Reading outbox and batch rows is an audited read of personal data (models/billing does it),
so the outbox is re-read only when its count changed, not on every refresh tick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Static

from models.billing import outbox as billing
from models.browse.billing import batch_records_page, batches_page, outbox_page
from models.browse.paging import ListQuery, Page
from models.core import clock
from models.core.db import worker_connection
from models.core.i18n import _, ngettext
from models.core.labels import term
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.host import host
from screens.kit.keys import binds, shown
from screens.kit.labels import BILLING_CLASS_LABELS, label
from screens.kit.roles import refusal
from screens.kit.text import literal

if TYPE_CHECKING:  # the forms (and the export job they run) are imported when one first opens
    from screens.accounting.forms import ExportBatchForm

VIEWS = (("outbox", _("Outbox")), ("batches", _("Batches")))
CLASS_IDS = ("contract", "goodwill", "billable")
RECORD_COLUMNS = [
    Column("ref", _("Record"), 11, priority=0),
    Column("order", _("Order"), 11),
    Column("session", _("Session"), 11, priority=3),
    Column("date", _("Date"), 10),
    Column("minutes", _("Min"), 4, priority=2),
    Column("customer", _("Customer"), 26, min=12, most=64),
    Column("class", _("Class"), widest([*CLASS_IDS, *map(term, CLASS_IDS)]), priority=0),
    Column("who", _("Workstation/employee"), 20, priority=3, min=10, short=_("Station"), most=40),
]
BATCH_COLUMNS = [
    Column("number", _("Batch"), 6, priority=0),
    Column("created", _("Created"), 16),
    Column("by", _("By"), 10, priority=2, min=6),
    Column("records", _("Records"), 7),
    Column("sha", _("SHA-256"), 9, priority=3),
    Column("ack", _("Acknowledged"), widest([_("open")], 10), priority=0, short=_("Ack.")),
    Column("billed", _("Billed on"), 10, priority=0, short=_("Billed")),
]
EMPTY: Page[Any] = Page([], None)


class CountLoaded(Message):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


def render_record(row: billing.BillingRow) -> list[Text]:
    return [
        Text(row.ref),
        literal(row.order_ref),
        literal(row.session_ref),
        Text(clock.format_day(row.session_date)),
        Text(str(row.duration_minutes), justify="right"),
        literal(f"{row.customer_number} {row.customer_name}"),
        Text(label(BILLING_CLASS_LABELS, row.billing_class)),  # words, not the id
        literal(row.workstation_or_employee),
    ]


def render_batch(batch: billing.BatchInfo) -> list[Text]:
    return [
        Text(str(batch.number)),
        Text(clock.format_berlin(batch.created_at)),
        literal(batch.created_by),
        Text(str(batch.record_count), justify="right"),
        Text(batch.sha256[:8] + "…"),
        Text(clock.format_day(clock.berlin_date(batch.acknowledged_at)) if batch.acknowledged_at else _("open")),
        Text(clock.format_day(batch.billed_on) if batch.billed_on else "—"),
    ]


class AccountingScreen(MainScreen):
    MODE = "accounting"
    BINDINGS = binds(
        "view",
        "export",
        "acknowledge",
        "export_again",
        "billing_date",
        view="next_view",
        export_again="reexport",
        billing_date="change_date",
    )

    def __init__(self) -> None:
        super().__init__()
        self.view = "outbox"
        self.batches_shown = False
        self.count: int | None = None
        self.batch_number: int | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="acc-views", classes="view-bar")
        with ContentSwitcher(initial="outbox", id="acc-switcher"):
            with Vertical(id="outbox"):
                yield Static(id="acc-count", classes="pane-title")
                yield PagedTable(
                    RECORD_COLUMNS,
                    self.fetch_outbox,
                    render_record,
                    key=lambda r: str(r.id),
                    sorts=billing.OUTBOX_SORTS,
                    filterable=True,
                    id="acc-outbox",
                )
            with Vertical(id="batches"):
                yield PagedTable(
                    BATCH_COLUMNS,
                    self.fetch_batches,
                    render_batch,
                    key=lambda b: str(b.number),
                    sorts=billing.BATCH_SORTS,
                    filterable=True,
                    id="acc-batches",
                )
                yield Static(id="acc-records-title", classes="pane-title")
                yield PagedTable(
                    RECORD_COLUMNS,
                    self.fetch_batch_records,
                    render_record,
                    key=lambda r: str(r.id),
                    sorts=billing.BATCH_RECORD_SORTS,
                    filterable=True,
                    id="acc-records",
                )

    @property
    def allowed(self) -> bool:
        return refusal(self.operator, *billing.BILLING_ROLES) is None

    def on_mount(self) -> None:
        self.show_views()
        reason = refusal(self.operator, *billing.BILLING_ROLES)
        if reason:
            self.hint(_("Records hidden, actions disabled: {reason}").format(reason=reason))

    # -- data (the domain functions check the role and audit the reads) -----------------------
    def fetch_outbox(self, after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return outbox_page(self.operator, after, limit, q) if self.allowed else EMPTY

    def fetch_batches(self, after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return batches_page(self.operator, after, limit, q) if self.allowed else EMPTY

    def fetch_batch_records(self, after: Any, limit: int, q: ListQuery) -> Page[Any]:
        if not self.allowed or self.batch_number is None:
            return EMPTY
        return batch_records_page(self.operator, self.batch_number, after, limit, q)

    def refresh_data(self) -> None:
        """Batches every time once their view was shown (no personal data); outbox rows only when
        their count changed. The batches view loads when first shown, not with the outbox's first frame."""
        if self.view == "batches" or self.batches_shown:
            self.batches_shown = True
            self.query_one("#acc-batches", PagedTable).reload()
        if self.count is None:  # the first load: rows and count side by side, not one after the other
            self.query_one("#acc-outbox", PagedTable).reload()
        self.load_count()

    @work(thread=True, exit_on_error=False, exclusive=True, group="count")
    def load_count(self) -> None:
        with worker_connection():
            count = billing.outbox_count()
        self.post_message(CountLoaded(count))

    @on(CountLoaded)
    def show_count(self, message: CountLoaded) -> None:
        changed = self.count is not None and message.count != self.count
        self.count = message.count
        self.query_one("#acc-count", Static).update(
            Text(
                ngettext(
                    "Outbox: {n} record waits for the next batch ({key} exports it)",
                    "Outbox: {n} records wait for the next batch ({key} exports them)",
                    message.count,
                ).format(n=message.count, key=shown("export"))
            )
        )
        if changed:
            self.query_one("#acc-outbox", PagedTable).reload()
        self.refresh_bindings()

    def show_views(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(shown("view") + " ", style="bold")
        for name, title in VIEWS:
            line.append(f" {title} ", style="reverse bold" if name == self.view else "")
        self.query_one("#acc-views", Static).update(line)

    def on_paged_table_loaded(self, message: PagedTable.Loaded) -> None:
        if message.table.id == "acc-batches":
            self.follow_batch()
        self.refresh_bindings()
        self.arm_refresh()

    def on_data_table_row_highlighted(self, event: Any) -> None:
        if event.data_table.id == "acc-batches":
            self.follow_batch()
        self.refresh_bindings()

    def follow_batch(self) -> None:
        """Show the records of the highlighted batch."""
        batch = self.query_one("#acc-batches", PagedTable).selected()
        number = batch.number if batch is not None else None
        if number != self.batch_number:
            self.batch_number = number
            title = _("Records of batch {n}").format(n=number) if number is not None else ""
            self.query_one("#acc-records-title", Static).update(Text(title))
            self.query_one("#acc-records", PagedTable).reload()

    # -- actions --------------------------------------------------------------------------
    def selected_batch(self) -> billing.BatchInfo | None:
        return self.query_one("#acc-batches", PagedTable).selected() if self.view == "batches" else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("export", "acknowledge", "reexport", "change_date"):
            if not self.allowed:
                return None  # the hint says why
            if action == "export":
                return None if not self.count else True
            batch = self.selected_batch()
            if batch is None:
                return None
            if action == "acknowledge" and batch.acknowledged_at is not None:
                return None
            if action == "change_date" and batch.acknowledged_at is None:
                return None  # acknowledge (k) gives the first date
        return True

    def action_next_view(self) -> None:
        names = [name for name, _title in VIEWS]
        self.view = names[(names.index(self.view) + 1) % len(names)]
        self.query_one("#acc-switcher", ContentSwitcher).current = self.view
        if self.view == "batches" and not self.batches_shown:
            self.batches_shown = True
            self.query_one("#acc-batches", PagedTable).reload()
        self.show_views()
        self.query_one("#acc-outbox" if self.view == "outbox" else "#acc-batches", PagedTable).focus()
        self.refresh_bindings()

    @property
    def default_folder(self) -> Path:
        return Path(host(self).info.data_dir) / "billing"

    def action_export(self) -> None:
        from screens.accounting.forms import ExportBatchForm

        self.open_export(ExportBatchForm(self.operator, self.default_folder, waiting=self.count or 0))

    def action_reexport(self) -> None:
        batch = self.selected_batch()
        if batch is not None:
            from screens.accounting.forms import ExportBatchForm

            self.open_export(ExportBatchForm(self.operator, self.default_folder, reexport=batch.number))

    def open_export(self, form: ExportBatchForm) -> None:
        def done(result: object) -> None:
            out = form.outcome
            if result is None or out is None:
                return
            if out.batch is None:
                self.notify(_("The outbox is empty; nothing written."), markup=False)
            else:
                same = (
                    ""
                    if not out.reexport
                    else (_(" (identical)") if out.identical else _(" (DIFFERS from the first export)"))
                )
                self.notify(
                    _("Batch {n}: {count} records → {csv}{same}").format(
                        n=out.batch.number, count=out.batch.record_count, csv=out.csv_path, same=same
                    ),
                    markup=False,
                    timeout=10,
                )
                self.hint(Text(_("Batch {n} written to {path}").format(n=out.batch.number, path=out.csv_path)))
                self.query_one("#acc-batches", PagedTable).select_when_loaded(str(out.batch.number))
            self.refresh_data()

        self.app.push_screen(form, done)

    def action_acknowledge(self) -> None:
        batch = self.selected_batch()
        if batch is None:
            return
        from screens.accounting.forms import AcknowledgeForm

        form = AcknowledgeForm(self.operator, batch)

        def done(result: object) -> None:
            out = form.outcome
            if result is None or out is None:
                return
            self.notify(
                _("Batch {n} acknowledged: {billed} orders billed, {waiting} still waiting.").format(
                    n=batch.number, billed=out.orders_billed, waiting=out.orders_waiting
                ),
                markup=False,
            )
            self.refresh_data()

        self.app.push_screen(form, done)

    def action_change_date(self) -> None:
        batch = self.selected_batch()
        if batch is None or batch.acknowledged_at is None:
            return
        from screens.accounting.forms import BillingDateForm

        form = BillingDateForm(self.operator, batch)

        def done(result: object) -> None:
            change = form.change
            if result is None or change is None:
                return
            self.notify(
                ngettext(
                    "Batch {n}: billing date {old} → {new}; {count} order follows.",
                    "Batch {n}: billing date {old} → {new}; {count} orders follow.",
                    change.orders_changed,
                ).format(
                    n=change.number,
                    old=clock.format_day(change.old),
                    new=clock.format_day(change.new),
                    count=change.orders_changed,
                ),
                markup=False,
            )
            self.refresh_data()

        self.app.push_screen(form, done)
