"""The tool identities of a staff member in the staff form: tick one to remove it, or add one below.

They are the staff register of `support24 registers` (models/sessions/registers.py), kept
with the person so that an administrator edits one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from models.core.i18n import _
from models.sessions.registers import IDENTITY_KINDS, TOOLS, IdentityInput
from screens.kit.forms import Tick
from screens.kit.labels import label, options

TOOL_LABELS = {"teamviewer": "TeamViewer", "anydesk": "AnyDesk", "rustdesk": "RustDesk"}
IDENTITY_KIND_LABELS = {"account": _("account"), "user": _("user name"), "alias": _("alias"), "id": _("id number")}


@dataclass(frozen=True)
class Identity:
    """One identity as the form shows it (read by the screen in a worker before the form opens)."""

    tool: str
    kind: str
    value: str

    @property
    def spec(self) -> str:
        return f"{self.tool}:{self.value}"


def identity_fields(current: list[Identity]) -> Iterable[Widget]:
    """The existing identities as ticks (ticked: remove), then one row to add a new identity."""
    yield Label(Text(_("tool identities (tick to remove)") if current else _("tool identities")), classes="field-label")
    for n, item in enumerate(current):
        text = f"{label(TOOL_LABELS, item.tool)} {label(IDENTITY_KIND_LABELS, item.kind)}: {item.value}"
        tick = Tick(text, id=f"f-remove-identity-{n}")
        tick.compact = True
        yield tick
    yield Static("", id="e-identity", classes="field-error")
    tool = Select(options(TOOL_LABELS, TOOLS), prompt=_("no new identity"), id="f-identity_tool")
    kind = Select(
        options(IDENTITY_KIND_LABELS, IDENTITY_KINDS), value="account", allow_blank=False, id="f-identity_kind"
    )
    for select in (tool, kind):
        select.compact = True
    with Horizontal(classes="tick-row"):
        yield tool
        yield kind
    yield Static("", id="e-identity_tool", classes="field-error")
    value = Input(placeholder=_("name or id in the tool"), id="f-identity_value")
    value.compact = True
    yield value
    yield Static("", id="e-identity_value", classes="field-error")


def removed(form: Widget, current: list[Identity]) -> list[str]:
    return [item.spec for n, item in enumerate(current) if form.query_one(f"#f-remove-identity-{n}", Checkbox).value]


def added(form: Widget, username: str) -> list[IdentityInput]:
    """The new identity typed, or none; a value without a tool (or the reverse) is the form's problem."""
    tool = form.query_one("#f-identity_tool", Select).value
    kind = form.query_one("#f-identity_kind", Select).value
    value = form.query_one("#f-identity_value", Input).value.strip()
    if not isinstance(tool, str) and not value:
        return []
    from models.core.errors import ValidationError

    if not isinstance(tool, str):
        raise ValidationError("identity_tool", _("choose the tool of the identity"))
    if not value:
        raise ValidationError("identity_value", _("is required for a new identity"))
    return [IdentityInput(tool, str(kind), value, username)]
