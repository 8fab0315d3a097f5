"""Typed messages that thread workers post back to the UI (workers never touch widgets)."""

from __future__ import annotations

from textual.message import Message


class WorkerFailed(Message):
    """A worker raised; bubbles to the app, whose one handler shows it."""

    def __init__(self, name: str, error: BaseException) -> None:
        super().__init__()
        self.name = name
        self.error = error
