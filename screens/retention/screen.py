"""Retention queue: what falls due by category and state, legal holds, purge runs, and running a purge.

A purge is always previewed first (a dry run that only counts), then confirmed, then run
in a thread worker that reports progress; only a privacy officer may run one or place and
release holds (DESIGN.md §3, §5). The lease keeps it to one purge across all consoles.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import ContentSwitcher, ProgressBar, Static

from console.progress_words import ITEMS, Follower
from models.browse.paging import ListQuery
from models.browse.retention import deletions_page, holds_page, lease_holder, queue_page, runs_page
from models.core import clock
from models.core.db import worker_connection
from models.core.i18n import _
from models.core.labels import category_label, term
from models.purge import service
from models.purge.run import DELETION_SORTS, PURGE_ROLES, RUN_SORTS
from models.retention import holds
from models.retention.holds import HOLD_SORTS
from models.retention.policy import CATEGORIES
from models.retention.queue import QUEUE_SORTS, STATES, SummaryRow, queue_summary
from screens.access.urgency import STATE_COLOURS, theme_colour
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.host import host
from screens.kit.keys import binds, shown
from screens.kit.roles import refusal
from screens.kit.text import literal
from screens.shell.timer import PurgeRanByHand

VIEWS = (("queue", _("Queue")), ("runs", _("Purge runs")), ("holds", _("Legal holds")))
QUEUE_COLUMNS = [
    Column("due", _("Due"), 16, priority=0),
    Column("category", _("Category"), widest(category_label(category) for category in CATEGORIES), min=10),
    Column("ref", _("Ref"), 14, min=11),
    Column("order", _("Order"), 11, priority=2),
    Column("state", _("State"), widest(_(state) for state in STATES), priority=0, most=48),
]
RUN_COLUMNS = [
    Column("id", _("Run"), 5),
    Column("started", _("Started"), 16),
    Column("who", _("By"), 10, priority=2, min=6),
    Column("kind", _("Kind"), widest([_("preview"), _("purge")])),
    Column("state", _("State"), widest(_(state) for state in ("running", "done", "failed", "interrupted")), priority=0),
    Column("deleted", _("Deleted"), 8),
    Column("policy", _("Policy"), 16, priority=3, min=8),
]
DELETION_COLUMNS = [
    Column("id", _("Record"), 7),
    Column("category", _("Category"), widest(category_label(category) for category in CATEGORIES), min=10),
    Column("ref", _("Ref"), 14, priority=0, min=10),
    Column("due", _("Was due"), 16, priority=2),
    Column("deleted", _("Deleted at"), 16, priority=0),
    Column("method", _("Method"), 12, priority=2, min=8),
]
HOLD_COLUMNS = [
    Column("id", _("Hold"), 5),
    Column("order", _("Order"), 11, priority=0),
    Column("placed", _("Placed"), 16),
    Column("by", _("By"), 10, priority=2, min=6),
    Column("reason", _("Reason"), 30, priority=0, min=12, most=80),
]


class SummaryLoaded(Message):
    def __init__(self, rows: list[SummaryRow], holder: str | None) -> None:
        super().__init__()
        self.rows = rows
        self.holder = holder


class PurgePreviewed(Message):
    def __init__(self, outcome: service.PurgeOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class PurgeBusy(Message):
    """A purge holds the lease already (the timer's, or another console's): said at once, nothing asked."""

    def __init__(self, holder: str) -> None:
        super().__init__()
        self.holder = holder


class PurgeProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class PurgeFinished(Message):
    def __init__(self, outcome: service.PurgeOutcome) -> None:
        super().__init__()
        self.outcome = outcome


def summary_table(rows: list[SummaryRow]) -> Table:
    """Categories down, states across; each cell the count, with the next due date per category."""
    table = Table(box=None, expand=False, pad_edge=False, show_edge=False, padding=(0, 1))
    table.add_column(_("category"), no_wrap=True, style="bold")
    for state in STATES:
        table.add_column(_(state), justify="right", no_wrap=True)
    table.add_column(_("next due"), no_wrap=True)
    by_category: dict[str, dict[str, SummaryRow]] = {}
    for row in rows:
        by_category.setdefault(row.category, {})[row.state] = row
    for category in CATEGORIES:
        cells = by_category.get(category)
        if not cells:
            continue
        dated = [r.next_due_at for r in cells.values() if r.next_due_at is not None and r.state != "held"]
        table.add_row(
            category_label(category),
            *[str(cells[s].count) if s in cells else "·" for s in STATES],
            clock.format_berlin(min(dated)) if dated else "—",
        )
    if not by_category:
        table.add_row(_("nothing is kept that falls due"), *[""] * (len(STATES) + 1))
    return table


class RetentionScreen(MainScreen):
    MODE = "retention"
    purge_follower: Follower | None = None  # the running purge's counts and rate, for its hint
    BINDINGS = binds(
        "view",
        "category",
        "state",
        "purge",
        "hold",
        "release",
        view="next_view",
        category="cycle_category",
        state="cycle_state",
        hold="place_hold",
        release="release_hold",
    )

    def __init__(self) -> None:
        super().__init__()
        self.view = "queue"
        self.summary_wanted = False
        self.category: str | None = None
        self.state: str | None = None
        self.run_id: int | None = None
        self.purging = False
        self.wanted_run: int | None = None  # a run just made: show its deletion records

    def compose_body(self) -> ComposeResult:
        yield Static(id="ret-views", classes="view-bar")
        yield ProgressBar(id="ret-progress", show_eta=False)
        with ContentSwitcher(initial="queue", id="ret-switcher"):
            with Vertical(id="queue"):
                yield Static(id="ret-summary", classes="panel")
                yield Static(id="ret-filter", classes="pane-title")
                yield PagedTable(
                    QUEUE_COLUMNS,
                    self.fetch_queue,
                    self.render_item,
                    sorts=QUEUE_SORTS,
                    filterable=True,
                    id="ret-queue",
                )

    def build_view(self, view: str) -> Vertical:
        """The purge runs and holds views are mounted when first shown: fewer widgets to lay out
        before the queue's first frame."""
        if view == "runs":
            return Vertical(
                PagedTable(
                    RUN_COLUMNS,
                    runs_page,
                    self.render_run,
                    key=lambda r: str(r.id),
                    sorts=RUN_SORTS,
                    filterable=True,
                    id="ret-runs",
                ),
                Static(id="ret-deletions-title", classes="pane-title"),
                PagedTable(
                    DELETION_COLUMNS,
                    self.fetch_deletions,
                    self.render_deletion,
                    key=lambda r: str(r.id),
                    sorts=DELETION_SORTS,
                    filterable=True,
                    id="ret-deletions",
                ),
                id="runs",
            )
        return Vertical(
            PagedTable(
                HOLD_COLUMNS,
                holds_page,
                self.render_hold,
                key=lambda r: str(r.id),
                sorts=HOLD_SORTS,
                filterable=True,
                id="ret-holds",
            ),
            id="holds",
        )

    def on_mount(self) -> None:
        self.query_one("#ret-progress", ProgressBar).display = False
        self.show_views()
        self.show_filter()
        reason = refusal(self.operator, *PURGE_ROLES)
        if reason:
            self.hint(_("Purge and holds disabled: {reason}").format(reason=reason))

    # -- data -------------------------------------------------------------------------------
    def fetch_queue(self, after: Any, limit: int, q: ListQuery) -> Any:
        return queue_page(self.category, self.state, after, limit, q=q)

    def fetch_deletions(self, after: Any, limit: int, q: ListQuery) -> Any:
        return deletions_page(self.run_id, after, limit, q)

    def refresh_data(self) -> None:
        """The visible view's tables and the summary; a view's tables load when it is shown."""
        self.summary_wanted = True  # after the first table's page: the two would only slow each other
        for table in self.query_one(f"#{self.view}").query(PagedTable):
            table.reload()

    @work(thread=True, exit_on_error=False, exclusive=True, group="summary")
    def load_summary(self) -> None:
        with worker_connection():
            rows, holder = queue_summary(), lease_holder(clock.now())
        self.post_message(SummaryLoaded(rows, holder))

    @on(SummaryLoaded)
    def show_summary(self, message: SummaryLoaded) -> None:
        summary = self.query_one("#ret-summary", Static)
        if message.holder:
            line = Text(_("A purge is running: "), style="bold")
            line.append_text(literal(message.holder))
            summary.update(Group(summary_table(message.rows), line))
        else:
            summary.update(summary_table(message.rows))

    # -- rendering ------------------------------------------------------------------------
    def coloured(self, value: str, variable: str | None) -> Text:
        colour = theme_colour(self.app, variable) if variable else ""
        return Text(value, style=f"bold {colour}" if colour else "")

    def render_item(self, item: Any) -> list[Text]:
        return [
            Text(clock.format_berlin(item.due_at) if item.due_at else _("not yet")),
            Text(category_label(item.category)),
            literal(item.ref),
            literal(item.order_ref),
            self.coloured(
                _(item.state) + (f": {item.reason}" if getattr(item, "reason", None) else ""),
                STATE_COLOURS.get(item.state),
            ),
        ]

    def render_run(self, run: Any) -> list[Text]:
        return [
            Text(str(run.id)),
            Text(clock.format_berlin(run.started_at)),
            literal(run.operator),
            Text(_("preview") if run.dry_run else _("purge")),
            self.coloured(_(run.state), STATE_COLOURS.get(run.state)),
            Text("—" if run.dry_run else str(run.deleted_count)),
            literal(run.policy_version),
        ]

    def render_deletion(self, record: Any) -> list[Text]:
        return [
            Text(str(record.id)),
            Text(category_label(record.category)),
            literal(record.ref),
            Text(clock.format_berlin(record.due_at)),
            Text(clock.format_berlin(record.deleted_at)),
            literal(record.method),
        ]

    def render_hold(self, hold: Any) -> list[Text]:
        return [
            Text(str(hold.id)),
            literal(hold.order_ref),
            Text(clock.format_berlin(hold.placed_at)),
            literal(hold.placed_by),
            literal(hold.reason),
        ]

    def show_views(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(shown("view") + " ", style="bold")
        for name, title in VIEWS:
            line.append(f" {title} ", style="reverse bold" if name == self.view else "")
        self.query_one("#ret-views", Static).update(line)

    def show_filter(self) -> None:
        text = _("Queue · category: {category} · state: {state}   ({keys} to change)").format(
            keys=f"{shown('category')} / {shown('state')}",
            category=category_label(self.category) or _("all"),
            state=term(self.state) or _("all"),
        )
        self.query_one("#ret-filter", Static).update(Content(text))

    # -- actions --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cycle_category", "cycle_state"):
            return self.view == "queue"
        if action in ("purge", "place_hold", "release_hold"):
            if refusal(self.operator, *(PURGE_ROLES if action == "purge" else holds.HOLD_ROLES)):
                return None  # shown disabled; the hint says why
            if action == "purge":
                return None if self.purging else True
            if action == "release_hold":
                return self.view == "holds" and self.query_one("#ret-holds", PagedTable).selected() is not None
        return True

    async def action_next_view(self) -> None:
        names = [name for name, _title in VIEWS]
        self.view = names[(names.index(self.view) + 1) % len(names)]
        switcher = self.query_one("#ret-switcher", ContentSwitcher)
        if not switcher.query_children(f"#{self.view}"):
            await switcher.add_content(self.build_view(self.view))
        switcher.current = self.view
        self.show_views()
        if self.view == "runs":  # the deletion records follow the run highlighted once the runs are in
            self.run_id = None
            self.query_one("#ret-runs", PagedTable).reload()
        else:
            for table in self.query_one(f"#{self.view}").query(PagedTable):
                table.reload()
        first = {"queue": "#ret-queue", "runs": "#ret-runs", "holds": "#ret-holds"}[self.view]
        self.query_one(first, PagedTable).focus()
        self.refresh_bindings()

    def action_cycle_category(self) -> None:
        options: list[str | None] = [None, *CATEGORIES]
        self.category = options[(options.index(self.category) + 1) % len(options)]
        self.show_filter()
        self.query_one("#ret-queue", PagedTable).reload()

    def action_cycle_state(self) -> None:
        options: list[str | None] = [None, *STATES]
        self.state = options[(options.index(self.state) + 1) % len(options)]
        self.show_filter()
        self.query_one("#ret-queue", PagedTable).reload()

    def on_data_table_row_highlighted(self, event: Any) -> None:
        if event.data_table.id == "ret-runs":
            self.follow_run()
        self.refresh_bindings()

    def on_paged_table_loaded(self, message: PagedTable.Loaded) -> None:
        if self.summary_wanted:
            self.summary_wanted = False
            self.load_summary()
        if message.table.id == "ret-runs":
            self.follow_run()
        self.refresh_bindings()

    def follow_run(self) -> None:
        """Show the deletion records of the highlighted purge run."""
        table = self.query_one("#ret-runs", PagedTable)
        if self.wanted_run is not None and str(self.wanted_run) in table.rows_by_key:
            table.move_cursor(row=table.get_row_index(str(self.wanted_run)), animate=False)
            self.wanted_run = None
        run = table.selected()
        if run is not None and run.id != self.run_id:
            self.run_id = run.id
            self.query_one("#ret-deletions-title", Static).update(
                Text(_("Deletion records of run {id} (policy {policy})").format(id=run.id, policy=run.policy_version))
            )
            self.query_one("#ret-deletions", PagedTable).reload()

    # -- holds ----------------------------------------------------------------------------
    def action_place_hold(self) -> None:
        def placed(result: object) -> None:
            if result is not None:
                self.notify(_("Legal hold placed on {ref}.").format(ref=getattr(result, "order_ref", "")), markup=False)
                self.refresh_data()

        from screens.retention.forms import HoldForm  # the forms are imported when one first opens

        self.app.push_screen(HoldForm(self.operator), placed)

    def action_release_hold(self) -> None:
        hold = self.query_one("#ret-holds", PagedTable).selected()
        if hold is None:
            return
        question = Text(_("Release legal hold {id} on order {ref}?").format(id=hold.id, ref=hold.order_ref) + "\n")
        question.append_text(literal(hold.reason))
        question.append("\n" + _("What is past due goes in the next purge run."))
        from screens.kit.forms import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question), partial(self.release_answered, hold.id))

    def release_answered(self, hold_id: int, yes: bool | None) -> None:
        if yes:
            self.release(hold_id)

    @work(thread=True, exit_on_error=False, group="hold")
    def release(self, hold_id: int) -> None:
        with worker_connection():
            holds.release_hold(self.operator, hold_id)
        self.app.call_from_thread(self.released, hold_id)

    def released(self, hold_id: int) -> None:
        self.notify(_("Legal hold {id} released.").format(id=hold_id), markup=False)
        self.refresh_data()

    # -- purge: preview, confirm, run ------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return Path(host(self).info.data_dir)

    def purge_now(self, **options: Any) -> service.PurgeOutcome:
        """The one purge entry point, with the configured policy re-read as the timer does."""
        scheduler = getattr(host(self), "purge_scheduler", None)
        reload_policy = scheduler.reload_policy if scheduler is not None else None
        return service.purge(self.operator, data_dir=self.data_dir, reload_policy=reload_policy, **options)

    def action_purge(self) -> None:
        reason = refusal(self.operator, *PURGE_ROLES)
        if reason:
            self.hint(reason)
            return
        self.hint(_("Preview: counting what is due …"))
        self.preview()

    @work(thread=True, exit_on_error=False, exclusive=True, group="purge-preview")
    def preview(self) -> None:
        with worker_connection():
            holder = lease_holder(clock.now())
            if holder is not None:
                self.post_message(PurgeBusy(holder))
                return
            outcome = self.purge_now(dry_run=True)
        self.post_message(PurgePreviewed(outcome))

    @on(PurgeBusy)
    def purge_busy(self, message: PurgeBusy) -> None:
        """Before any question: a running purge is named, and p may be pressed again when it is done."""
        text = _("A purge is running already (another purge is running: {holder}); try again when it has finished.")
        text = text.format(holder=message.holder)
        self.hint(Text(text))
        self.notify(text, title=_("Purge"), markup=False, severity="warning")

    @on(PurgePreviewed)
    def previewed(self, message: PurgePreviewed) -> None:
        outcome = message.outcome
        self.refresh_data()
        if outcome.result is None:  # refused, busy or failed
            self.hint(service.outcome_text(outcome))
            return
        result = outcome.result
        if not result.total:
            self.hint(_("Preview (run {id}): nothing is due; no purge needed.").format(id=result.run_id))
            return
        self.hint(service.outcome_text(outcome))
        from screens.kit.forms import ConfirmScreen
        from screens.retention.forms import plan_text

        question = plan_text(result)
        question.append("\n\n" + _("Delete these items now, permanently?"), style="bold")
        self.app.push_screen(ConfirmScreen(question), self.purge_answered)

    def purge_answered(self, yes: bool | None) -> None:
        if not yes:
            self.hint(_("Purge cancelled; nothing was deleted."))
            return
        self.purging = True
        self.purge_follower = None  # a new run: its own rate and time left
        bar = self.query_one("#ret-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.hint(_("Purging …"))
        self.refresh_bindings()
        self.run_purge()

    @work(thread=True, exit_on_error=False, exclusive=True, group="purge")
    def run_purge(self) -> None:
        def progress(done: int, total: int) -> None:  # service.purge throttles the reports
            self.post_message(PurgeProgress(done, total))

        with worker_connection():
            outcome = self.purge_now(progress=progress)
        self.post_message(PurgeFinished(outcome))

    @on(PurgeProgress)
    def show_progress(self, message: PurgeProgress) -> None:
        self.query_one("#ret-progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)
        self.show_purge_progress(message.done, message.total)

    def show_purge_progress(self, done: int, total: int) -> None:
        """Counts and the time left in the hint while the purge runs ("… of … items · about … left")."""
        if self.purge_follower is None:
            self.purge_follower = Follower(ITEMS)
        self.purge_follower(done, total)
        self.hint(_("Purging: {progress}").format(progress=self.purge_follower.text()))

    @on(PurgeFinished)
    def purge_finished(self, message: PurgeFinished) -> None:
        outcome = message.outcome
        text = service.outcome_text(outcome)
        self.notify(text, title=_("Purge"), markup=False, severity="information" if outcome.ok else "error")
        self.hint(text)
        self.wanted_run = outcome.run_id
        self.app.post_message(PurgeRanByHand(outcome))  # the header shows it as the last run
        self.refresh_data()

    def on_worker_state_changed(self, event: Any) -> None:
        if event.worker.group in ("purge", "purge-preview") and event.worker.is_finished:
            if event.worker.group == "purge":
                self.purging = False
                self.query_one("#ret-progress", ProgressBar).display = False
                self.refresh_bindings()
            if event.worker.error is not None:
                self.hint(Text(str(event.worker.error)))
