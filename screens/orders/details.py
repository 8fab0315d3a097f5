"""Drill-down screens: one session or one order in full, loaded in a thread worker (reads are audited)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, cast

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from models.browse.detail import DETAIL_SORTS, SessionDetail, session_detail
from models.browse.paging import ListQuery, chosen_sort
from models.core.db import worker_connection
from models.core.entities import Staff
from models.core.i18n import _, format_number
from models.core.labels import category_label
from screens.kit.base import ForwardFailures
from screens.kit.keys import bind, shown
from screens.kit.labels import CONSENT_KIND_LABELS, CONSENT_METHOD_LABELS, DISCLOSURE_BASIS_LABELS, label
from screens.kit.text import literal, multiline
from screens.shell.chrome import QuietFooter, ShellHeader


class DetailFilter(Input):
    """The `/` box of a detail: Enter narrows its lists on the database, Esc clears it."""

    BINDINGS = [Binding("escape", "clear_filter", _("Back"), show=False)]

    def __init__(self, text: str) -> None:
        super().__init__(
            value=text,
            placeholder=_("filter the lists: any text of a line — enter filters, esc clears"),
            id="detail-filter",
            classes="quick-filter",
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        cast(DetailScreen, self.screen).filter_by(event.value)
        if not event.value.strip():
            self.remove()

    def action_clear_filter(self) -> None:
        cast(DetailScreen, self.screen).filter_by("")
        self.remove()


class DetailScreen(ForwardFailures, Screen[None]):
    """A pushed screen that shows one loaded record; Escape goes back; `/` and `o` act on its lists."""

    BINDINGS = [
        bind("back", "app.pop_screen", show=True),
        Binding("q", "app.pop_screen", _("Back"), show=False),
        bind("filter"),
        bind("sort"),
    ]

    class Loaded(Message):
        def __init__(self, data: Any) -> None:
            super().__init__()
            self.data = data

    def __init__(self, operator: Staff, ref: str) -> None:
        super().__init__()
        self.operator = operator
        self.ref = ref
        self.data: Any = None
        self.list_query = ListQuery()

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with VerticalScroll(classes="body", id="detail-body"):
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
        shown_data = self.render_data(message.data)
        line = self.query_line()
        self.query_one("#detail", Static).update(Group(line, shown_data) if line else shown_data)
        self.refresh_bindings()

    def hint(self, text: str) -> None:
        self.query_one("#hint", Static).update(Text(text))

    # -- `/` and `o`: every list of the detail at once, on the database -----------------------
    def action_filter(self) -> None:
        box = next(iter(self.query(DetailFilter)), None)
        if box is None:
            box = DetailFilter(self.list_query.text)
            self.mount(box, before=self.query_one("#detail-body"))
        box.focus()

    def filter_by(self, text: str) -> None:
        self.list_query = replace(self.list_query, text=text.strip())
        self.reload_from_top()

    def action_sort(self) -> None:
        self.list_query = replace(self.list_query, descending=not self.newest_first)
        self.hint(self.order_text() + "  " + _("({key}: the other way)").format(key=shown("sort")))
        self.reload_from_top()

    def reload_from_top(self) -> None:
        """Lists narrowed or turned round are read again and shown from their start."""
        body = self.query_one("#detail-body")
        body.focus()
        body.scroll_home(animate=False)
        self.load()

    @property
    def newest_first(self) -> bool:
        return chosen_sort(DETAIL_SORTS, self.list_query)[1]

    def order_text(self) -> str:
        return _("newest first") if self.newest_first else _("oldest first")

    def query_line(self) -> Text | None:
        """Above the detail, while its lists are narrowed or turned round: how, so no row seems lost."""
        said = []
        if self.list_query.text:
            said.append(_("lists narrowed to lines containing “{text}”").format(text=self.list_query.text))
        if self.newest_first:
            said.append(_("lists newest first"))
        return Text("  ·  ".join(said), style="bold") if said else None

    def cut_note(self, cut: dict[str, int], name: str, shown_rows: int) -> Text | None:
        """Under a list cut at its cap: how much of it is shown, so nothing is left out unsaid."""
        if name not in cut:
            return None
        return Text(
            _("showing {shown} of {total} — {key} narrows").format(
                shown=format_number(shown_rows), total=format_number(cut[name]), key=shown("filter")
            ),
            style="dim",
        )


def detail_table(title: str, columns: list[str], caption: Text | None = None) -> Table:
    table = Table(
        title=Text(title, style="bold"),
        title_justify="left",
        caption=caption,
        caption_justify="left",
        box=None,
        expand=True,
        pad_edge=False,
    )
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


class SessionDetailScreen(DetailScreen):
    def fetch(self) -> SessionDetail:
        return session_detail(self.operator, self.ref, self.list_query)

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
        for label_text, value in pairs:
            head.append(f"{label_text}: ", style="dim")
            head.append_text(literal(value))
            head.append("\n")
        parts: list[RenderableType] = [head]

        def table(name: str, title: str, columns: list[str], rows: list[Any]) -> Table:
            made = detail_table(title, columns, self.cut_note(d.cut, name, len(rows)))
            parts.append(made)
            return made

        consents = table(
            "consents", _("Consents"), [_("ref"), _("kind"), _("given by"), _("answer"), _("how"), _("at")], d.consents
        )
        for ref, kind, by, granted, method, at in d.consents:
            consents.add_row(
                ref,
                label(CONSENT_KIND_LABELS, kind),
                literal(by),
                _("granted") if granted else _("refused"),
                label(CONSENT_METHOD_LABELS, method),
                literal(at),
            )
        colleagues = table("participants", _("Colleagues"), [_("username"), _("joined"), _("left")], d.participants)
        for user, joined, left in d.participants:
            colleagues.add_row(literal(user), literal(joined), literal(left))
        disclosures = table(
            "disclosures", _("Disclosures"), [_("ref"), _("recipient"), _("basis"), _("what"), _("at")], d.disclosures
        )
        for ref, recipient, basis, categories, scope, at in d.disclosures:
            what = ", ".join(category_label(category) for category in categories)
            disclosures.add_row(
                ref, literal(recipient), label(DISCLOSURE_BASIS_LABELS, basis), literal(f"{what}: {scope}"), literal(at)
            )
        activity = table("activity", _("Activity"), [_("at"), _("action"), _("detail"), _("file")], d.activity)
        for at, action, detail, file_text in d.activity:
            activity.add_row(literal(at), literal(action), literal(detail), literal(file_text))
        chat = table("chat", _("Chat"), [_("at"), _("from"), _("text")], d.chat)
        for at, sender, text in d.chat:
            chat.add_row(literal(at), literal(sender), multiline(text))
        info = table("system_info", _("System information"), [_("at"), _("data")], d.system_info)
        for at, data in d.system_info:
            try:
                pretty = json.dumps(json.loads(data), ensure_ascii=False, indent=1)
            except ValueError:
                pretty = data
            info.add_row(literal(at), multiline(pretty))
        return Group(*parts)
