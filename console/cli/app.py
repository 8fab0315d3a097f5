"""Wires the console: opens the database, resolves the operator, and runs the Textual app."""

from __future__ import annotations

import gc
import sys

from console.cli.context import Context, os_account
from models.core import schema
from models.core.entities import Staff
from models.core.errors import UnknownOperator
from models.retention import policy

# Workers run many short queries, each re-taking the GIL from the busy render loop;
# at the default 5 ms switch interval a page of 20 queries waited 100 ms for it.
WORKER_SWITCH_SECONDS = 0.0005


def tune_for_workers() -> None:
    """Process-wide, so it is set once where the console starts, not by the app object.

    Also: what exists now (modules, classes, the code of every import) lives as long as the process,
    so the garbage collector is told to stop walking it (gc.freeze); each of its full collections
    had to visit those objects again, tens of milliseconds paid by whatever frame was being drawn.
    And before any worker thread starts, every thread is to allocate from one malloc arena
    (screens/shell/memory.py).
    """
    from screens.shell.memory import one_malloc_arena

    sys.setswitchinterval(WORKER_SWITCH_SECONDS)
    one_malloc_arena()
    gc.freeze()


def build_info(ctx: Context):  # -> screens.shell.ConsoleInfo
    """What the header and the help screen say about this console."""
    ctx.open()
    operator = ctx.operator()
    return operator, console_info(ctx, operator)


def console_info(ctx: Context, operator: Staff):  # -> screens.shell.ConsoleInfo, of an opened context
    from screens.shell.app import ConsoleInfo

    target = ctx.target
    return ConsoleInfo(
        operator_username=operator.username,
        operator_name=operator.name,
        database=target.describe(),
        data_dir=str(ctx.data_dir),
        schema_version=schema.SCHEMA_VERSION,  # ctx.open() brought it there or refused to open
        policy_version=policy.active().version,
        refresh_seconds=ctx.settings.refresh_seconds,
    )


def run_console(ctx: Context) -> int:
    """Open the console; an unknown OS account sees a screen that says what to do."""
    from console.settings.policy_file import activate

    try:
        activate(ctx, None)  # the configured policy, as the CLI and the timer use it (due dates, purge)
        ctx.open()
        operator = ctx.operator()
    except UnknownOperator as exc:
        from screens.shell.refusal import RefusalApp

        RefusalApp(os_account(), str(exc)).run()
        return exc.exit_code
    from models.browse.dashboard import read_ahead  # imported here, so that the thread only reads

    early = {"dashboard": read_ahead()}
    info = console_info(ctx, operator)  # imports the screens' code (Textual): the dashboard is read meanwhile
    from screens.shell.app import ConsoleApp

    tune_for_workers()
    settings = ctx.settings
    scheduler = None
    if settings.console_timer_on:  # the purge's code is imported only for a console that runs the timer
        from console.jobs.scheduler import Scheduler

        scheduler = Scheduler(ctx.data_dir, operator, settings.timer_interval_minutes, share_turns=True)
    ConsoleApp(
        operator, info, scheduler=scheduler, settings=settings, config_dir=ctx.config_dir, early_data=early
    ).run()
    return 0
