"""What screens need from the app that hosts them, as a Protocol (ConsoleApp provides it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.dom import DOMNode
from textual.signal import Signal

from models.core.entities import Staff

if TYPE_CHECKING:
    from console.settings.config import Settings
    from screens.shell.app import ConsoleInfo


@runtime_checkable
class ConsoleHost(Protocol):
    """The console app as screens see it: who works, where, and the header's status line."""

    operator: Staff
    info: ConsoleInfo
    settings: Settings | None  # None in tests and demos: the defaults apply
    refresh_seconds: float
    status_text: str
    status_changed: Signal[str]  # published by set_status; every ShellHeader subscribes

    def set_status(self, text: str) -> None: ...


def host(node: DOMNode) -> ConsoleHost:
    """The console app of a mounted widget or screen."""
    app = node.app
    if not isinstance(app, ConsoleHost):
        raise TypeError(f"{type(app).__name__} does not host console screens (see screens/kit/host.py)")
    return app
