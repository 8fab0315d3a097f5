"""`support24 ingest`: remote-tool logs in, reconciled with the console's sessions.

    support24 ingest FILE... [--tool auto|teamviewer|anydesk|rustdesk] [--dry-run] [--emit-jsonl] [--json]
    support24 ingest --watch DIR [--once] [--interval SECONDS]
    support24 ingest pending [--json]
    support24 ingest assign ID --order REF [--technician USER] [--screen-private yes|no]
    support24 ingest dismiss ID --reason TEXT

Exit 0 when every file was read, 2 when a file cannot be read (one line naming what it looks
like; nothing stored) or a connection in it is reported instead of stored, 3 without the role.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.cli.main import add_json, command_parent
from models.core.i18n import _, ngettext

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer
    from console.cli.context import Context

ACTIONS = ("pending", "assign", "dismiss")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        parents=[command_parent()],
        help=_("read TeamViewer, AnyDesk and RustDesk logs and reconcile their connections with the sessions"),
        description=_(
            "Read remote-tool logs (format and encoding recognised from the content) and match every connection "
            "to the console's session. 'ingest pending' lists connections no session accounts for; "
            "'ingest assign ID --order REF' files one under an order; 'ingest dismiss ID --reason TEXT' marks one "
            "as not customer work."
        ),
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help=_("log files, or: pending | assign ID | dismiss ID"))
    parser.add_argument("--tool", choices=("auto", "teamviewer", "anydesk", "rustdesk"), default="auto")
    parser.add_argument("--dry-run", action="store_true", help=_("read and match everything, store nothing"))
    parser.add_argument(
        "--emit-jsonl", action="store_true", help=_("print each connection read as a JSON line on stdout")
    )
    parser.add_argument("--watch", metavar="DIR", help=_("ingest every file that appears or grows in this folder"))
    parser.add_argument("--once", action="store_true", help=_("with --watch: one pass over the folder, then exit"))
    parser.add_argument("--interval", type=float, default=60.0, metavar="SECONDS", help=_("with --watch: how often"))
    parser.add_argument("--order", metavar="REF", help=_("assign: the order the connection belongs to"))
    parser.add_argument("--technician", metavar="USER", help=_("assign: who did the work, if the log does not say"))
    parser.add_argument(
        "--screen-private",
        choices=("yes", "no"),
        help=_("assign: could only the technician see the screen? Without it the connection stays a finding (P4)"),
    )
    parser.add_argument("--reason", metavar="TEXT", help=_("dismiss: why this was not customer work"))
    add_json(parser)
    parser.set_defaults(handler=run_ingest)


def run_ingest(ctx: Context, args: argparse.Namespace) -> int:
    from models.core.errors import ValidationError

    if args.files and args.files[0] in ACTIONS and not Path(args.files[0]).exists():
        return _action(ctx, args)
    if args.watch:
        if args.files:
            raise ValidationError("--watch", _("give either files or --watch DIR, not both"))
        return _watch(ctx, args)
    if not args.files:
        raise ValidationError("FILE", _("name at least one log file, or --watch DIR"))
    if args.emit_jsonl and ctx.json_output:
        raise ValidationError("--emit-jsonl", _("cannot be combined with --json (both print on stdout)"))
    operator = ctx.operator()
    return _ingest(ctx, operator, [Path(f) for f in args.files], args)


def _ingest(ctx: Context, operator: Any, paths: list[Path], args: argparse.Namespace) -> int:
    from console.cli.progress_hooks import terminal_progress
    from console.importing.remote.ingest import ingest_files
    from console.progress_words import FILES

    with terminal_progress(ctx, FILES) as progress:
        results = ingest_files(
            operator,
            paths,
            tool=args.tool,
            dry_run=args.dry_run,
            emit=sys.stdout if args.emit_jsonl else None,
            progress=progress,
        )
    failed = [r for r in results if r.error]
    for result in failed:
        print(f"support24: {result.path}: {result.error}", file=sys.stderr)
    if ctx.json_output:
        ctx.emit_json({"dry_run": args.dry_run, "ok": not failed, "files": [r.as_dict() for r in results]})
    elif not failed:
        out = sys.stderr if args.emit_jsonl else sys.stdout
        for result in results:
            _print_result(result, args.dry_run, out)
    if failed:
        if not ctx.json_output and len(paths) > 1:
            print(_("support24: nothing was stored"), file=sys.stderr)
        return 2
    return 2 if any(r.reported for r in results) else 0


def _print_result(result: Any, dry_run: bool, out: Any) -> None:
    from console.importing.remote.sniff import describe

    head = _("{file}: {format}").format(file=result.path, format=describe(result.format))
    if result.encoding != "utf-8":
        head += f" ({result.encoding})"
    print(head, file=out)
    counts = ", ".join(f"{name} {n}" for name, n in sorted(result.outcomes.items()) if n)
    if dry_run:
        text = ngettext(
            "{n} connection would be read: {counts}", "{n} connections would be read: {counts}", result.connections
        )
    else:
        text = ngettext("{n} connection was read: {counts}", "{n} connections were read: {counts}", result.connections)
    print("  " + text.format(n=result.connections, counts=counts or "-"), file=out)
    if result.reported:
        print("  " + _("{n} reported, not stored (see below)").format(n=result.reported), file=out)
    for warning in result.warnings:
        print("  " + _("note: {text}").format(text=warning), file=out)


def _watch(ctx: Context, args: argparse.Namespace) -> int:
    """Ingest what appears or grows in a folder: every pass reads changed files again (idempotent)."""
    from models.core.errors import ValidationError

    folder = Path(args.watch)
    if not folder.is_dir():
        raise ValidationError("--watch", _("{path} is not a folder").format(path=folder))
    operator = ctx.operator()
    seen: dict[Path, tuple[int, int]] = {}
    worst = 0
    try:
        while True:
            for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
                stat = path.stat()
                mark = (stat.st_size, stat.st_mtime_ns)
                if seen.get(path) == mark:
                    continue
                seen[path] = mark
                worst = max(worst, _ingest(ctx, operator, [path], args))
            if args.once:
                return worst
            time.sleep(max(args.interval, 1.0))
    except KeyboardInterrupt:
        return worst


def _action(ctx: Context, args: argparse.Namespace) -> int:
    from models.core.errors import ValidationError
    from models.sessions import reconcile

    action, rest = args.files[0], args.files[1:]
    operator = ctx.operator()
    if action == "pending":
        rows = reconcile.pending(limit=10_000)
        if ctx.json_output:
            ctx.emit_json({"pending": [_pending_json(r) for r in rows], "findings": reconcile.findings_count()})
            return 0
        if not rows:
            print(_("No unrecorded connections."))
        for row in rows:
            who = row.technician.username if row.technician_id else (row.partner_name or row.partner_id or "?")
            end = row.ended_at.isoformat() if row.ended_at else _("open")
            print(f"{row.id:>6}  {row.tool:<10} {row.started_at.isoformat()}  {end}  {who}  {row.device_name or ''}")
        return 0
    if len(rest) != 1 or not rest[0].isdigit():
        raise ValidationError("ID", _("give the number of one connection from 'support24 ingest pending'"))
    connection_id = int(rest[0])
    if action == "assign":
        if not args.order:
            raise ValidationError("--order", _("is needed to assign a connection"))
        private = None if args.screen_private is None else args.screen_private == "yes"
        session = reconcile.assign(
            operator, connection_id, args.order, technician=args.technician, screen_private=private
        )
        if ctx.json_output:
            ctx.emit_json({"connection": connection_id, "session": session.ref, "order": args.order})
        else:
            print(
                _("Connection {id} is session {ref} of order {order}.").format(
                    id=connection_id, ref=session.ref, order=args.order
                )
            )
            if private is None:
                print(_("No screen-privacy answer was given: it stays a compliance finding (P4)."))
        return 0
    if not args.reason:
        raise ValidationError("--reason", _("is needed: say why this was not customer work"))
    reconcile.dismiss(operator, connection_id, args.reason)
    if ctx.json_output:
        ctx.emit_json({"connection": connection_id, "state": "dismissed"})
    else:
        print(_("Connection {id} is marked as not customer work.").format(id=connection_id))
    return 0


def _pending_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "tool": row.tool,
        "keys": sorted(k.key for k in row.keys),
        "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        "technician": row.technician.username if row.technician_id else None,
        "partner_id": row.partner_id,
        "partner_name": row.partner_name,
        "device_name": row.device_name,
        "direction": row.direction,
        "source": row.source,
    }
