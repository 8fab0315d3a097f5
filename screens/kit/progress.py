"""Progress of a long job run by a screen's thread worker: counts and the time left in one status line.

The worker hands the domain function `follow(wording)` as its `progress(done, total)` callback;
each report becomes a `ProgressShown` message (posted, so the worker never touches a widget),
and the handler writes the line into the screen's `#progress-status` Static, or its hint.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from console.progress_words import Follower
from models.core.progress import Wording

STATUS_ID = "progress-status"


class ProgressShown(Message):
    """The line to show for a long job under way."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def progress_status() -> Static:
    """The status line a form shows its job's progress in (empty until the job reports)."""
    return Static("", id=STATUS_ID, classes="progress-status")


def follow(post: Callable[[Message], object], wording: Wording) -> Callable[[int, int], None]:
    """A progress callback for a worker thread: each report is posted as a ProgressShown line."""
    follower = Follower(wording)

    def progress(done: int, total: int) -> None:
        follower(done, total)
        post(ProgressShown(follower.text()))

    return progress


class ShowsProgress:
    """For a form whose `perform` runs a long job: `yield progress_status()` among its fields and
    pass `self.follow_progress(wording)` to the job; the line follows it while the worker runs."""

    def follow_progress(self, wording: Wording) -> Callable[[int, int], None]:
        return follow(self.post_message, wording)  # type: ignore[attr-defined]

    def on_progress_shown(self, message: ProgressShown) -> None:
        message.stop()
        self.query_one(f"#{STATUS_ID}", Static).update(Text(message.text))  # type: ignore[attr-defined]
