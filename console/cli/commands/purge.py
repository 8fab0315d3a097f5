"""`support24 purge [--dry-run] [--json]` and `support24 deletions list|runs|reapply`.

Exit 0 when done, 3 when another purge holds the lease (the message names it) or the operator
lacks the privacy_officer role. A progress line (counts and the time left) appears only on a
terminal; --json prints one JSON document and nothing else.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.commands.policy import add_policy_option
from console.cli.main import add_json, command_parent
from models.core.i18n import _, ngettext

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "purge",
        parents=[command_parent()],
        help=_("delete what is due and not held, irrecoverably, with a deletion record each"),
    )
    parser.add_argument("--dry-run", action="store_true", help=_("report what would be deleted; change nothing"))
    parser.add_argument("--batch-size", type=int, default=500, help=_("items per batch (default 500)"))
    add_policy_option(parser)
    add_json(parser)
    parser.set_defaults(handler=run_purge_command)
    deletions = subparsers.add_parser(
        "deletions", parents=[command_parent()], help=_("deletion records and purge runs")
    )
    sub = deletions.add_subparsers(dest="deletions_command", metavar=_("ACTION"), required=True)
    listing = sub.add_parser("list", parents=[command_parent()], help=_("deletion records, newest first"))
    listing.add_argument("--run", type=int, metavar=_("RUN_ID"))
    listing.add_argument("--limit", type=int, default=50)
    add_json(listing)
    listing.set_defaults(handler=run_list)
    runs = sub.add_parser("runs", parents=[command_parent()], help=_("purge runs, newest first"))
    runs.add_argument("--limit", type=int, default=20)
    add_json(runs)
    runs.set_defaults(handler=run_runs)
    reapply = sub.add_parser(
        "reapply",
        parents=[command_parent()],
        help=_("after a restore with the database's own tools: make every journalled deletion again"),
    )
    reapply.add_argument(
        "--journal",
        action="append",
        metavar=_("FILE"),
        help=_("a deletion journal (repeatable; default: the one in the data folder)"),
    )
    add_json(reapply)
    reapply.set_defaults(handler=run_reapply)


def run_purge_command(ctx: Context, args: argparse.Namespace) -> int:
    from console.cli.progress_hooks import terminal_progress
    from console.progress_words import ITEMS
    from console.settings import policy_file
    from models.core.labels import term
    from models.purge import service

    policy_file.activate(ctx, args.policy)  # a bad file exits 2 before anything runs
    operator = ctx.operator()
    with terminal_progress(ctx, ITEMS) as progress:
        outcome = service.purge(
            operator,
            data_dir=ctx.data_dir,
            dry_run=args.dry_run,
            batch_size=max(1, args.batch_size),
            progress=progress,
        )
    if outcome.failure is not None:
        raise outcome.failure  # refused (3), busy (3, naming the holder), bad input (2)
    result = outcome.result
    assert result is not None
    if ctx.json_output:
        ctx.emit_json(result.as_dict())
        return 0
    head = _("Dry run {id}: would delete") if result.dry_run else _("Purge run {id}: deleted")
    print(
        head.format(id=result.run_id),
        ngettext("{n} item (policy {version})", "{n} items (policy {version})", result.total).format(
            n=result.total, version=result.policy_version
        ),
    )
    for category, count in sorted(result.deleted.items()):
        print(f"  {term(category):<16} {count:>8}")
    return 0


def run_list(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import clock
    from models.core.identity import require_role
    from models.core.labels import term
    from models.purge import run as purge

    operator = ctx.operator()
    require_role(operator, "privacy_officer", "admin")
    records = purge.deletions(run_id=args.run, limit=max(1, args.limit))
    if ctx.json_output:
        ctx.emit_json([purge.deletion_dict(r) for r in records])
        return 0
    for r in records:
        print(
            f"{r.id:>8}  {clock.format_berlin(r.deleted_at)}  {term(r.category):<16} {r.ref or r.item_id:<14} "
            + _("due")
            + f" {clock.format_berlin(r.due_at)}  {r.policy_version}  {r.method}"
        )
    return 0


def run_runs(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import clock
    from models.core.identity import require_role
    from models.core.labels import term
    from models.purge import run as purge

    operator = ctx.operator()
    require_role(operator, "privacy_officer", "admin")
    runs = purge.recent_runs(limit=max(1, args.limit))
    if ctx.json_output:
        ctx.emit_json([r.as_dict() for r in runs])
        return 0
    for r in runs:
        kind = _("dry run") if r.dry_run else _("purge")
        print(
            f"{r.id:>6}  {clock.format_berlin(r.started_at)}  {kind:<8} {term(r.state):<12} {r.deleted_count:>7}  "
            f"{r.operator}  {r.policy_version}  {r.error or ''}"
        )
    return 0


def run_reapply(ctx: Context, args: argparse.Namespace) -> int:
    from console.jobs.backup import reapply_journals
    from models.core.identity import require_role
    from models.purge.journal import journal_path
    from models.purge.run import PURGE_ROLES

    operator = ctx.operator()
    require_role(operator, *PURGE_ROLES)
    journals = [Path(j) for j in args.journal] if args.journal else [journal_path(ctx.data_dir)]
    result = reapply_journals(operator.username, journals, ctx.data_dir)
    if ctx.json_output:
        ctx.emit_json(result.as_dict())
    else:
        print(_("Re-applied {n} deletions; {m} were present already.").format(n=result.applied, m=result.already))
    return 0
