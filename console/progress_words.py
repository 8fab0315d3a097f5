"""What the long jobs count, in words, and a follower that turns their `(done, total)` reports
into the line to show (counts and the time left; models/core/progress.py does the arithmetic).

The domain functions report progress through a plain callback `progress(done, total)`; the CLI
(console/cli/progress_hooks.py) and the screens feed a `Follower` with it and show `text()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from models.core.i18n import ngettext
from models.core.progress import Tracker, Wording, describe


def _records_of(total: int) -> str:
    return ngettext("{done} of {total} record", "{done} of {total} records", total)


def _records(done: int) -> str:
    return ngettext("{done} record", "{done} records", done)


def _steps_of(total: int) -> str:
    return ngettext("step {done} of {total}", "step {done} of {total}", total)


def _steps(done: int) -> str:
    return ngettext("{done} step", "{done} steps", done)


def _items_of(total: int) -> str:
    return ngettext("{done} of {total} item", "{done} of {total} items", total)


def _items(done: int) -> str:
    return ngettext("{done} item", "{done} items", done)


def _files_of(total: int) -> str:
    return ngettext("{done} of {total} file", "{done} of {total} files", total)


def _files(done: int) -> str:
    return ngettext("{done} file", "{done} files", done)


RECORDS = Wording(_records_of, _records)  # access report export, billing export
STEPS = Wording(_steps_of, _steps)  # access compile: the kinds of record it looks through
ITEMS = Wording(_items_of, _items)  # purge
FILES = Wording(_files_of, _files)  # ingest of remote-tool logs


class Follower:
    """Follows one job: `__call__(done, total)` is its progress callback, `text()` the line to show."""

    def __init__(self, wording: Wording, clock: Callable[[], float] = time.monotonic) -> None:
        self.wording = wording
        self.tracker = Tracker(None, clock)

    def __call__(self, done: int, total: int | None) -> None:
        self.tracker.total = total
        self.tracker.set_done(done)

    def finished(self) -> bool:
        total = self.tracker.total
        return total is not None and self.tracker.done >= total

    def text(self) -> str:
        return describe(self.tracker, self.wording)
