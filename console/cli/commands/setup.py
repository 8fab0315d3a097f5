"""`support24 init`: create the database and register the first administrator.

`support24 pg-roles`: on PostgreSQL, create or refresh one database role per staff member
and one group role per console role (models/core/pg_roles.py); run it as the schema's owner
after `init` and after each upgrade. From then on the operator is the server's session_user.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent, day_option
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init", parents=[command_parent()], help=_("create the database and register the first administrator")
    )
    parser.add_argument(
        "--admin", required=True, metavar=_("USER"), help=_("operating-system account of the administrator")
    )
    parser.add_argument("--name", required=True, help=_("the administrator's full name"))
    parser.add_argument(
        "--commitment-date",
        required=True,
        metavar=_("YYYY-MM-DD"),
        type=day_option,
        help=_("date of the written confidentiality commitment (P3)"),
    )
    parser.add_argument("--roles", default="admin", help=_("roles, comma-separated (default: admin)"))
    parser.add_argument(
        "--shared-group",
        metavar="GROUP",
        help=_(
            "share the SQLite database with every account in GROUP on this server: data folder 2770, "
            "files 0660 (README: shared installation)"
        ),
    )
    add_json(parser)
    parser.set_defaults(handler=run_init)
    roles = subparsers.add_parser(
        "pg-roles",
        parents=[command_parent()],
        help=_("PostgreSQL: a database role per staff member and a group per console role (run as the owner)"),
    )
    add_json(roles)
    roles.set_defaults(handler=run_pg_roles)


def run_init(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import people

    ctx.shared_group = args.shared_group
    target = ctx.open()
    roles = {r.strip() for r in args.roles.split(",") if r.strip()} | {"admin"}
    staff = people.register_staff(None, args.admin, args.name, sorted(roles), args.commitment_date)
    if ctx.json_output:
        ctx.emit_json(
            {
                "database": target.describe(),
                "admin": staff.username,
                "roles": sorted(staff.role_set),
                "shared_group": args.shared_group,
            }
        )
    else:
        ctx.say(
            _("Database ready at {where}; {user} is registered as administrator.").format(
                where=target.describe(), user=staff.username
            )
        )
    return 0


def run_pg_roles(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import pg_roles
    from models.core.db import is_postgres, write_tx
    from models.core.errors import ValidationError

    ctx.open()
    if not is_postgres():
        raise ValidationError("--database", _("database roles exist only on PostgreSQL"))
    with write_tx():
        report = pg_roles.install()
    if ctx.json_output:
        ctx.emit_json(report)
        return 0
    ctx.say(_("Group roles: {groups}").format(groups=", ".join(report["groups"])))  # type: ignore[arg-type]
    for row in report["staff"]:  # type: ignore[attr-defined]
        groups = ", ".join(row["groups"]) or "-"
        login = _("login") if row["login"] else _("no login")
        ctx.say(f"  {row['username']:<20} {login:<10} {groups}")
    ctx.say(_("From now on the operator is the database's session_user (peer authentication: the OS account)."))
    return 0
