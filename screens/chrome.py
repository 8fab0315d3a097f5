"""The lines around every main screen: header (operator, database, status) and mode bar."""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widgets import Static

from models.i18n import _

from .modes import MODE_SPECS
from .text import literal

if TYPE_CHECKING:
    from .shell import ConsoleApp


class ShellHeader(Static):
    """One line: product, operator, database, and a status slot (e.g. the purge timer)."""

    DEFAULT_CLASSES = "shell-header"

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        app = cast("ConsoleApp", self.app)
        info = app.info
        line = Text()
        line.append("support24", style="bold")
        line.append("  " + _("operator") + ": ")
        line.append_text(literal(f"{info.operator_name} ({info.operator_username})"))
        line.append("  " + _("db") + ": ")
        line.append_text(literal(info.database))
        if app.status_text:
            status = Text("  │ ")
            status.append_text(literal(app.status_text))
            room = (self.size.width or 200) - 2 - status.cell_len  # padding 0 1
            if line.cell_len > room:  # keep the status whole; shorten operator and database
                line.truncate(max(room, 10), overflow="ellipsis")
            line.append_text(status)
        self.update(line)

    def on_resize(self) -> None:
        self.show()


class ModeBar(Static):
    """Every mode with its key; the current one is marked."""

    DEFAULT_CLASSES = "mode-bar"

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def on_resize(self) -> None:
        self.update(self.line(self.size.width))

    def line(self, width: int) -> Text:
        """Full titles when they fit, else the first four letters of each (80 columns)."""
        full = sum(len(item.title) + 3 for item in MODE_SPECS) + 2 <= width
        line = Text(no_wrap=True, overflow="ellipsis")
        for item in MODE_SPECS:
            style = "reverse bold" if item.name == self.current else ""
            line.append(f"{item.key}", style="bold " + style)
            line.append(f" {item.title if full else item.title[:4]}", style=style)
            line.append(" ")
        return line
