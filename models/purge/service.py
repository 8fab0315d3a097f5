"""The one way to run a purge, by hand or on the timer, and the words for how it went.

The retention screen, `support24 purge`, the console's timer and `support24 scheduler` all call
`purge()`: it re-reads the policy (so an edited file takes effect), throttles progress reports,
runs `run.run_purge` and turns whatever happened into a `PurgeOutcome`. The outcome text and
the header's status line are worded here once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.core import clock
from models.core.entities import Staff
from models.core.errors import Busy, Support24Error
from models.core.i18n import _, format_number, ngettext
from models.core.labels import term

if TYPE_CHECKING:  # the run's machinery comes with a run: the header's words need none of it
    from models.purge.run import Progress, PurgeResult

log = logging.getLogger("support24.purge")
PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class PurgeOutcome:
    """How one purge went: what it deleted, or who held the lease, or what failed."""

    started_at: datetime
    finished_at: datetime
    deleted: dict[str, int] = field(default_factory=dict)
    busy_holder: str | None = None
    error: str | None = None
    run_id: int | None = None
    running: bool = False  # a recorded run still under way (recorded_outcome)
    skipped: bool = False  # another console or command purged within the interval: that run is shown
    dry_run: bool = False
    result: PurgeResult | None = None  # the run's own report, when it ran
    failure: BaseException | None = field(default=None, compare=False)  # what refused or broke it

    @property
    def ok(self) -> bool:
        return self.error is None and self.busy_holder is None

    @property
    def total(self) -> int:
        return sum(self.deleted.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "run_id": self.run_id,
            "deleted": dict(sorted(self.deleted.items())),
            "total": self.total,
            "busy_holder": self.busy_holder,
            "error": self.error,
            "skipped": self.skipped,
        }

    def summary(self) -> str:
        """One English log line (the headless scheduler's output)."""
        if self.skipped:
            return f"skipped: run {self.run_id} finished {self.finished_at.isoformat()}, within the interval"
        if self.busy_holder is not None:
            return f"skipped: another purge holds the lease ({self.busy_holder})"
        if self.error is not None:
            return f"failed: {self.error}"
        parts = ", ".join(f"{k}={v}" for k, v in sorted(self.deleted.items())) or "nothing due"
        return f"run {self.run_id}: deleted {self.total} items ({parts})"


def throttled(
    report: Progress, *, every_seconds: float = PROGRESS_EVERY_SECONDS, monotonic: Callable[[], float] = time.monotonic
) -> Progress:
    """`report` at most once per `every_seconds`, but always the first call and the last (done == planned)."""
    last = [float("-inf")]

    def progress(done: int, planned: int) -> None:
        now = monotonic()
        if done >= planned or now - last[0] >= every_seconds:
            last[0] = now
            report(done, planned)

    return progress


def purge(
    actor: Staff,
    *,
    data_dir: Path,
    dry_run: bool = False,
    scheduled: bool = False,
    batch_size: int = 500,
    progress: Progress | None = None,
    holder: str | None = None,
    reload_policy: Callable[[], object] | None = None,
) -> PurgeOutcome:
    """Run a purge (or its preview) and report how it went; never raises an Exception.

    `reload_policy` re-reads the configured policy file first; a bad file stops the run and says
    why. Busy, refusals and failures are in the outcome (`failure` keeps the exception for a
    caller that maps it to an exit code).
    """
    from models.purge import run as purge_run

    started = clock.now()
    try:
        if reload_policy is not None:
            reload_policy()
        result = purge_run.run_purge(
            actor,
            data_dir=data_dir,
            dry_run=dry_run,
            scheduled=scheduled,
            batch_size=batch_size,
            progress=throttled(progress) if progress is not None else None,
            holder=holder,
        )
    except Busy as exc:
        holder_text = getattr(exc, "holder", None) or str(exc)
        return PurgeOutcome(started, clock.now(), busy_holder=holder_text, dry_run=dry_run, failure=exc)
    except Support24Error as exc:
        return PurgeOutcome(started, clock.now(), error=str(exc), dry_run=dry_run, failure=exc)
    except Exception as exc:  # the timer must survive anything; the outcome says what happened
        log.exception("purge run failed")
        return PurgeOutcome(started, clock.now(), error=f"{type(exc).__name__}: {exc}", dry_run=dry_run, failure=exc)
    return PurgeOutcome(
        started, clock.now(), dict(result.deleted), run_id=result.run_id, dry_run=dry_run, result=result
    )


def recorded_outcome() -> PurgeOutcome | None:
    """The database's newest purge run (any console or command) as an outcome; one under way
    has no finished_at yet. For the header of a console whose own timer has not run."""
    from models.purge.runs import last_run

    run = last_run()
    if run is None:
        return None
    error = None if run.state in ("done", "running") else (run.error or run.state)
    return PurgeOutcome(
        run.started_at,
        run.finished_at or run.started_at,
        {"total": run.deleted_count},
        error=error,
        run_id=run.id,
        running=run.state == "running",
    )


# --- words -----------------------------------------------------------------------------------


def hhmm(value: datetime) -> str:
    return clock.to_berlin(value).strftime("%H:%M")


def deleted_text(outcome: PurgeOutcome) -> str:
    """'chat 3, system_info 1': what a run deleted, by category (in the reader's words)."""
    return ", ".join(f"{term(category)} {count}" for category, count in sorted(outcome.deleted.items()))


def outcome_text(outcome: PurgeOutcome) -> str:
    """How a purge went, in a sentence, for a notification or a hint."""
    if outcome.busy_holder is not None:
        reason = str(outcome.failure) if outcome.failure is not None else outcome.busy_holder
        return _("Nothing deleted: {reason}.").format(reason=reason)
    if outcome.error is not None:
        return _("Purge failed: {error}").format(error=outcome.error)
    if outcome.dry_run:
        text = ngettext(
            "Preview (run {id}): {n} item due.", "Preview (run {id}): {n} items due.", outcome.total
        ).format(id=outcome.run_id, n=outcome.total)
    else:
        text = ngettext(
            "Purge run {id}: {n} item deleted.", "Purge run {id}: {n} items deleted.", outcome.total
        ).format(id=outcome.run_id, n=outcome.total)
    return f"{text} {deleted_text(outcome)}".strip()


def running_text(started_at: datetime, done: int | None = None, planned: int | None = None) -> str:
    if done is None or not planned:
        return _("purge running since {at}").format(at=hhmm(started_at))
    return _("purge running since {at}: {done} of {planned}").format(
        at=hhmm(started_at), done=format_number(done), planned=format_number(planned)
    )


def status_text(outcome: PurgeOutcome | None, next_run_at: datetime | None) -> str:
    """One short line for the header: the last run and its result, the next run."""
    parts: list[str] = []
    if outcome is None:
        parts.append(_("purge: not run yet"))
    elif outcome.running:
        parts.append(running_text(outcome.started_at))
    elif outcome.busy_holder:
        parts.append(
            _("purge {at}: lease held by {holder}").format(at=hhmm(outcome.started_at), holder=outcome.busy_holder)
        )
    elif outcome.error:
        parts.append(_("purge {at} FAILED: {error}").format(at=hhmm(outcome.started_at), error=outcome.error))
    else:
        parts.append(_("purge {at}: {n} deleted").format(at=hhmm(outcome.finished_at), n=format_number(outcome.total)))
    if next_run_at is not None:
        parts.append(_("next {at}").format(at=hhmm(next_run_at)))
    return " · ".join(parts)
