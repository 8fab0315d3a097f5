"""The purge timer inside the console (DESIGN.md §5, issue 6 §2): the scheduler's run in a thread worker.

The app arms a one-shot Textual timer for the scheduler's next run; its callback starts
`run_once()` in an exclusive thread worker (the screen never waits), and the result comes
back as a message: the header shows last run, next run, what it deleted or who holds the
lease, a run that deleted something is announced, and the timer is armed again. The lease
in models/ keeps several consoles from purging at once. Tests call `purge_timer_tick()` with
a FixedClock instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from textual import work
from textual.message import Message
from textual.timer import Timer

from models.core import clock
from models.core.db import worker_connection
from models.core.i18n import _, ngettext

if TYPE_CHECKING:  # the purge's code is imported when the timer first shows or runs a purge, not at start
    from models.purge.service import PurgeOutcome


def status_text(outcome: PurgeOutcome | None, next_run_at: datetime | None) -> str:
    from models.purge.service import status_text as text

    return text(outcome, next_run_at)


def running_text(started_at: datetime, done: int | None = None, planned: int | None = None) -> str:
    from models.purge.service import running_text as text

    return text(started_at, done, planned)


def deleted_text(outcome: PurgeOutcome) -> str:
    from models.purge.service import deleted_text as text

    return text(outcome)


FIRST_RUN_DELAY = 20.0  # seconds after start, so the console is up before the first purge
MIN_DELAY = 1.0


class PurgeScheduler(Protocol):
    """What the console needs of console.scheduler.Scheduler (screens do not import the CLI side)."""

    next_run_at: datetime
    last_outcome: Any
    progress: Any

    def run_once(self) -> Any: ...

    def recorded_last_run(self) -> Any: ...

    def reload_policy(self) -> None: ...


class PurgeTimerRan(Message):
    """A timer run finished (deleted, skipped because the lease is held elsewhere, or failed)."""

    def __init__(self, outcome: PurgeOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class PurgeRanByHand(Message):
    """A purge run from a screen finished: the header shows it as the last run."""

    def __init__(self, outcome: PurgeOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class PurgeRecorded(Message):
    """The database's last purge run, read when the console starts (before its own timer ran)."""

    def __init__(self, outcome: Any) -> None:
        super().__init__()
        self.outcome = outcome


class PurgeTimerProgress(Message):
    """How far the running timer purge has come (service.purge throttles the reports)."""

    def __init__(self, started_at: datetime, done: int, planned: int) -> None:
        super().__init__()
        self.started_at = started_at
        self.done = done
        self.planned = planned


class PurgeTimerMixin:
    """Mixed into the App: owns the scheduler, its one-shot timer and its worker."""

    purge_scheduler: PurgeScheduler | None = None
    purge_timer: Timer | None = None

    def start_purge_timer(self, first_delay: float = FIRST_RUN_DELAY) -> None:
        """Show the status and plan the first run; nothing happens without a scheduler."""
        if self.purge_scheduler is None:
            return
        scheduler = self.purge_scheduler
        start = clock.now() + timedelta(seconds=first_delay)
        if scheduler.next_run_at < start:
            scheduler.next_run_at = start  # so the header says when the first run really comes
        app: Any = self
        app.set_status(status_text(scheduler.last_outcome, scheduler.next_run_at))
        self.arm_purge_timer(first_delay)
        if scheduler.last_outcome is None:
            self.load_recorded_purge()

    @work(thread=True, exclusive=True, group="purge-recorded", exit_on_error=False)
    def load_recorded_purge(self) -> None:
        """The last run any console made, so a fresh console does not say 'not run yet'."""
        assert self.purge_scheduler is not None
        with worker_connection():
            outcome = self.purge_scheduler.recorded_last_run()
        if outcome is not None:
            app: Any = self
            app.post_message(PurgeRecorded(outcome))

    def on_purge_recorded(self, message: PurgeRecorded) -> None:
        scheduler = self.purge_scheduler
        if scheduler is None or scheduler.last_outcome is not None or self.purge_timer is None:
            return  # this console's own run is newer, or under way
        app: Any = self
        app.set_status(status_text(message.outcome, scheduler.next_run_at))

    def arm_purge_timer(self, minimum: float = MIN_DELAY) -> None:
        """One one-shot timer at a time, for the scheduler's next run (never sooner than `minimum`)."""
        if self.purge_scheduler is None:
            return
        if self.purge_timer is not None:
            self.purge_timer.stop()
        seconds = max(minimum, (self.purge_scheduler.next_run_at - clock.now()).total_seconds())
        app: Any = self
        self.purge_timer = app.set_timer(seconds, self.purge_timer_tick, name="purge-timer")

    def purge_timer_tick(self) -> None:
        """The timer's callback: start the run in a thread worker and return at once."""
        self.purge_timer = None
        if self.purge_scheduler is not None:
            app: Any = self
            app.set_status(running_text(clock.now()))
            self.run_purge_timer()

    @work(thread=True, exclusive=True, group="purge-timer", exit_on_error=False)
    def run_purge_timer(self) -> None:
        scheduler = self.purge_scheduler
        assert scheduler is not None
        app: Any = self
        scheduler.progress = self._progress_reporter(clock.now())
        try:
            with worker_connection():
                outcome = scheduler.run_once()  # never raises: busy and errors are in the outcome
        finally:
            scheduler.progress = None
        app.post_message(PurgeTimerRan(outcome))

    def _progress_reporter(self, started_at: datetime) -> Callable[[int, int], None]:
        """A progress callback for the purge thread: a message to the app per (throttled) report."""
        app: Any = self

        def report(done: int, planned: int) -> None:
            app.post_message(PurgeTimerProgress(started_at, done, planned))

        return report

    def on_purge_ran_by_hand(self, message: PurgeRanByHand) -> None:
        """A purge from the retention screen is the last run now, in the header as on every screen."""
        scheduler = self.purge_scheduler
        if scheduler is not None and message.outcome.run_id is not None:
            scheduler.last_outcome = message.outcome
        app: Any = self
        app.set_status(status_text(message.outcome, scheduler.next_run_at if scheduler else None))

    def on_purge_timer_progress(self, message: PurgeTimerProgress) -> None:
        app: Any = self
        app.set_status(running_text(message.started_at, message.done, message.planned))

    def on_purge_timer_ran(self, message: PurgeTimerRan) -> None:
        app: Any = self
        outcome = message.outcome
        scheduler = self.purge_scheduler
        app.set_status(status_text(outcome, scheduler.next_run_at if scheduler else None))
        total = sum(outcome.deleted.values())
        if total and not getattr(outcome, "skipped", False):  # another console's run was announced there
            app.notify(
                ngettext(
                    "Purge timer deleted {n} item: {detail}", "Purge timer deleted {n} items: {detail}", total
                ).format(n=total, detail=deleted_text(outcome)),
                title=_("Purge"),
                markup=False,
                timeout=10,
            )
            refresh = getattr(app.screen, "refresh_data", None)
            if callable(refresh):
                refresh()  # what the visible screen lists may be gone now
        elif outcome.error:
            app.notify(
                _("Purge timer failed: {error}").format(error=outcome.error),
                title=_("Purge"),
                severity="error",
                markup=False,
                timeout=10,
            )
        self.arm_purge_timer()
