"""`support24 registers`: tool identities of staff and remote ids of customers' devices.

support24 registers list [--json]
support24 registers import FILE.csv
support24 registers add-identity --tool T --kind account|user|alias|id --value V --staff USER
support24 registers add-device --tool T --remote-id ID --customer K-… [--workstation NAME]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent
from models.core.i18n import _

if TYPE_CHECKING:
    from console.cli.context import Context

TOOLS = ("teamviewer", "anydesk", "rustdesk")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "registers",
        parents=[command_parent()],
        help=_("tool identities of staff and remote ids of customers' devices (for ingest)"),
    )
    sub = parser.add_subparsers(dest="registers_action", required=True, metavar="ACTION")
    listing = sub.add_parser("list", parents=[command_parent()], help=_("show both registers"))
    add_json(listing)
    imp = sub.add_parser(
        "import", parents=[command_parent()], help=_("import a CSV (type,tool,value,kind,staff,customer,workstation)")
    )
    imp.add_argument("file", metavar="FILE.csv")
    add_json(imp)
    ident = sub.add_parser("add-identity", parents=[command_parent()], help=_("a staff member's name or id in a tool"))
    ident.add_argument("--tool", required=True, choices=TOOLS)
    ident.add_argument("--kind", required=True, choices=("account", "user", "alias", "id"))
    ident.add_argument("--value", required=True)
    ident.add_argument("--staff", required=True, metavar="USER")
    device = sub.add_parser("add-device", parents=[command_parent()], help=_("a customer's device id in a tool"))
    device.add_argument("--tool", required=True, choices=TOOLS)
    device.add_argument("--remote-id", required=True)
    device.add_argument("--customer", required=True, metavar="NUMBER")
    device.add_argument("--workstation", metavar="NAME")
    parser.set_defaults(handler=run_registers)


def run_registers(ctx: Context, args: argparse.Namespace) -> int:
    from models.sessions import registers

    operator = ctx.operator()
    action = args.registers_action
    if action == "list":
        identities, devices = registers.list_identities(), registers.list_devices()
        if ctx.json_output:
            ctx.emit_json(
                {
                    "identities": [
                        {"tool": i.tool, "kind": i.kind, "value": i.value, "staff": i.staff.username}
                        for i in identities
                    ],
                    "devices": [
                        {
                            "tool": d.tool,
                            "remote_id": d.remote_id,
                            "customer": d.customer.number,
                            "workstation": d.workstation,
                        }
                        for d in devices
                    ],
                }
            )
            return 0
        print(_("Tool identities of staff: {n}").format(n=len(identities)))
        for i in identities:
            print(f"  {i.tool:<10} {i.kind:<8} {i.value:<30} {i.staff.username}")
        print(_("Customers' devices: {n}").format(n=len(devices)))
        for d in devices:
            print(f"  {d.tool:<10} {d.remote_id:<20} {d.customer.number:<10} {d.workstation or ''}")
        return 0
    if action == "import":
        from console.importing.remote.registers_csv import import_registers

        result, problems = import_registers(operator, Path(args.file))
        for problem in problems:
            print(problem, file=sys.stderr)
        if ctx.json_output:
            ctx.emit_json(
                {
                    "ok": not problems,
                    "identities": result.identities,
                    "devices": result.devices,
                    "unchanged": result.unchanged,
                    "problems": problems,
                }
            )
        elif problems:
            print(
                _("support24: {n} problem(s) in {file}; nothing was stored").format(n=len(problems), file=args.file),
                file=sys.stderr,
            )
        else:
            print(
                _("Registered {i} identities and {d} devices; {u} unchanged.").format(
                    i=result.identities, d=result.devices, u=result.unchanged
                )
            )
        return 2 if problems else 0
    if action == "add-identity":
        registers.add_identity(operator, registers.IdentityInput(args.tool, args.kind, args.value, args.staff))
        print(
            _("{tool} {kind} {value} is {user}.").format(
                tool=args.tool, kind=args.kind, value=args.value, user=args.staff
            )
        )
        return 0
    registers.add_device(operator, registers.DeviceInput(args.tool, args.remote_id, args.customer, args.workstation))
    print(
        _("{tool} device {id} belongs to {customer}.").format(tool=args.tool, id=args.remote_id, customer=args.customer)
    )
    return 0
