"""Forms: modal screens that collect a small dataclass, check it, and let models/ decide.

A form validates inline (every message appears under the field it names, all at once),
lets models/ check the rest (`precheck`, in a thread) before anything is asked of the
customer (`prepare`, e.g. consent), then runs its `perform` in a thread worker; a refusal
from models/ (no commitment, no consent, wrong role) appears in the form and nothing is
saved. On success the form is dismissed with its dataclass. Enter in a one-line field
moves to the next field; Ctrl+S or the Save button saves. Escape dismisses it with None,
after asking when something was changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.worker import WorkerFailed

from models.core.db import worker_connection
from models.core.errors import FieldProblem, Support24Error, ValidationError, ValidationErrors, problems_of
from models.core.i18n import _, parse_number
from screens.kit.base import ForwardFailures
from screens.kit.text import show_day  # noqa: F401  # the forms' callers name it here too

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
    raise ValidationError(field_name, _("is not a date (DD.MM.YYYY, e.g. 24.11.2026)"))


class Problems:
    """Collects every field problem of a form, so that all show at once."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def take(self, check: Callable[[], T]) -> T | None:
        """The checked value, or None after noting its problem(s)."""
        try:
            return check()
        except ValidationError as exc:
            self.items.extend(problems_of(exc))
            return None

    def add(self, field_name: str, problem: str) -> None:
        self.items.append(FieldProblem(field_name, problem))

    def fields(self) -> set[str]:
        return {item.field for item in self.items}

    def raise_any(self) -> None:
        if self.items:
            raise ValidationErrors(self.items)


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


def text_area_text(widget: Widget) -> str | None:
    """A TextArea field's text, None for any other widget. TextArea (a megabyte of editor code) is
    not imported for that: the form that has one imported it to build it."""
    module = sys.modules.get("textual.widgets._text_area")
    if module is None or not isinstance(widget, module.TextArea):
        return None
    return str(widget.text)


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
        """Title and buttons stay in view; only the fields scroll when the terminal is small."""
        with Vertical(classes="form"):
            yield Label(Text(self.TITLE), classes="form-title")
            with VerticalScroll(classes="form-body"):
                yield from self.compose_fields()
                yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(_("Save (^s)"), variant="primary", id="form-save")
                yield Button(_("Cancel (esc)"), id="form-cancel")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    # -- field helpers ------------------------------------------------------------------
    @staticmethod
    def field(name: str, label: str, widget: Widget, *, required: bool = False, day: bool = False) -> Iterable[Widget]:
        """A label, the input (id f-<name>) and its error line (id e-<name>).

        `required` and `day` are checked for every such field before `collect`, so that all of
        them show at once (see field_problems).
        """
        widget.id = f"f-{name}"
        widget.set_class(required, "-required")
        widget.set_class(day, "-day")
        if hasattr(widget, "compact"):  # one line per input, so a form fits 80x24
            widget.compact = True
        yield Label(Text(label), classes="field-label")
        yield widget
        yield Static("", id=f"e-{name}", classes="field-error")

    def value(self, name: str) -> str:
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, Input):
            return widget.value.strip()
        text = text_area_text(widget)
        if text is not None:
            return text
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

    def field_values(self) -> dict[str, Any]:
        """What the form holds now, to tell whether Escape would throw something away."""
        values: dict[str, Any] = {}
        for widget in self.query("Input, TextArea, Select, Checkbox"):
            if not widget.id or not widget.id.startswith("f-"):
                continue
            if isinstance(widget, Input):
                values[widget.id] = widget.value
            elif (text := text_area_text(widget)) is not None:
                values[widget.id] = text
            elif isinstance(widget, (Select, Checkbox)):
                values[widget.id] = widget.value
        return values

    def on_mount(self) -> None:
        self.initial_values = self.field_values()

    @property
    def changed(self) -> bool:
        return self.field_values() != getattr(self, "initial_values", {})

    # -- messages --------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for widget in self.query(".field-error, .form-error").results(Static):
            widget.update("")
            widget.remove_class("-shown")

    #: a problem models/ names by one field that the form shows under another (e.g. started_at under order)
    FIELD_ALIASES: dict[str, str] = {}

    def show_error(self, field_name: str | None, problem: str, *, focus: bool = True) -> None:
        """Under the field it names (appended to what is there), else in the form's message line."""
        if field_name:
            field_name = self.FIELD_ALIASES.get(field_name, field_name).replace(".", "_")
        target = self.query(f"#e-{field_name}") if field_name else None
        if target:
            line = target.first(Static)
            before = str(line.render()) if line.has_class("-shown") else ""
            line.update(Text(f"{before}; {problem}" if before else f"! {problem}"))
            line.add_class("-shown")
            if focus:
                self.query(f"#f-{field_name}").first().focus()
        else:
            text = f"! {field_name}: {problem}" if field_name else f"! {problem}"
            line = self.query_one("#form-error", Static)
            before = str(line.render()) if line.has_class("-shown") else ""
            line.update(Text(f"{before}\n{text}" if before else text))
            line.add_class("-shown")
            self.call_after_refresh(line.scroll_visible)  # below the last field: bring it into view at 80x24

    def show_problems(self, exc: Support24Error) -> None:
        """Every problem of a refusal: field problems under their fields (the first one focused), else one line."""
        if isinstance(exc, ValidationError):
            for n, item in enumerate(problems_of(exc)):
                self.show_error(item.field, item.problem, focus=n == 0)
        else:
            self.show_error(self.refusal_field(exc), str(exc))

    def refusal_field(self, exc: Support24Error) -> str | None:
        """The field a rule refusal is about, if the form knows it; None shows it in the message line."""
        return None

    # -- the flow ------------------------------------------------------------------------------
    def collect(self) -> T:
        raise NotImplementedError

    def precheck(self, data: T) -> None:
        """Runs in a thread before `prepare`: let models/ check everything it can without saving."""
        return None

    def _precheck_in_thread(self, data: T) -> Support24Error | None:
        with worker_connection():
            try:
                self.precheck(data)
            except Support24Error as exc:
                return exc
        return None

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
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(_("Throw away what you typed in this form?")), answered)

    def action_submit(self) -> None:
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.submit()
        elif event.button.id == "form-cancel":
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a one-line field goes to the next field; saving is Ctrl+S or the Save button."""
        event.stop()
        self.focus_next()

    def field_problems(self) -> Problems:
        """Every empty required field and every unreadable date, found before `collect` runs."""
        problems = Problems()
        for widget in self.query("Input, TextArea").results():
            if not widget.id or not widget.id.startswith("f-"):
                continue
            name = widget.id[2:]
            if widget.has_class("-required") and not self.value(name).strip():
                problems.add(name, _("is required"))
            elif widget.has_class("-day"):
                try:
                    parse_day(self.value(name), name)
                except ValidationError as exc:
                    problems.items.extend(problems_of(exc))
        return problems

    def collect_all(self) -> T | None:
        """The form's data, or None after showing every problem at once (the marked fields' and collect's)."""
        problems = self.field_problems()
        try:
            data = self.collect()
        except ValidationError as exc:
            known = problems.fields()
            problems.items.extend(item for item in problems_of(exc) if item.field not in known)
        if problems.items:
            self.show_problems(ValidationErrors(problems.items))
            return None
        return data

    @work(exclusive=True, group="submit", exit_on_error=False)
    async def submit(self) -> None:
        self.clear_errors()
        data = self.collect_all()
        if data is None:
            return
        checker = self.run_worker(
            lambda: self._precheck_in_thread(data), thread=True, exit_on_error=False, group="perform"
        )
        try:
            problem = await checker.wait()
        except WorkerFailed:
            self.show_error(None, _("could not check the form; see the error message"))
            return
        if problem is not None:
            self.show_problems(problem)
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
        if refusal is not None:
            self.show_problems(refusal)
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
