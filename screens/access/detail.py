"""One access request: its facts, the workflow steps it allows now, and the compile preview.

Steps out of order are not offered (shown disabled, the hint line says what comes first);
if another console moved the request meanwhile, models/access refuses and the form or
the hint shows why. Compiling is an audited read of personal data; so is opening.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from console.progress_words import STEPS
from console.settings.config import Controller
from models.access import bulk_exclusion
from models.access import requests as access
from models.access.matching import MATCH_KINDS
from models.access.requests import Compilation
from models.browse.access import MATCH_SORTS, RequestDetail, matches_page, request_detail
from models.browse.paging import ListQuery, Page
from models.core import clock
from models.core.db import worker_connection
from models.core.entities import Staff
from models.core.i18n import _
from models.core.labels import term
from screens.access.forms import (
    DeliverForm,
    ExcludeForm,
    ExcludeKindForm,
    ExportForm,
    ExtendForm,
    RejectForm,
    StepForm,
    VerifyForm,
)
from screens.access.urgency import days_left_text, theme_colour, urgency_variable
from screens.kit.base import ForwardFailures, ListKeys, PagedTable
from screens.kit.columns import Column, widest
from screens.kit.forms import ConfirmScreen
from screens.kit.host import host
from screens.kit.keys import bind, binds, shown
from screens.kit.labels import CONSENT_KIND_LABELS
from screens.kit.labels import label as label_of
from screens.kit.progress import ProgressShown, follow
from screens.kit.text import literal
from screens.shell.chrome import QuietFooter, ShellHeader

MATCH_COLUMNS = [
    Column("kind", _("Kind"), widest(term(kind) for kind in MATCH_KINDS), min=8),
    Column("ref", _("Ref"), 14, priority=0, min=10),
    Column("label", _("Record"), 20, min=10, most=60),
    Column("why", _("Matched by"), 20, priority=2, min=10, most=60),
    Column("excluded", _("Excluded"), 10, priority=0, min=8, most=40),
]
NO_MATCHES: Page[Any] = Page((), None)


DATED_KINDS = ("order", "session", "billing_record", "access_request")  # their label is the record's day


def match_label(match: Any) -> Text:
    """A match's record as the other lists write it: its day in the reader's format, a consent's kind in words."""
    if match.kind in DATED_KINDS:
        try:
            return Text(clock.format_day(date.fromisoformat(match.label)))
        except (TypeError, ValueError):
            pass
    if match.kind == "consent":
        return Text(label_of(CONSENT_KIND_LABELS, match.label))
    return literal(match.label)


def render_match(match: Any) -> list[Text]:
    why = ", ".join(f"{r.code}={r.value}" for r in match.reasons)
    return [
        Text(term(match.kind)),
        literal(match.ref),
        match_label(match),
        literal(why),
        literal(match.exclusion_reason, style="italic") if match.excluded else Text(""),
    ]


class DetailLoaded(Message):
    def __init__(self, detail: RequestDetail) -> None:
        super().__init__()
        self.detail = detail


class Compiled(Message):
    def __init__(self, compilation: Compilation) -> None:
        super().__init__()
        self.compilation = compilation


def detail_text(detail: RequestDetail, colour: str) -> Text:
    """The request's facts; the requester's own text is shown literally."""
    text = Text()
    text.append(f"{detail.ref}  ", style="bold")
    text.append_text(literal(detail.name, style="bold"))
    text.append(f"  [{term(detail.state)}]\n")
    due = detail.extended_due_on or detail.due_on
    text.append(
        _("received {received} by {channel} · due {due}").format(
            received=clock.format_day(detail.received_on), channel=term(detail.channel), due=clock.format_day(due)
        )
    )
    text.append(f" ({days_left_text(detail.days_left, detail.is_open)})", style=f"bold {colour}" if colour else "bold")
    if detail.extended_due_on:
        text.append("\n" + _("extended from {day}: ").format(day=clock.format_day(detail.due_on)))
        text.append_text(literal(detail.extension_reason))
    contact = [value for value in (detail.email, detail.customer_number) if value]
    if contact:
        text.append("\n")
        text.append_text(literal(" · ".join(contact)))
    if detail.address:
        text.append("\n")
        text.append_text(literal(detail.address))
    for key, label in (("workstations", _("workstations")), ("ips", _("IPs"))):
        if detail.identifiers.get(key):
            text.append(f"\n{label}: ")
            text.append_text(literal(", ".join(detail.identifiers[key])))
    if detail.verified_at:
        text.append(
            "\n"
            + _("verified {at} by {who}: ").format(at=clock.format_berlin(detail.verified_at), who=detail.verified_by)
        )
        text.append_text(literal(detail.verification_method))
    if detail.compiled_at:
        text.append(
            "\n"
            + _("compiled {at}, {n} exclusions").format(at=clock.format_berlin(detail.compiled_at), n=detail.exclusions)
        )
    if detail.exported_at:
        text.append(
            "\n"
            + _("exported {at}, sha256 {digest}…").format(
                at=clock.format_berlin(detail.exported_at), digest=(detail.exported_sha256 or "")[:16]
            )
        )
    if detail.delivered_on:
        text.append("\n" + _("delivered on {day}").format(day=clock.format_day(detail.delivered_on)))
    if detail.rejected_reason:
        text.append("\n" + _("rejected: "))
        text.append_text(literal(detail.rejected_reason))
    return text


class AccessDetailScreen(ListKeys, ForwardFailures, Screen[None]):
    """A pushed screen for one request; Escape goes back to the list."""

    BINDINGS = [
        bind("back", "app.pop_screen", show=True),
        *binds(
            "verify",
            "compile",
            "exclude",
            "include",
            "export",
            "extend",
            "deliver",
            "reject",
            "exclude_kind",
            "include_kind",
            "filter",
            "sort",
        ),
    ]

    def __init__(self, operator: Staff, ref: str) -> None:
        super().__init__()
        self.operator = operator
        self.ref = ref
        self.detail: RequestDetail | None = None
        self.compilation: Compilation | None = None
        self.kinds: dict[tuple[str, bool], int] = {}  # (kind, excluded) -> how many, of the compilation

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with VerticalScroll(classes="access-detail-top"):
            yield Static(Text(_("loading {ref} …").format(ref=self.ref)), id="ad-facts")
        yield Static(id="ad-next", classes="pane-title")
        yield PagedTable(
            MATCH_COLUMNS,
            self.fetch_matches,
            render_match,
            key=lambda m: f"{m.kind}:{m.id}",
            sorts=MATCH_SORTS,
            filterable=True,
            filter_placeholder=_("filter matches: kind, ref, record or reason — enter filters, esc clears"),
            id="ad-matches",
        )
        yield Static("", id="hint", classes="hint")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.load(record=True)

    def fetch_matches(self, after: Any, limit: int, q: ListQuery) -> Page[Any]:
        """A page of the compiled matches (none before the compile in this view)."""
        compilation = self.compilation
        return matches_page(compilation, after, limit, q) if compilation is not None else NO_MATCHES

    # -- loading ----------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, exclusive=True, group="detail")
    def load(self, record: bool = False) -> None:
        with worker_connection():
            detail = request_detail(self.operator, self.ref, record=record)
        self.post_message(DetailLoaded(detail))

    @on(DetailLoaded)
    def show_detail(self, message: DetailLoaded) -> None:
        self.detail = detail = message.detail
        variable = urgency_variable(detail.days_left, detail.is_open)
        colour = theme_colour(self.app, variable) if variable else ""
        self.query_one("#ad-facts", Static).update(detail_text(detail, colour))
        if self.compilation is None:
            compilable = access.step_allowed("compile", detail.state)
            note = (
                _("Matches: not compiled in this view yet ({key}).").format(key=shown("compile")) if compilable else ""
            )
            self.query_one("#ad-next", Static).update(Text(note))
        self.hint(access.next_step_text(detail.state))
        self.refresh_bindings()

    def hint(self, text: str | Text) -> None:
        self.query_one("#hint", Static).update(text if isinstance(text, Text) else Text(text))

    # -- which steps are offered ------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("exclude_kind", "include_kind"):
            match = self.selected_match()
            step = "exclude" if action == "exclude_kind" else "include"
            if match is None or self.detail is None or not access.step_allowed(step, self.detail.state):
                return False
            included, excluded = self.kind_counts(match.kind)
            return (included if action == "exclude_kind" else excluded) > 0
        if action not in access.STEP_STATES:
            return True
        # Steps out of order are not offered (hidden, so the footer fits 80 columns); the hint
        # line says what comes next, and models/access refuses them anyway.
        if self.detail is None or not access.step_allowed(action, self.detail.state):
            return False
        if action == "extend" and (self.detail.extended_due_on is not None or self.detail.days_left < 0):
            return False
        if action == "exclude":
            match = self.selected_match()
            return None if match is None or match.excluded else True  # disabled: pick a match first
        if action == "include":
            match = self.selected_match()
            return True if match is not None and match.excluded else False
        return True

    def kind_counts(self, kind: str) -> tuple[int, int]:
        """Included and excluded matches of `kind` in the compiled preview (counted once per compile)."""
        return self.kinds.get((kind, False), 0), self.kinds.get((kind, True), 0)

    def selected_match(self) -> Any | None:
        if self.compilation is None:
            return None
        return self.query_one("#ad-matches", PagedTable).selected()

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self) -> None:
        """Enter on a match: open the record it is (an order, a session, the customer's orders)."""
        from screens.shell.palette import opener

        match = self.selected_match()
        if match is None:
            return
        open_it = opener(self.app, match.ref)
        if open_it is None:
            self.hint(_("{kind} {ref} cannot be opened from here.").format(kind=term(match.kind), ref=match.ref))
        else:
            open_it()

    def on_worker_state_changed(self, event: Any) -> None:
        if event.worker.group == "compile" and event.worker.error is not None:
            self.hint(Text(str(event.worker.error)))  # and it stays readable here
            self.load()

    # -- compile preview ---------------------------------------------------------------------
    def action_compile(self) -> None:
        self.hint(_("Compiling: looking for every record that names the requester …"))
        self.compile()

    @work(thread=True, exit_on_error=False, exclusive=True, group="compile")
    def compile(self) -> None:
        with worker_connection():
            compilation = access.compile_request(self.operator, self.ref, progress=follow(self.post_message, STEPS))
        self.post_message(Compiled(compilation))

    @on(ProgressShown)
    def show_compile_progress(self, message: ProgressShown) -> None:
        """ "Compiling: step 3 of 6 · about 1 s left" in the hint while the matches are looked for."""
        self.hint(_("Compiling: {progress}").format(progress=message.text))

    @on(Compiled)
    def show_matches(self, message: Compiled) -> None:
        """The new compilation in the table: the pages shown so far are read again, the cursor kept."""
        self.compilation = compilation = message.compilation
        self.kinds = Counter((m.kind, m.excluded) for m in compilation.matches)
        table = self.query_one("#ad-matches", PagedTable)
        table.reload()
        excluded = sum(n for (_kind, out), n in self.kinds.items() if out)
        self.query_one("#ad-next", Static).update(
            Text(
                _("Matches compiled {at}: {n} included, {x} excluded").format(
                    at=clock.format_berlin(compilation.compiled_at), n=len(compilation.matches) - excluded, x=excluded
                )
            )
        )
        table.focus()
        self.load()

    def on_paged_table_loaded(self) -> None:
        self.refresh_bindings()

    # -- steps -----------------------------------------------------------------------------
    def step(self, form: StepForm, done: str, *, recompile: bool = False) -> None:
        def after(result: object) -> None:
            if result is None:
                return
            self.notify(done, markup=False)
            if recompile:
                self.compile()
            else:
                self.load()

        self.app.push_screen(form, after)

    def action_verify(self) -> None:
        self.step(VerifyForm(self.operator, self.ref), _("Identity verified."))

    def action_exclude(self) -> None:
        match = self.selected_match()
        if match is not None:
            self.step(
                ExcludeForm(self.operator, self.ref, match.kind, match.id, match.ref),
                _("Match excluded; export the report again."),
                recompile=True,
            )

    def action_include(self) -> None:
        match = self.selected_match()
        if match is None or not match.excluded:
            return
        question = Text(
            _("Include {kind} {label} in the report of {ref} again?").format(
                kind=term(match.kind), label=match.ref, ref=self.ref
            )
            + "\n"
            + _("It was excluded because: {reason}").format(reason=match.exclusion_reason)
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.include(match.kind, match.id)

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_exclude_kind(self) -> None:
        match = self.selected_match()
        if match is not None:
            form = ExcludeKindForm(self.operator, self.ref, match.kind)

            def after(result: object) -> None:
                if result is not None:
                    self.notify(
                        _("{n} matches excluded; export the report again.").format(n=form.outcome), markup=False
                    )
                    self.compile()

            self.app.push_screen(form, after)

    def action_include_kind(self) -> None:
        match = self.selected_match()
        if match is None:
            return
        _included, excluded = self.kind_counts(match.kind)
        question = Text(
            _("Include all {n} excluded {kind} matches in the report of {ref} again?").format(
                n=excluded, kind=term(match.kind), ref=self.ref
            )
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.include_all(match.kind)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exit_on_error=False, group="include")
    def include_all(self, kind: str) -> None:
        with worker_connection():
            bulk_exclusion.include_kind(self.operator, self.ref, kind)
        self.app.call_from_thread(self.included)

    @work(thread=True, exit_on_error=False, group="include")
    def include(self, kind: str, record_id: int) -> None:
        with worker_connection():
            access.include_match(self.operator, self.ref, kind, record_id)
        self.app.call_from_thread(self.included)

    def included(self) -> None:
        self.notify(_("Match included again; export the report again."), markup=False)
        self.compile()

    def action_export(self) -> None:
        app = host(self)
        settings = app.settings
        controller = settings.controller if settings is not None else Controller()
        lang = settings.language if settings is not None else "de"
        form = ExportForm(self.operator, self.ref, Path(app.info.data_dir), controller, lang)

        def after(result: object) -> None:
            if result is None or form.outcome is None:
                return
            out = form.outcome
            self.notify(
                _("Report written: {path} ({size} bytes, sha256 {digest}…)").format(
                    path=out.path, size=out.size, digest=out.sha256[:16]
                ),
                markup=False,
                timeout=10,
            )
            self.hint(Text(_("Exported to {path}").format(path=out.path)))
            self.load()

        self.app.push_screen(form, after)

    def action_extend(self) -> None:
        self.step(ExtendForm(self.operator, self.ref), _("Deadline extended by two months."))

    def action_deliver(self) -> None:
        self.step(DeliverForm(self.operator, self.ref), _("Delivered; the request is closed."))

    def action_reject(self) -> None:
        self.step(RejectForm(self.operator, self.ref), _("Rejected; the request is closed."))
