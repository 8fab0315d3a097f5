"""The forms and texts of the retention screen: placing a legal hold, the purge preview."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from models.core.entities import Staff
from models.core.i18n import _
from models.core.labels import category_label
from models.purge import run as purge
from models.retention import holds
from screens.kit.forms import FormScreen


@dataclass(frozen=True)
class HoldInput:
    order_ref: str
    reason: str


class HoldForm(FormScreen[HoldInput]):
    """A billing dispute: stop every retention clock of one order until the hold is released (P8)."""

    TITLE = _("Place a legal hold")

    def __init__(self, operator: Staff, order_ref: str = "") -> None:
        super().__init__()
        self.operator = operator
        self.order_ref = order_ref

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "order_ref", _("Order ref"), Input(self.order_ref, placeholder="A-2026-0001"), required=True
        )
        yield from self.field("reason", _("Reason (e.g. the billing dispute)"), TextArea(), required=True)

    def collect(self) -> HoldInput:
        return HoldInput(self.required("order_ref"), self.value("reason"))

    def perform(self, data: HoldInput) -> None:
        holds.place_hold(self.operator, data.order_ref, data.reason)


def plan_text(result: purge.PurgeResult) -> Text:
    """What a dry run found due, per category, for the confirm question."""
    text = Text(
        _("Purge preview (dry run {id}, policy {policy}):").format(id=result.run_id, policy=result.policy_version)
        + "\n",
        style="bold",
    )
    names = {category: category_label(category) for category in result.deleted}
    width = max([cell_len(name) for name in names.values()] + [cell_len(_("total")), 16])
    for category, count in sorted(result.deleted.items()):
        name = names[category]
        text.append(f"  {name}{' ' * (width - cell_len(name))} {count:>7}\n")
    total = _("total")
    text.append(f"  {total}{' ' * (width - cell_len(total))} {result.total:>7}", style="bold")
    return text
