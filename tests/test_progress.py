"""Progress of long jobs: the counting and time-left estimate (models/core/progress.py) and the
terminal line that shows it (console/cli/progress_line.py), on an injected clock, never sleeping."""

from __future__ import annotations

import io

import pytest

from console.cli.progress_line import ProgressLine
from models.core.i18n import set_language
from models.core.progress import Tracker, describe, format_duration


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("en")


def test_the_time_left_follows_the_rate_so_far() -> None:
    clock = FakeClock()
    tracker = Tracker(1000, clock=clock)
    assert tracker.eta_seconds() is None  # nothing done yet: no rate to go by
    clock.now += 2
    tracker.advance(250)
    assert tracker.done == 250 and tracker.total == 1000
    assert tracker.rate() == 125
    assert tracker.eta_seconds() == 6
    tracker.advance(750)
    assert tracker.eta_seconds() == 0


def test_an_unknown_total_has_no_estimate() -> None:
    clock = FakeClock()
    tracker = Tracker(None, clock=clock)
    clock.now += 1
    tracker.advance(10)
    assert tracker.rate() == 10 and tracker.eta_seconds() is None


def test_the_line_reads_counts_and_time_left_in_english(english) -> None:
    clock = FakeClock()
    tracker = Tracker(1_031_568, clock=clock)
    assert describe(tracker) == "0 of 1,031,568 events"
    clock.now += 1
    tracker.advance(412_000)
    assert describe(tracker) == "412,000 of 1,031,568 events · about 2 s left"
    unknown = Tracker(None, clock=clock)
    unknown.advance(1)
    assert describe(unknown) == "1 event"


def test_the_line_reads_in_german() -> None:
    set_language("de")
    try:
        clock = FakeClock()
        tracker = Tracker(1_031_568, clock=clock)
        clock.now += 1
        tracker.advance(412_000)
        assert describe(tracker) == "412.000 von 1.031.568 Ereignissen · noch etwa 2 s"
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "1 s"), (58.5, "59 s"), (59.2, "1 min"), (61, "2 min"), (3600, "1 h"), (3700, "1 h 2 min"), (7200, "2 h")],
)
def test_durations_round_up_to_what_a_person_reads(english, seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_the_progress_line_rewrites_in_place_at_most_every_interval() -> None:
    clock = FakeClock()
    stream = io.StringIO()
    line = ProgressLine(stream, interval=0.25, clock=clock, width=80)
    assert line.update("first long text")
    clock.now += 0.1
    assert not line.update("too soon")
    clock.now += 0.2
    assert line.update("second")
    assert stream.getvalue() == "\rfirst long text\rsecond         "
    line.finish()
    assert stream.getvalue().endswith("\r" + " " * 6 + "\r")


def test_the_progress_line_never_wraps_and_finish_without_updates_writes_nothing() -> None:
    stream = io.StringIO()
    line = ProgressLine(stream, width=10, clock=FakeClock())
    line.finish()
    assert stream.getvalue() == ""
    line.update("x" * 30)
    assert stream.getvalue() == "\r" + "x" * 9
