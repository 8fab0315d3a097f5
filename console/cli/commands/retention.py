"""`support24 retention queue`: what falls due when, per item and as a summary (DESIGN.md §5)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from console.cli.commands.policy import add_policy_option
from console.cli.main import add_json, command_parent
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context

QUEUE_ROLES = ("privacy_officer", "admin")
# The choices of --state, written out so that building the parser imports no models; a test keeps
# them equal to models.retention.STATES.
STATES = ("scheduled", "due", "overdue", "held", "blocked")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("retention", parents=[command_parent()], help=_("the retention queue"))
    sub = parser.add_subparsers(dest="retention_command", metavar=_("ACTION"), required=True)
    queue = sub.add_parser("queue", parents=[command_parent()], help=_("list items by due date, with a summary"))
    queue.add_argument("--as-of", metavar=_("ISO"), help=_("evaluate states at this instant (default: now)"))
    queue.add_argument("--category", help=_("only this category"))
    queue.add_argument("--state", choices=STATES, help=_("only this state"))
    queue.add_argument("--limit", type=int, default=100, help=_("at most this many items (default 100)"))
    add_policy_option(queue)
    add_json(queue)
    queue.set_defaults(handler=run_queue)


def run_queue(ctx: Context, args: argparse.Namespace) -> int:
    from console.settings import policy_file
    from models.core import clock, validation
    from models.core.errors import ValidationError
    from models.core.identity import require_role
    from models.core.labels import term
    from models.retention import due as retention_due
    from models.retention import queue as retention

    policy_file.activate(ctx, args.policy)
    operator = ctx.operator()
    require_role(operator, *QUEUE_ROLES)
    as_of = validation.timestamp("--as-of", args.as_of, required=False) or clock.now()
    if args.limit < 1:
        raise ValidationError("--limit", _("must be 1 or more"))
    retention_due.sync()
    items = retention.queue_items(as_of=as_of, category=args.category, state=args.state, limit=args.limit + 1)
    more = len(items) > args.limit
    items = items[: args.limit]
    summary = retention.queue_summary(as_of)
    if args.category:
        summary = [row for row in summary if row.category == args.category]
    if ctx.json_output:
        ctx.emit_json(
            {
                "as_of": as_of.isoformat(),
                "summary": [r.as_dict() for r in summary],
                "items": [i.as_dict() for i in items],
                "more": more,
            }
        )
        return 0
    print(_("Retention queue as of {at} (Berlin)").format(at=clock.format_berlin(as_of)))
    for row in summary:
        print(
            f"  {term(row.category):<16} {term(row.state):<10} {row.count:>8}  {clock.format_berlin(row.next_due_at)}"
        )
    if items:
        print()
        print("  {:<17} {:<16} {:<10} {}".format(_("due (Berlin)"), _("category"), _("state"), _("ref")))
    for item in items:
        due = clock.format_berlin(item.due_at) or "-"
        print(f"  {due:<17} {term(item.category):<16} {term(item.state):<10} {item.ref or ''}")
        if item.reason:
            print(f"      {item.reason}")
    if more:
        print(_("  … more items; narrow with --category/--state or raise --limit"))
    return 0
