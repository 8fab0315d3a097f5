"""The background timer (issue 4 §5): one class for the console's timer and `support24 scheduler`.

It runs the purge every `interval_minutes` on the database the process has open already and
remembers the outcome; in a console, a run another process finished within the interval takes
its turn. It never raises: a lease held elsewhere or an error becomes part of the outcome, so a Textual
thread worker can call `run_once()` and post the result. Times come from
models.clock, so tests drive it with a FixedClock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from console.settings import policy_file
from models.core import clock
from models.core.errors import Busy, Support24Error
from models.purge import run as purge
from models.purge.lease import describe_holder

log = logging.getLogger("support24.scheduler")


@dataclass(frozen=True)
class SchedulerOutcome:
    started_at: datetime
    finished_at: datetime
    deleted: dict[str, int] = field(default_factory=dict)
    busy_holder: str | None = None
    error: str | None = None
    run_id: int | None = None
    running: bool = False  # a recorded run still under way (recorded_last_run)
    skipped: bool = False  # another console or command purged within the interval: that run is shown

    @property
    def ok(self) -> bool:
        return self.error is None and self.busy_holder is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "run_id": self.run_id,
            "deleted": dict(sorted(self.deleted.items())),
            "total": sum(self.deleted.values()),
            "busy_holder": self.busy_holder,
            "error": self.error,
            "skipped": self.skipped,
        }

    def summary(self) -> str:
        if self.skipped:
            return f"skipped: run {self.run_id} finished {self.finished_at.isoformat()}, within the interval"
        if self.busy_holder is not None:
            return f"skipped: another purge holds the lease ({self.busy_holder})"
        if self.error is not None:
            return f"failed: {self.error}"
        parts = ", ".join(f"{k}={v}" for k, v in sorted(self.deleted.items())) or "nothing due"
        return f"run {self.run_id}: deleted {sum(self.deleted.values())} items ({parts})"


class Scheduler:
    """Runs the purge on a fixed interval; thread-safe (one run at a time per instance)."""

    def __init__(
        self,
        data_dir: Path,
        operator: str,
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
        self.operator = operator
        self.interval = timedelta(minutes=interval_minutes)
        self.holder = holder or describe_holder(operator, "scheduler")
        self.batch_size = batch_size
        self.policy_option = policy_option
        self.load_policy = load_policy  # tests that activate a policy themselves turn this off
        self.last_outcome: SchedulerOutcome | None = None
        self.next_run_at: datetime = clock.now()  # the first run is due at once
        self._running = threading.Lock()
        self._own_runs: set[int] = set()
        # consoles pass True: many of them share one database and take turns. `support24 scheduler`
        # does not: a systemd oneshot every interval would otherwise skip its own previous run.
        self.share_turns = share_turns
        self.progress: Callable[[int, int], None] | None = None  # (items done, items planned), e.g. for a header

    def recorded_last_run(self) -> SchedulerOutcome | None:
        """The database's newest purge run (this or another console, the CLI), as an outcome; a run
        still under way has no finished_at. For the header of a console whose timer has not run yet."""
        run = purge.last_run()
        if run is None:
            return None
        error = None if run.state in ("done", "running") else (run.error or run.state)
        return SchedulerOutcome(
            run.started_at,
            run.finished_at or run.started_at,
            {"total": run.deleted_count},
            error=error,
            run_id=run.id,
            running=run.state == "running",
        )

    def _recent_other_run(self, now: datetime) -> SchedulerOutcome | None:
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

    def run_once(self) -> SchedulerOutcome:
        """Purge now and schedule the next run one interval after this one ends."""
        started = clock.now()
        if not self._running.acquire(blocking=False):
            return SchedulerOutcome(started, clock.now(), busy_holder=f"{self.holder} (this process)")
        try:
            recent = self._recent_other_run(started) if self.share_turns else None
            if recent is not None:  # one purge per interval for the whole database, not one per console
                self.last_outcome = recent
                self.next_run_at = recent.finished_at + self.interval
                log.info("%s", recent.summary())
                return recent
            try:
                if self.load_policy:  # the configured file, re-read so an edit takes effect; a bad one stops the run
                    policy_file.activate_configured(self.policy_option)
                result = purge.run_purge(
                    self.operator,
                    data_dir=self.data_dir,
                    batch_size=self.batch_size,
                    holder=self.holder,
                    progress=self.progress,
                )
                outcome = SchedulerOutcome(started, clock.now(), dict(result.deleted), run_id=result.run_id)
            except Busy as exc:
                outcome = SchedulerOutcome(started, clock.now(), busy_holder=getattr(exc, "holder", None) or str(exc))
            except Support24Error as exc:
                outcome = SchedulerOutcome(started, clock.now(), error=str(exc))
            except Exception as exc:  # the timer must survive anything; the outcome says what happened
                log.exception("purge run failed")
                outcome = SchedulerOutcome(started, clock.now(), error=f"{type(exc).__name__}: {exc}")
            self.last_outcome = outcome
            if outcome.run_id is not None:
                self._own_runs.add(outcome.run_id)
            self.next_run_at = outcome.finished_at + self.interval
            log.info("%s", outcome.summary())
            return outcome
        finally:
            self._running.release()
