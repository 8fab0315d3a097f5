"""`support24 scheduler [--interval MINUTES] [--once] [--json]`: the headless purge timer.

For systemd or cron (samples in docs/systemd/). Logs one line per run on stdout (with --json
one JSON object per line; with --once exactly one JSON document). Stops cleanly on SIGTERM
and SIGINT after the current run.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from console.cli.commands.policy import add_policy_option
from console.cli.main import add_json, command_parent
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context
    from models.purge.service import PurgeOutcome


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scheduler", parents=[command_parent()], help=_("run the purge on a timer, headless (systemd, cron)")
    )
    parser.add_argument(
        "--interval",
        type=int,
        metavar=_("MINUTES"),
        help=_("minutes between runs (default: timer.interval_minutes of config.toml, 15)"),
    )
    parser.add_argument("--once", action="store_true", help=_("run one purge and exit (for a systemd timer or cron)"))
    add_policy_option(parser)
    add_json(parser)
    parser.set_defaults(handler=run_scheduler)


def _log(ctx: Context, outcome: PurgeOutcome) -> None:
    import json

    from models.core import clock

    if ctx.json_output:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False), flush=True)
    else:
        print(f"{clock.format_berlin(outcome.started_at, with_seconds=True)} {outcome.summary()}", flush=True)


def run_scheduler(ctx: Context, args: argparse.Namespace) -> int:
    import signal
    import threading

    from console.jobs.scheduler import Scheduler
    from console.settings import policy_file
    from models.core import clock
    from models.core.identity import require_role
    from models.purge.run import PURGE_ROLES

    policy_file.activate(ctx, args.policy)
    operator = ctx.operator()
    require_role(operator, *PURGE_ROLES)  # the headless timer is set up by and runs as a privacy officer
    interval = args.interval if args.interval is not None else ctx.settings.timer_interval_minutes
    if interval < 1:
        from models.core.errors import ValidationError

        raise ValidationError("interval_minutes", _("must be a whole number of 1 or more"))
    scheduler = Scheduler(ctx.data_dir, operator, interval, policy_option=args.policy)
    if args.once:
        outcome = scheduler.run_once()
        _witness()
        if ctx.json_output:
            ctx.emit_json(outcome.as_dict())
        else:
            _log(ctx, outcome)
        if outcome.error:
            print(f"support24: {outcome.error}", file=sys.stderr)
            return 1
        return 3 if outcome.busy_holder else 0
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_args: stop.set())
    if not ctx.json_output:
        print(
            _("scheduler: purging every {n} minutes as {user}").format(n=interval, user=operator.username), flush=True
        )
    while not stop.is_set():
        if scheduler.is_due():
            _log(ctx, scheduler.run_once())
            _witness()
        wait = (scheduler.next_run_at - clock.now()).total_seconds()
        stop.wait(timeout=max(1.0, min(wait, 60.0)))
    return 0


def _witness() -> None:
    """Every turn of the headless scheduler witnesses the audit head (at least daily under any timer)."""
    from models.core import audit

    audit.witness("scheduler")
