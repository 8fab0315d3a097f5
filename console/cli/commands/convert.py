"""`support24 convert TOOL FILE`: a remote-support tool's log as import lines on stdout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.main import command_parent
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "convert",
        parents=[command_parent()],
        help=_("turn a TeamViewer, AnyDesk or RustDesk connection log into import lines (stdout)"),
    )
    parser.add_argument("tool", choices=("teamviewer", "anydesk", "rustdesk"))
    parser.add_argument("file", metavar=_("FILE"))
    parser.add_argument("--order", required=True, metavar=_("REF"), help=_("the order the sessions belong to"))
    parser.add_argument("--technician", required=True, metavar=_("USER"), help=_("who did the work"))
    parser.add_argument(
        "--screen-private",
        required=True,
        choices=("yes", "no"),
        help=_("could only the technician see the screen? (P4)"),
    )
    parser.add_argument("--started-at", metavar=_("TIMESTAMP"), help=_("start time for logs without one (RustDesk)"))
    parser.add_argument("--ended-at", metavar=_("TIMESTAMP"), help=_("end time for logs without one"))
    parser.add_argument("--output", metavar=_("FILE.jsonl"), help=_("write to a file instead of stdout"))
    parser.set_defaults(handler=run_convert)


def run_convert(ctx: Context, args: argparse.Namespace) -> int:
    import json

    from console.importing.convert import Defaults, convert
    from models.core import validation
    from models.core.errors import ValidationError

    try:
        text = Path(args.file).read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise ValidationError(
            "FILE", _("cannot read {path}: {error}").format(path=args.file, error=exc.strerror)
        ) from None
    defaults = Defaults(
        args.order,
        args.technician,
        args.screen_private == "yes",
        validation.timestamp("--started-at", args.started_at, required=False),
        validation.timestamp("--ended-at", args.ended_at, required=False),
    )
    try:
        lines, problems = convert(args.tool, text, defaults)
    except (ValueError, KeyError, AttributeError) as exc:
        raise ValidationError(
            "FILE", _("is not a {tool} log this converter knows ({error})").format(tool=args.tool, error=exc)
        ) from None
    for problem in problems:
        print(problem, file=sys.stderr)
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if args.output:
        Path(args.output).write_text(body, encoding="utf-8")
    else:
        sys.stdout.write(body)
    if not lines:
        print(_("support24: no connections found in {file}").format(file=args.file), file=sys.stderr)
        return 2
    return 2 if problems else 0
