"""`support24 demo [--scale small|medium|large] [--seed N] [--if-empty] [--json]`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent
from models.core.i18n import _, format_number

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer
    from console.cli.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", parents=[command_parent()], help=_("fill an empty database with realistic demo data around today")
    )
    parser.add_argument(
        "--scale",
        choices=("small", "medium", "large"),
        default="small",
        help=_(
            "small: a few hundred orders (seconds); medium: 20,000; large: 400,000 over "
            "twelve years (minutes, SQLite recommended)"
        ),
    )
    parser.add_argument("--seed", type=int, default=24, help=_("random seed; the same seed gives the same data"))
    parser.add_argument(
        "--if-empty", action="store_true", help=_("do nothing if the database holds data already (for `make run`)")
    )
    add_json(parser)
    parser.set_defaults(handler=run_demo_command)


def run_demo_command(ctx: Context, args: argparse.Namespace) -> int:
    from console.cli.context import os_account
    from console.demo.fill import run_demo
    from console.settings import policy_file
    from models.core import stats
    from models.core.labels import term

    ctx.open()
    policy_file.activate(ctx, None)  # due dates under the policy version purge and retention will use
    show = ctx.progress_enabled()
    progress = (lambda msg: print(f"… {msg}", file=sys.stderr, flush=True)) if show else None
    result = run_demo(os_account(), ctx.data_dir, args.scale, args.seed, if_empty=args.if_empty, progress=progress)
    if ctx.json_output:
        document = result.as_dict()
        document["counts"] = stats.counts()
        ctx.emit_json(document)
        return 0
    if result.skipped:
        ctx.say(_("The database holds data already; the demo left it as it was."))
        return 0
    counts = stats.counts()
    ctx.say(
        _("Demo data ({scale}, seed {seed}) written in {seconds} s; {user} has every role.").format(
            scale=result.scale, seed=result.seed, seconds=format_number(result.seconds, 1), user=result.operator
        )
    )
    ctx.say(", ".join(f"{term(name)} {format_number(value)}" for name, value in counts.items()))
    rates = result.bulk.get("rates") if result.bulk else None
    if isinstance(rates, dict):
        ctx.say(
            _("bulk insert: {app} rows/s (raw sqlite3.executemany of the same rows: {raw} rows/s)").format(
                app=format_number(rates.get("app_rows_per_s", 0)), raw=format_number(rates.get("raw_rows_per_s", 0))
            )
        )
    return 0
