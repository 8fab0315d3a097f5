"""Consent log: every consent and disclosure record, filterable by kind, customer and session."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select

from models.browse.consents import CONSENT_SORTS, KINDS, ConsentFilter, LogRow, consent_log
from models.core import clock
from models.core.i18n import _
from models.core.labels import term
from screens.kit.base import MainScreen, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.keys import binds
from screens.kit.labels import CONSENT_KIND_LABELS, label
from screens.kit.text import literal

COLUMNS = [
    Column("at", _("When"), 16, priority=0),
    Column("answer", _("Answer"), widest([_("granted"), _("REFUSED"), _("passed on")]), priority=0),
    Column("kind", _("Kind"), widest([*CONSENT_KIND_LABELS.values(), _("disclosure")]), min=12),
    Column("ref", _("Ref"), 12, priority=4),
    Column("session", _("Session"), 11),
    Column("customer", _("Customer"), 20, priority=2, min=10, most=48),
    Column("who", _("Who / recipient"), 16, priority=2, min=10, short=_("Who"), most=40),
    Column("what", _("How / basis, scope"), 20, priority=3, min=10, short=_("How"), most=60),
]


def render_log(row: LogRow) -> list[Text]:
    kind = _("disclosure") if row.source == "disclosure" else label(CONSENT_KIND_LABELS, row.kind)
    if row.granted is None:
        answer = Text(_("passed on"))
    elif row.granted:
        answer = Text(_("granted"))
    else:
        answer = Text(_("REFUSED"), style="bold reverse")
    return [
        Text(clock.format_berlin(row.at)),
        answer,
        Text(kind),
        Text(row.ref),
        Text(row.session_ref),
        literal(row.customer),
        literal(row.who),
        literal(row.what),
    ]


class ConsentLogScreen(MainScreen):
    MODE = "consents"
    BINDINGS = binds("filter", filter="search")

    def __init__(self) -> None:
        super().__init__()
        self.filter = ConsentFilter()

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Select([(term(kind), kind) for kind in KINDS], prompt=_("any kind"), id="q-kind")
            yield Input(placeholder=_("customer no./name"), id="q-customer")
            yield Input(placeholder=_("session ref"), id="q-session")
        yield PagedTable(COLUMNS, self.fetch, render_log, sorts=CONSENT_SORTS, id="consents-table")

    def on_mount(self) -> None:
        self.query_one("#consents-table").focus()

    def fetch(self, after: tuple[Any, ...] | None, limit: int, q: Any = None) -> Any:
        return consent_log(self.filter, after, limit, q)

    def action_search(self) -> None:
        self.query_one("#q-kind", Select).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.apply_filter(only_if_changed=True)  # the Select also reports its first value at mount

    def apply_filter(self, only_if_changed: bool = False) -> None:
        kind = self.query_one("#q-kind", Select).value  # NULL when cleared
        wanted = ConsentFilter(
            kind=kind if isinstance(kind, str) else "",
            customer=self.query_one("#q-customer", Input).value.strip(),
            session=self.query_one("#q-session", Input).value.strip(),
        )
        if only_if_changed and wanted == self.filter:
            return
        self.filter = wanted
        table = self.query_one("#consents-table", PagedTable)
        table.restart()
