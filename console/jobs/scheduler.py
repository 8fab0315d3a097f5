"""The background timer (issue 4 §5): one class for the console's timer and `support24 scheduler`.

It runs the purge (models.purge.service.purge, as a scheduled run) every `interval_minutes` on
the database the process has open already and
remembers the outcome; in a console, a run another process finished within the interval takes
its turn. It never raises: a lease held elsewhere or an error becomes part of the outcome, so a Textual
thread worker can call `run_once()` and post the result. Times come from
models.clock, so tests drive it with a FixedClock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from console.settings import policy_file
from models.core import clock
from models.core.entities import Staff
from models.purge import service
from models.purge.lease import describe_holder
from models.purge.service import PurgeOutcome

log = logging.getLogger("support24.scheduler")


class Scheduler:
    """Runs the purge on a fixed interval; thread-safe (one run at a time per instance)."""

    def __init__(
        self,
        data_dir: Path,
        actor: Staff,
        interval_minutes: int = 15,
        holder: str | None = None,
        *,
        batch_size: int = 500,
        policy_option: str | None = None,
        load_policy: bool = True,
        share_turns: bool = False,
    ) -> None:
        if interval_minutes < 1:
            raise ValueError("interval_minutes must be 1 or more")
        self.data_dir = data_dir
        self.actor = actor  # the timer's runs are scheduled runs (run.run_purge): any active staff member
        self.interval = timedelta(minutes=interval_minutes)
        self.holder = holder or describe_holder(actor.username, "scheduler")
        self.batch_size = batch_size
        self.policy_option = policy_option
        self.load_policy = load_policy  # tests that activate a policy themselves turn this off
        self.last_outcome: PurgeOutcome | None = None
        self.next_run_at: datetime = clock.now()  # the first run is due at once
        self._running = threading.Lock()
        self._own_runs: set[int] = set()
        # consoles pass True: many of them share one database and take turns. `support24 scheduler`
        # does not: a systemd oneshot every interval would otherwise skip its own previous run.
        self.share_turns = share_turns
        self.progress: Callable[[int, int], None] | None = None  # (items done, items planned), e.g. for a header

    def recorded_last_run(self) -> PurgeOutcome | None:
        """The database's newest purge run (this or another console, the CLI), as an outcome."""
        return service.recorded_outcome()

    def reload_policy(self) -> None:
        """The configured policy file, re-read so an edit takes effect; a bad one stops the run."""
        if self.load_policy:  # tests that activate a policy themselves turn this off
            policy_file.activate_configured(self.policy_option)

    def _recent_other_run(self, now: datetime) -> PurgeOutcome | None:
        """A finished run by another console or command less than one interval ago, as a skipped
        outcome; every console running its own timer would otherwise add a run per interval each."""
        try:
            recorded = self.recorded_last_run()
        except Exception:  # the purge itself will report what is wrong with the database
            log.exception("reading the last purge run failed")
            return None
        if (
            recorded is None
            or recorded.running
            or recorded.error is not None
            or recorded.run_id in self._own_runs
            or recorded.finished_at <= now - self.interval
        ):
            return None
        return replace(recorded, skipped=True)

    def is_due(self, now: datetime | None = None) -> bool:
        return (now or clock.now()) >= self.next_run_at

    def run_once(self) -> PurgeOutcome:
        """Purge now and schedule the next run one interval after this one ends."""
        started = clock.now()
        if not self._running.acquire(blocking=False):
            return PurgeOutcome(started, clock.now(), busy_holder=f"{self.holder} (this process)")
        try:
            recent = self._recent_other_run(started) if self.share_turns else None
            if recent is not None:  # one purge per interval for the whole database, not one per console
                self.last_outcome = recent
                self.next_run_at = recent.finished_at + self.interval
                log.info("%s", recent.summary())
                return recent
            outcome = service.purge(
                self.actor,
                data_dir=self.data_dir,
                scheduled=True,
                batch_size=self.batch_size,
                holder=self.holder,
                progress=self.progress,
                reload_policy=self.reload_policy,
            )
            self.last_outcome = outcome
            if outcome.run_id is not None:
                self._own_runs.add(outcome.run_id)
            self.next_run_at = outcome.finished_at + self.interval
            log.info("%s", outcome.summary())
            return outcome
        finally:
            self._running.release()
