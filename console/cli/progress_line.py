"""One progress line on a terminal, rewritten in place at most a few times a second.

`ProgressLine(stream)` writes `update(text)` over the previous text with a carriage return,
cut to the terminal's width so it never wraps, and skips updates that come sooner than
`interval` seconds after the last one shown; `finish()` clears the line so what the command
prints next starts on a clean line. The caller decides whether to show progress at all
(`Context.progress_enabled()`: stderr is a terminal and not --json); the text comes from
models/core/progress.py.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO


class ProgressLine:
    """A single rewritten line on `stream` (normally sys.stderr of a terminal)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        width: int | None = None,
    ) -> None:
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._width = width
        self._shown = 0  # characters of the line on screen now
        self._last: float | None = None

    def _columns(self) -> int:
        return self._width if self._width is not None else shutil.get_terminal_size((80, 24)).columns

    def update(self, text: str, *, force: bool = False) -> bool:
        """Show `text` in place of the line; False (nothing written) if the last update was too recent."""
        now = self._clock()
        if not force and self._last is not None and now - self._last < self._interval:
            return False
        self._last = now
        text = text[: max(1, self._columns() - 1)]  # the last column would wrap on some terminals
        padding = " " * max(0, self._shown - len(text))
        self._stream.write("\r" + text + padding)
        self._stream.flush()
        self._shown = len(text)
        return True

    def finish(self) -> None:
        """Clear the line (if anything was shown) and leave the cursor at its start."""
        if self._shown:
            self._stream.write("\r" + " " * self._shown + "\r")
            self._stream.flush()
        self._shown = 0
        self._last = None
