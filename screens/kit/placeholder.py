"""A mode whose domain code has not landed yet; replaced in screens/shell/modes.py when it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from models.core.i18n import _
from screens.kit.base import MainScreen
from screens.shell.modes import ModeSpec


class ComingScreen(MainScreen):
    def __init__(self, spec: ModeSpec) -> None:
        self.MODE = spec.name
        self.spec = spec
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static(
            Text(f"{self.spec.help}\n\n" + _("coming: this screen arrives with its domain code.")),
            classes="placeholder",
        )
