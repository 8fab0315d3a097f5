"""`support24 stats`: how many of each kind of record the database holds."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent
from models.core.i18n import _, format_number

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stats", parents=[command_parent()], help=_("count the records per kind"))
    add_json(parser)
    parser.set_defaults(handler=run_stats)


def run_stats(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import stats
    from models.core.labels import term

    ctx.operator()
    counts = stats.counts()
    if ctx.json_output:
        ctx.emit_json(counts)
        return 0
    names = {name: term(name) for name in counts}
    width = max(len(shown) for shown in names.values())
    for name, count in counts.items():
        print(f"{names[name]:<{width}}  {format_number(count):>10}")
    return 0
