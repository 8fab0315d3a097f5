"""Dashboard: active sessions, what falls due, open access requests, unbilled orders, staff gaps."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Sparkline, Static

from models.browse.dashboard import Dashboard, dashboard
from models.core import clock
from models.core.db import worker_connection
from models.core.i18n import _
from models.core.labels import term
from screens.kit.base import MainScreen
from screens.kit.text import elapsed, literal

NOT_AVAILABLE = _("not available in this build yet")


class DashboardScreen(MainScreen):
    MODE = "dashboard"

    class Loaded(Message):
        def __init__(self, data: Dashboard) -> None:
            super().__init__()
            self.data = data

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="dashboard"):
            yield Static(id="dash-sessions")
            yield Static(id="dash-retention")
            yield Sparkline([], id="dash-chart")
            yield Static(id="dash-chart-label")
            yield Static(id="dash-access")
            yield Static(id="dash-orders")
            yield Static(id="dash-staff")
            yield Static(id="dash-notes", classes="bad")

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="dashboard")
    def load(self) -> None:
        with worker_connection():
            data = dashboard()
        self.post_message(self.Loaded(data))

    def on_worker_state_changed(self, event) -> None:
        if event.worker.group == "dashboard" and event.worker.is_finished and event.worker.error:
            self.arm_refresh()  # keep trying after a failure

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        data = message.data
        self.query_one("#dash-sessions", Static).update(self.sessions_text(data))
        self.query_one("#dash-retention", Static).update(self.retention_text(data))
        chart = self.query_one("#dash-chart", Sparkline)
        label = self.query_one("#dash-chart-label", Static)
        if data.due_per_day:
            chart.data = [count for _day, count in data.due_per_day]
            first, last = data.due_per_day[0][0], data.due_per_day[-1][0]
            label.update(
                Text(
                    _("deletions due per day, {first} – {last} (max {top})").format(
                        first=clock.format_day_month(first), last=clock.format_day_month(last), top=max(chart.data)
                    )
                )
            )
            chart.display = True
        else:
            chart.display = False
            label.update("")
        self.query_one("#dash-access", Static).update(self.access_text(data))
        self.query_one("#dash-orders", Static).update(self.orders_text(data))
        self.query_one("#dash-staff", Static).update(self.staff_text(data))
        lines = [_("could not read {what}").format(what=note) for note in data.notes]
        if data.connection_findings:
            lines.append(
                _("Logged connections without a screen-privacy record (P4): {n} (support24 ingest pending)").format(
                    n=data.connection_findings
                )
            )
        notes = Text("\n".join(lines))
        self.query_one("#dash-notes", Static).update(notes)
        self.arm_refresh()

    @staticmethod
    def sessions_text(data: Dashboard) -> Text:
        text = Text(_("Active sessions: {n}").format(n=data.active_count), style="bold")
        for line in data.active_first:
            text.append("\n  ")
            text.append_text(literal(f"{line.ref}  {elapsed(line.started_at)}  {line.technician}  "))
            text.append_text(literal(line.customer))
        if data.active_count > len(data.active_first):
            text.append("\n  " + _("… and {n} more (key 2)").format(n=data.active_count - len(data.active_first)))
        return text

    @staticmethod
    def retention_text(data: Dashboard) -> Text:
        text = Text(_("Retention") + ": ", style="bold")
        if data.retention is None:
            text.append(NOT_AVAILABLE, style="")
            return text
        overdue = data.retention.get("overdue", 0)
        text.append(
            _("due now {due}, overdue {overdue}, due today/tomorrow {soon}, held {held}, blocked {blocked}").format(
                due=data.retention.get("due", 0),
                overdue=overdue,
                soon=data.due_next_24h or 0,
                held=data.retention.get("held", 0),
                blocked=data.retention.get("blocked", 0),
            ),
            style="",
        )
        if overdue:
            text.append("  ⚠ " + _("overdue items: run a purge (key 5)"), style="bold reverse")
        text.append("\n" + _("Last purge: "), style="bold")
        if data.last_purge is None:
            text.append(_("never"), style="")
        else:
            text.append(
                _("{at}, {state}, {n} deleted, by {who}").format(
                    at=clock.format_berlin(data.last_purge["started_at"]),
                    state=term(data.last_purge["state"]),
                    n=data.last_purge["deleted"],
                    who=data.last_purge["operator"],
                ),
                style="",
            )
        return text

    @staticmethod
    def access_text(data: Dashboard) -> Text:
        text = Text(_("Access requests") + ": ", style="bold")
        if data.access is None:
            text.append(NOT_AVAILABLE, style="")
            return text
        text.append(_("{n} open, {late} overdue").format(n=data.access["open"], late=data.access["overdue"]), style="")
        if data.access["nearest_due_on"]:
            text.append(
                _(", nearest deadline {day} ({ref})").format(
                    day=clock.format_day(data.access["nearest_due_on"]), ref=data.access["nearest_ref"]
                ),
                style="",
            )
        return text

    @staticmethod
    def orders_text(data: Dashboard) -> Text:
        text = Text(_("Completed, not yet billed: {n}").format(n=data.unbilled_count), style="bold")
        if data.unbilled_oldest:
            text.append(_(" (oldest completed {at})").format(at=clock.format_berlin(data.unbilled_oldest)), style="")
        return text

    @staticmethod
    def staff_text(data: Dashboard) -> Text:
        text = Text(
            _("Staff without a confidentiality commitment: {n}").format(n=len(data.uncommitted_staff)), style="bold"
        )
        if data.uncommitted_staff:
            text.append("  ")
            text.append_text(literal(", ".join(data.uncommitted_staff)))
        return text
