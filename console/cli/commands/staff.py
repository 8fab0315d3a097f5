"""`support24 staff list|add|update|deactivate|reactivate`: the staff register (P3) for administrators over SSH.

The flags are those of `init`; every change goes through models/core/people.py, which checks the
admin role and records the audit event, exactly as the console's staff screen does.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from console.cli.main import add_json, command_parent
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context
    from models.core.entities import Staff


def _person_flags(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("--name", required=adding, help=_("the full name"))
    parser.add_argument(
        "--roles",
        default="technician" if adding else None,
        help=_("roles, comma-separated, e.g. technician,privacy_officer")
        + (_(" (default: technician)") if adding else ""),
    )
    parser.add_argument(
        "--commitment-date",
        metavar="YYYY-MM-DD",
        help=_("date of the written confidentiality commitment (P3)"),
    )
    parser.add_argument(
        "--secrecy-date",
        metavar="YYYY-MM-DD",
        help=_("date of the § 203 StGB secrecy commitment") + ("" if adding else _("; an empty value removes it")),
    )
    _identity_flags(parser, adding=adding)


def _identity_flags(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    """The tool identities of `support24 registers`, kept with the person (repeatable flags)."""
    parser.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="TOOL:KIND:VALUE",
        help=_("a name or id in a remote tool, e.g. teamviewer:account:max.mueller (repeatable)"),
    )
    if not adding:
        parser.add_argument(
            "--remove-identity",
            action="append",
            default=[],
            metavar="TOOL:VALUE",
            help=_("remove a tool identity, e.g. anydesk:123456789 (repeatable)"),
        )


def _identities(args: argparse.Namespace) -> tuple[list[Any], list[str]]:
    """The --identity and --remove-identity flags as the registers take them; a bad one names the flag."""
    from models.core.errors import ValidationError
    from models.sessions.registers import IdentityInput

    add = []
    for spec in args.identity:
        tool, kind, value = (spec.split(":", 2) + ["", ""])[:3]
        if not tool or not kind or not value:
            raise ValidationError("--identity", _("write TOOL:KIND:VALUE, e.g. teamviewer:account:max.mueller"))
        add.append(IdentityInput(tool, kind, value, args.username))
    remove = list(getattr(args, "remove_identity", []))
    for spec in remove:
        if ":" not in spec:
            raise ValidationError("--remove-identity", _("write TOOL:VALUE, e.g. anydesk:123456789"))
    return add, remove


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("staff", parents=[command_parent()], help=_("the staff register (admins)"))
    sub = parser.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", parents=[command_parent()], help=_("every staff member with roles and dates"))
    add_json(listing)
    listing.set_defaults(handler=run_list)
    add = sub.add_parser("add", parents=[command_parent()], help=_("register a staff member"))
    add.add_argument("username", metavar="USER", help=_("operating-system account"))
    _person_flags(add, adding=True)
    add_json(add)
    add.set_defaults(handler=run_add)
    update = sub.add_parser("update", parents=[command_parent()], help=_("change name, roles or commitment dates"))
    update.add_argument("username", metavar="USER")
    _person_flags(update, adding=False)
    add_json(update)
    update.set_defaults(handler=run_update)
    for action, text in (
        ("deactivate", _("the account can no longer open the console or do remote maintenance")),
        ("reactivate", _("make a deactivated account active again")),
    ):
        step = sub.add_parser(action, parents=[command_parent()], help=text)
        step.add_argument("username", metavar="USER")
        add_json(step)
        step.set_defaults(handler=run_active, active=action == "reactivate")


def as_dict(staff: Staff) -> dict[str, Any]:
    from models.sessions import registers

    return {
        "username": staff.username,
        "name": staff.name,
        "roles": sorted(staff.role_set),
        "commitment_signed_on": staff.commitment_signed_on.isoformat() if staff.commitment_signed_on else None,
        "secrecy_commitment_on": staff.secrecy_commitment_on.isoformat() if staff.secrecy_commitment_on else None,
        "active": bool(staff.active),
        "identities": [
            {"tool": row.tool, "kind": row.kind, "value": row.value} for row in registers.identities_of(staff.username)
        ],
    }


def _line(staff: Staff) -> str:
    signed = staff.commitment_signed_on.strftime("%d.%m.%Y") if staff.commitment_signed_on else _("MISSING")
    secrecy = staff.secrecy_commitment_on.strftime("%d.%m.%Y") if staff.secrecy_commitment_on else "—"
    state = _("active") if staff.active else _("deactivated")
    roles = ",".join(sorted(staff.role_set))
    return f"{staff.username:<16} {staff.name:<28} {roles:<32} {signed:<10} {secrecy:<10} {state}"


def _show(ctx: Context, staff: Staff, message: str) -> int:
    if ctx.json_output:
        ctx.emit_json(as_dict(staff))
    else:
        print(message)
        print(_line(staff))
    return 0


def run_list(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import people

    rows = people.list_staff(ctx.operator())
    if ctx.json_output:
        ctx.emit_json([as_dict(s) for s in rows])
        return 0
    print(f"{_('User'):<16} {_('Name'):<28} {_('Roles'):<32} {_('Commitment'):<10} {_('§ 203'):<10} {_('State')}")
    for staff in rows:
        print(_line(staff))
    return 0


def run_add(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import people

    operator = ctx.operator()
    add, _remove = _identities(args)
    staff = people.with_identities(
        operator,
        args.username,
        lambda: people.register_staff(
            operator,
            args.username,
            args.name,
            args.roles,
            args.commitment_date,
            secrecy_commitment_on=args.secrecy_date,
        ),
        add=add,
    )
    return _show(ctx, staff, _("{user} registered.").format(user=staff.username))


def run_update(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import people
    from models.core.errors import ValidationError

    fields = ("name", "roles", "commitment_date", "secrecy_date")
    if all(getattr(args, key) is None for key in fields) and not args.identity and not args.remove_identity:
        raise ValidationError(
            "update",
            _("give at least one of --name, --roles, --commitment-date, --secrecy-date, --identity, --remove-identity"),
        )
    add, remove = _identities(args)
    operator = ctx.operator()
    staff = people.with_identities(
        operator,
        args.username,
        lambda: people.update_staff(
            operator,
            args.username,
            name=args.name,
            roles=args.roles,
            commitment_signed_on=args.commitment_date,
            secrecy_commitment_on=args.secrecy_date,
        ),
        add=add,
        remove=remove,
    )
    return _show(ctx, staff, _("{user} updated.").format(user=staff.username))


def run_active(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import people

    staff = people.update_staff(ctx.operator(), args.username, active=args.active)
    message = _("{user} is active again.") if args.active else _("{user} deactivated.")
    return _show(ctx, staff, message.format(user=staff.username))
