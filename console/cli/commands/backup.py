"""`support24 backup [--out DIR]` and `support24 restore FILE` (SQLite; P10 backups)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context

BACKUP_ROLES = ("admin", "privacy_officer")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backup",
        parents=[command_parent()],
        help=_("online backup of the SQLite database, catalogued and rotated by the purge"),
    )
    parser.add_argument(
        "--out", metavar=_("DIR"), help=_("folder for the backup (default: backups/ in the data folder)")
    )
    add_json(parser)
    parser.set_defaults(handler=run_backup)
    rest = subparsers.add_parser(
        "restore", parents=[command_parent()], help=_("restore a backup, then re-apply every deletion journalled since")
    )
    rest.add_argument("file", metavar=_("FILE"))
    add_json(rest)
    rest.set_defaults(handler=run_restore)


def run_backup(ctx: Context, args: argparse.Namespace) -> int:
    from console.jobs.backup import make_backup
    from models.core import clock
    from models.core.identity import require_role

    operator = ctx.operator()
    require_role(operator, *BACKUP_ROLES)
    out = Path(args.out).expanduser().resolve() if args.out else ctx.data_dir / "backups"
    entry = make_backup(operator.username, out)
    document = {
        "id": entry.id,
        "path": entry.path,
        "created_at": entry.created_at.isoformat(),
        "size": entry.size,
        "sha256": entry.sha256,
    }
    if ctx.json_output:
        ctx.emit_json(document)
    else:
        print(
            _("Backup {path} ({size} bytes) at {at}; the purge deletes it after the rotation period.").format(
                path=entry.path, size=entry.size, at=clock.format_berlin(entry.created_at)
            )
        )
    return 0


def run_restore(ctx: Context, args: argparse.Namespace) -> int:
    from console.jobs.backup import restore
    from console.settings import policy_file
    from models.core.identity import require_role

    policy_file.activate(ctx, None)
    operator = ctx.operator()
    require_role(operator, "admin")
    result = restore(operator.username, Path(args.file).expanduser().resolve(), ctx.data_dir)
    if ctx.json_output:
        ctx.emit_json(result.as_dict())
    else:
        print(
            _("Restored {path}; re-applied {n} deletions made since the backup ({m} were in it already).").format(
                path=result.backup, n=result.replay.applied, m=result.replay.already
            )
        )
    return 0
