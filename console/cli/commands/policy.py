"""`support24 policy show [--json] [--policy FILE]`: the retention policy in force, rule by rule."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context


def add_policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        metavar=_("FILE"),
        help=_("retention policy TOML (default: policy.toml in the config folder, else the built-in one)"),
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("policy", parents=[command_parent()], help=_("the retention policy"))
    sub = parser.add_subparsers(dest="policy_command", metavar=_("ACTION"), required=True)
    show = sub.add_parser(
        "show", parents=[command_parent()], help=_("show the policy in force and where it comes from")
    )
    add_policy_option(show)
    add_json(show)
    show.set_defaults(handler=run_show)
    default = sub.add_parser(
        "default", parents=[command_parent()], help=_("print the built-in policy file, to copy and edit")
    )
    default.set_defaults(handler=run_default)


def run_show(ctx: Context, args: argparse.Namespace) -> int:
    from console.settings import policy_file

    loaded = policy_file.activate(ctx, args.policy)  # validate before anything else
    ctx.operator()
    document = policy_file.describe(loaded)
    if ctx.json_output:
        ctx.emit_json(document)
        return 0
    print(_("Policy {version} from {source}").format(version=document["version"], source=document["source"]))
    print(
        _(
            "chat and video follow {reading}; unbilled orders are flagged after {days} days; "
            "backups are rotated after {rotation} days"
        ).format(
            reading=document["chat_video_reading"],
            days=document["unbilled_warning_days"],
            rotation=document["backup_rotation_days"],
        )
    )
    width = max(len(r["category"]) for r in document["rules"])
    for rule in document["rules"]:
        print(f"  {rule['category']:<{width}}  {rule['clause']:<15} {rule['text']}")
    return 0


def run_default(ctx: Context, args: argparse.Namespace) -> int:
    from console.settings import policy_file

    print(policy_file.default_text(), end="")
    return 0
