"""Counting a long job's progress and estimating its end, for any front end to show.

`Tracker(total)` counts what is done (`advance(n)`) against a total that may be unknown and
estimates the time left from the average rate since it started; the clock is injectable
(seconds, monotonic) so tests never sleep. `describe(tracker)` turns it into one translated
line such as "412,000 of 1,031,568 events · about 3 s left"; a `Wording` names what is counted
(events by default), so the audit check and the report export share the same sentence.
The line printer for a terminal is console/cli/progress_line.py.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from models.core.i18n import _, format_number, ngettext

Clock = Callable[[], float]


class Tracker:
    """Done against total (None: unknown), with the rate and the time left measured on `clock`."""

    def __init__(self, total: int | None, clock: Clock = time.monotonic) -> None:
        self.total = total
        self.done = 0
        self._clock = clock
        self._started = clock()

    def advance(self, n: int = 1) -> None:
        """Count `n` more things done."""
        self.done += n

    def set_done(self, done: int) -> None:
        """Set the count outright (for a job that reports how far it is rather than each step)."""
        self.done = done

    def elapsed(self) -> float:
        """Seconds since the tracker was made."""
        return max(0.0, self._clock() - self._started)

    def rate(self) -> float | None:
        """Things per second so far; None before anything is done or any time has passed."""
        elapsed = self.elapsed()
        if self.done <= 0 or elapsed <= 0:
            return None
        return self.done / elapsed

    def eta_seconds(self) -> float | None:
        """Seconds left at the rate so far; None while the total or the rate is unknown, 0 when done."""
        if self.total is None:
            return None
        left = self.total - self.done
        if left <= 0:
            return 0.0
        rate = self.rate()
        return None if rate is None else left / rate


def _events_of_total(total: int) -> str:
    return ngettext("{done} of {total} event", "{done} of {total} events", total)


def _events_counted(done: int) -> str:
    return ngettext("{done} event", "{done} events", done)


@dataclass(frozen=True)
class Wording:
    """What is counted: the template with {done} and {total} (chosen by the total), and the one without a total."""

    of_total: Callable[[int], str] = _events_of_total
    counted: Callable[[int], str] = _events_counted


EVENTS = Wording()


def format_duration(seconds: float) -> str:
    """A time left as a person reads it: '3 s', '2 min', '1 h 5 min' (rounded up, never '0 s')."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return _("{n} s").format(n=whole)
    minutes = math.ceil(whole / 60)
    if minutes < 60:
        return _("{n} min").format(n=minutes)
    hours, rest = divmod(minutes, 60)
    return _("{h} h {m} min").format(h=hours, m=rest) if rest else _("{h} h").format(h=hours)


def describe(tracker: Tracker, wording: Wording = EVENTS) -> str:
    """One line: how many of how many, and the time left once there is a rate to go by."""
    done = format_number(tracker.done)
    if tracker.total is None:
        return wording.counted(tracker.done).format(done=done)
    text = wording.of_total(tracker.total).format(done=done, total=format_number(tracker.total))
    eta = tracker.eta_seconds()
    if eta is not None and tracker.done < tracker.total:
        text += " · " + _("about {time} left").format(time=format_duration(eta))
    return text
