"""What a purge run was, as the lists and the header show it: read without the purge's machinery.

models/purge/run.py runs and lists purges; the console's header only needs the newest run
(service.recorded_outcome, at every start), so that and its view live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.core.entities import PurgeRun


@dataclass(frozen=True)
class RunView:
    id: int
    started_at: datetime
    finished_at: datetime | None
    operator: str
    policy_version: str
    dry_run: bool
    state: str
    deleted_count: int
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "operator": self.operator,
            "policy_version": self.policy_version,
            "dry_run": self.dry_run,
            "state": self.state,
            "deleted_count": self.deleted_count,
            "error": self.error,
        }


def last_run() -> RunView | None:
    """The newest purge run that was not a preview, by any console or command, or None."""
    run = PurgeRun.select().where(~PurgeRun.dry_run).order_by(PurgeRun.id.desc()).first()
    return view(run) if run is not None else None


def view(r: PurgeRun) -> RunView:
    return RunView(
        r.id, r.started_at, r.finished_at, r.operator, r.policy_version, r.dry_run, r.state, r.deleted_count, r.error
    )
