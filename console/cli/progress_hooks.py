"""A progress line on a terminal for a long command: counts and the time left, on stderr, only
when stderr is a terminal and the output is not --json (`Context.progress_enabled`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from console.progress_words import Follower
from models.core.progress import Wording

if TYPE_CHECKING:
    from console.cli.context import Context

Progress = Callable[[int, int], None]


@contextmanager
def terminal_progress(ctx: Context, wording: Wording) -> Iterator[Progress | None]:
    """The callback to hand to a domain function, or None (print nothing) off a terminal; the
    line is cleared when the block ends, so what the command prints next starts clean."""
    if not ctx.progress_enabled():
        yield None
        return
    from console.cli.progress_line import ProgressLine

    line = ProgressLine(sys.stderr)
    follower = Follower(wording)

    def progress(done: int, total: int) -> None:
        follower(done, total)
        line.update(follower.text(), force=follower.finished())

    try:
        yield progress
    finally:
        line.finish()
