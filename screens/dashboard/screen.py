"""Dashboard: active sessions, what falls due, open access requests, unbilled orders, staff gaps."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Sparkline, Static

from models.browse.dashboard import ActiveLine, Dashboard, read_dashboard
from models.core import clock
from models.core.i18n import _
from models.core.labels import term
from screens.kit.base import MainScreen
from screens.kit.keys import bind, binds
from screens.kit.text import elapsed, literal

NOT_AVAILABLE = _("not available in this build yet")


class DashLine(Static, can_focus=True):
    """A dashboard line that Enter opens: what it refers to (a session, a request, a screen)."""

    DEFAULT_CSS = "DashLine:focus { text-style: reverse; }"
    BINDINGS = [
        Binding("down", "app.focus_next", show=False),
        Binding("up", "app.focus_previous", show=False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target: Callable[[], object] | None = None


class DashboardScreen(MainScreen):
    MODE = "dashboard"
    BINDINGS = [*binds("open"), bind("filter", show=False), bind("sort", show=False)]  # no list here

    class Loaded(Message):
        def __init__(self, data: Dashboard) -> None:
            super().__init__()
            self.data = data

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="dashboard"):
            yield DashLine(id="dash-sessions")
            yield Vertical(id="dash-active")
            yield DashLine(id="dash-retention")
            yield Sparkline([], id="dash-chart")
            yield Static(id="dash-chart-label")
            yield DashLine(id="dash-access")
            yield DashLine(id="dash-orders")
            yield DashLine(id="dash-staff")
            yield DashLine(id="dash-notes", classes="bad")

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="dashboard")
    def load(self) -> None:
        take_early = getattr(self.app, "take_early", None)  # the console's app: what it read at start
        early = take_early(self.MODE) if take_early is not None else None
        data = early if isinstance(early, Dashboard) else read_dashboard()
        self.post_message(self.Loaded(data))

    def on_worker_state_changed(self, event) -> None:
        if event.worker.group == "dashboard" and event.worker.is_finished and event.worker.error:
            self.arm_refresh()  # keep trying after a failure

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        data = message.data
        self.query_one("#dash-sessions", Static).update(self.sessions_text(data))
        self.show_targets(data)
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

    # -- Enter on a line opens what it refers to ------------------------------------------------
    def show_targets(self, data: Dashboard) -> None:
        from screens.shell.palette import open_request, open_session

        app: Any = self.app

        def mode(name: str) -> Callable[[], object]:
            return lambda: app.switch_mode(name)

        box = self.query_one("#dash-active", Vertical)
        refs = [line.ref for line in data.active_first]
        lines = list(box.query(DashLine))
        if [line.name for line in lines] != refs:
            box.remove_children()
            lines = [DashLine(name=ref, classes="dash-active-line") for ref in refs]
            box.mount_all(lines)
        for widget, line in zip(lines, data.active_first, strict=True):
            widget.update(self.active_text(line))
            widget.target = partial(open_session, app, line.ref)
        self.query_one("#dash-sessions", DashLine).target = mode("sessions")
        self.query_one("#dash-retention", DashLine).target = mode("retention")
        nearest = (data.access or {}).get("nearest_ref")
        self.query_one("#dash-access", DashLine).target = (
            partial(open_request, app, nearest) if nearest else mode("access")
        )
        self.query_one("#dash-orders", DashLine).target = mode("accounting")
        self.query_one("#dash-staff", DashLine).target = mode("people")
        notes = self.query_one("#dash-notes", DashLine)
        notes.target = app.show_unrecorded_connections if data.connection_findings else None

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DashLine) and focused.target is not None:
            focused.target()
        else:
            self.hint(_("Move to a line (tab, up, down) and press enter to open it."))

    @staticmethod
    def active_text(line: ActiveLine) -> Text:
        text = Text("  ")
        text.append_text(literal(f"{line.ref}  {elapsed(line.started_at)}  {line.technician}  "))
        text.append_text(literal(line.customer))
        return text

    @staticmethod
    def sessions_text(data: Dashboard) -> Text:
        text = Text(_("Active sessions: {n}").format(n=data.active_count), style="bold")
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
