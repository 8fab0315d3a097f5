"""Drill-down screens: one session or one order in full, loaded in a thread worker (reads are audited)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from models.browse.detail import SessionDetail, session_detail
from models.core.db import worker_connection
from models.core.entities import Staff
from models.core.i18n import _
from screens.kit.base import ForwardFailures
from screens.kit.keys import bind
from screens.kit.text import literal, multiline
from screens.shell.chrome import QuietFooter, ShellHeader


class DetailScreen(ForwardFailures, Screen[None]):
    """A pushed screen that shows one loaded record; Escape goes back."""

    BINDINGS = [bind("back", "app.pop_screen", show=True), Binding("q", "app.pop_screen", _("Back"), show=False)]

    class Loaded(Message):
        def __init__(self, data: Any) -> None:
            super().__init__()
            self.data = data

    def __init__(self, operator: Staff, ref: str) -> None:
        super().__init__()
        self.operator = operator
        self.ref = ref
        self.data: Any = None

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with VerticalScroll(classes="body"):
            yield Static(Text(_("loading {ref} …").format(ref=self.ref)), id="detail")
        yield Static("", id="hint", classes="hint")
        yield QuietFooter(compact=True)

    def on_mount(self) -> None:
        self.load()

    def fetch(self) -> Any:
        raise NotImplementedError

    def render_data(self, data: Any) -> RenderableType:
        raise NotImplementedError

    @work(thread=True, exit_on_error=False, exclusive=True, group="detail")
    def load(self) -> None:
        with worker_connection():
            data = self.fetch()
        self.post_message(self.Loaded(data))

    def on_detail_screen_loaded(self, message: Loaded) -> None:
        self.show(message)

    def show(self, message: Loaded) -> None:
        self.data = message.data
        self.query_one("#detail", Static).update(self.render_data(message.data))
        self.refresh_bindings()

    def hint(self, text: str) -> None:
        self.query_one("#hint", Static).update(Text(text))


def detail_table(title: str, columns: list[str]) -> Table:
    table = Table(title=Text(title, style="bold"), title_justify="left", box=None, expand=True, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


class SessionDetailScreen(DetailScreen):
    def fetch(self) -> SessionDetail:
        return session_detail(self.operator, self.ref)

    def render_data(self, d: SessionDetail) -> RenderableType:
        head = Text()
        head.append(_("Session {ref}  ·  order {order}").format(ref=d.ref, order=d.order_ref) + "\n", style="bold")
        pairs: list[tuple[str, object]] = [
            (_("customer"), d.customer),
            (_("technician"), d.technician),
            (_("started"), d.started_at),
            (_("ended"), d.ended_at or _("running")),
            (_("customer IP"), d.customer_ip),
            (_("workstation"), d.workstation),
            (_("customer person"), d.customer_person),
            (_("screen private"), _("yes") if d.screen_private else _("no — others can see")),
        ]
        for label, value in pairs:
            head.append(f"{label}: ", style="dim")
            head.append_text(literal(value))
            head.append("\n")
        parts: list[RenderableType] = [head]
        consents = detail_table(_("Consents"), [_("ref"), _("kind"), _("given by"), _("answer"), _("how"), _("at")])
        for ref, kind, by, granted, method, at in d.consents:
            consents.add_row(ref, kind, literal(by), _("granted") if granted else _("refused"), method, literal(at))
        parts.append(consents)
        colleagues = detail_table(_("Colleagues"), [_("username"), _("joined"), _("left")])
        for user, joined, left in d.participants:
            colleagues.add_row(literal(user), literal(joined), literal(left))
        parts.append(colleagues)
        disclosures = detail_table(_("Disclosures"), [_("ref"), _("recipient"), _("basis"), _("what"), _("at")])
        for ref, recipient, basis, what, at in d.disclosures:
            disclosures.add_row(ref, literal(recipient), basis, literal(what), literal(at))
        parts.append(disclosures)
        activity = detail_table(_("Activity"), [_("at"), _("action"), _("detail"), _("file")])
        for at, action, detail, file_text in d.activity:
            activity.add_row(literal(at), literal(action), literal(detail), literal(file_text))
        parts.append(activity)
        chat = detail_table(_("Chat"), [_("at"), _("from"), _("text")])
        for at, sender, text in d.chat:
            chat.add_row(literal(at), literal(sender), multiline(text))
        parts.append(chat)
        info = detail_table(_("System information"), [_("at"), _("data")])
        for at, data in d.system_info:
            try:
                pretty = json.dumps(json.loads(data), ensure_ascii=False, indent=1)
            except ValueError:
                pretty = data
            info.add_row(literal(at), multiline(pretty))
        parts.append(info)
        return Group(*parts)
