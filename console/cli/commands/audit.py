"""`support24 audit verify`: prove the audit trail is complete and unaltered."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent
from models.core.i18n import _, ngettext

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", parents=[command_parent()], help=_("the audit trail"))
    sub = parser.add_subparsers(dest="audit_command", metavar=_("ACTION"), required=True)
    verify = sub.add_parser("verify", parents=[command_parent()], help=_("check the hash chain; exit 1 if broken"))
    add_json(verify)
    verify.set_defaults(handler=run_verify)


def run_verify(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import audit
    from models.core.identity import require_role

    operator = ctx.operator()
    require_role(operator, "privacy_officer", "admin")
    result = audit.verify()
    if ctx.json_output:
        ctx.emit_json(result.as_dict())
    elif result.ok:
        print(
            ngettext(
                "Audit chain intact: {n} event checked.", "Audit chain intact: {n} events checked.", result.checked
            ).format(n=result.checked)
        )
    else:
        print(_("Audit chain BROKEN at event {id}: {problem}").format(id=result.first_bad_id, problem=result.problem))
    audit.record(operator.username, "audit.verify", None, "ok" if result.ok else f"broken at {result.first_bad_id}")
    return 0 if result.ok else 1
