"""Forms: modal screens that collect a small dataclass, check it, and let models/ decide.

A form validates inline (the message appears under the field it names), then runs its
`perform` in a thread worker; a refusal from models/ (no commitment, no consent, wrong
role) appears in the form and nothing is saved. On success the form is dismissed with
its dataclass; Escape dismisses it with None.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea
from textual.worker import WorkerFailed

from models.core.db import worker_connection
from models.core.errors import Support24Error, ValidationError
from models.core.i18n import _, parse_number
from screens.kit.base import ForwardFailures

T = TypeVar("T")


def parse_day(raw: str | None, field_name: str = "day") -> date | None:
    """A date typed as YYYY-MM-DD or DD.MM.YYYY, None when empty; a bad one names the field."""
    raw = (raw or "").strip()
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValidationError(field_name, _("is not a date (YYYY-MM-DD or DD.MM.YYYY)"))


def parse_whole_number(raw: str | None, field_name: str, problem: str) -> int | None:
    """A whole number as the language writes it ('1.048.576' in German, '1,048,576' in English,
    plain digits in both), None when empty; anything else is `problem` under the field."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = parse_number(raw)
    except ValueError:
        raise ValidationError(field_name, problem) from None
    if value != int(value) or value < 0:
        raise ValidationError(field_name, problem)
    return int(value)


class Tick(Checkbox):
    """A checkbox whose state shows without colour: X when on, blank when off.

    Textual's draws X in both states and tells them apart by colour only, which a monochrome
    terminal over SSH does not show.
    """

    def __init__(self, label: str, value: bool = False, **kwargs: Any) -> None:
        super().__init__(label, value, **kwargs)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        super().watch_value()  # the -on class and the Changed message


class FormScreen(ForwardFailures, ModalScreen[T | None], Generic[T]):
    """Base of every form; subclasses give TITLE, compose_fields, collect and perform."""

    TITLE = ""
    AUTO_FOCUS = "Input, Select, TextArea, Checkbox"  # the first field, not the scroll container
    BINDINGS = [
        Binding("escape", "cancel", _("Cancel"), id="form.cancel"),
        Binding("ctrl+s", "submit", _("Save"), id="form.submit"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Label(Text(self.TITLE), classes="form-title")
            yield from self.compose_fields()
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(_("Save"), variant="primary", id="form-save")
                yield Button(_("Cancel"), id="form-cancel")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    # -- field helpers ------------------------------------------------------------------
    @staticmethod
    def field(name: str, label: str, widget: Widget) -> Iterable[Widget]:
        """A label, the input (id f-<name>) and its error line (id e-<name>)."""
        widget.id = f"f-{name}"
        if hasattr(widget, "compact"):  # one line per input, so a form fits 80x24
            widget.compact = True
        yield Label(Text(label), classes="field-label")
        yield widget
        yield Static("", id=f"e-{name}", classes="field-error")

    def value(self, name: str) -> str:
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, Input):
            return widget.value.strip()
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Select):
            return widget.value if isinstance(widget.value, str) else ""
        raise TypeError(name)

    def checked(self, name: str) -> bool:
        return self.query_one(f"#f-{name}", Checkbox).value

    def optional(self, name: str) -> str | None:
        return self.value(name) or None

    def day(self, name: str) -> date | None:
        """A date typed as YYYY-MM-DD or DD.MM.YYYY; a bad one names the field."""
        return parse_day(self.value(name), name)

    def required(self, name: str) -> str:
        raw = self.value(name)
        if not raw:
            raise ValidationError(name, _("is required"))
        return raw

    # -- messages --------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for widget in self.query(".field-error, .form-error").results(Static):
            widget.update("")
            widget.remove_class("-shown")

    def show_error(self, field_name: str | None, problem: str) -> None:
        """Under the field it names, else in the form's message line."""
        if field_name:
            field_name = field_name.replace(".", "_")
        target = self.query(f"#e-{field_name}") if field_name else None
        if target:
            target.first(Static).update(Text(problem))
            target.first(Static).add_class("-shown")
            self.query_one(f"#f-{field_name}").focus()
        else:
            text = f"{field_name}: {problem}" if field_name else problem
            self.query_one("#form-error", Static).update(Text(text))
            self.query_one("#form-error", Static).add_class("-shown")

    # -- the flow ------------------------------------------------------------------------------
    def collect(self) -> T:
        raise NotImplementedError

    async def prepare(self, data: T) -> T | None:
        """A step before saving, e.g. asking for the customer's consent first; None stops."""
        return data

    def perform(self, data: T) -> Any:
        """Runs in a thread: call models/. Raise Support24Error to refuse."""
        return None

    def _perform_in_thread(self, data: T) -> Support24Error | None:
        with worker_connection():
            try:
                self.perform(data)
            except Support24Error as exc:
                return exc
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.submit()
        elif event.button.id == "form-cancel":
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @work(exclusive=True, group="submit", exit_on_error=False)
    async def submit(self) -> None:
        self.clear_errors()
        try:
            data = self.collect()
        except ValidationError as exc:
            self.show_error(exc.field, exc.problem)
            return
        prepared = await self.prepare(data)
        if prepared is None:
            return
        worker = self.run_worker(
            lambda: self._perform_in_thread(prepared), thread=True, exit_on_error=False, group="perform"
        )
        try:
            refusal = await worker.wait()
        except WorkerFailed:  # already shown by the app's failure handler; keep the form open
            self.show_error(None, _("could not save; see the error message"))
            return
        if isinstance(refusal, ValidationError):
            self.show_error(refusal.field, refusal.problem)
        elif refusal is not None:
            self.show_error(None, str(refusal))
        else:
            self.dismiss(prepared)


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no about one action; Escape means no."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", _("No"), id="confirm.no"),
        Binding("y", "answer(True)", _("Yes"), id="confirm.yes"),
    ]

    def __init__(self, question: str | Text) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form confirm"):
            yield Static(self.question if isinstance(self.question, Text) else Text(self.question))
            with Horizontal(classes="form-buttons"):
                yield Button(_("Yes (y)"), variant="primary", id="yes")
                yield Button(_("No (n)"), id="no")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
