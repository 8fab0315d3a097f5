"""`support24 import FILE.jsonl [--dry-run] [--json]`: the DESIGN.md §9 import.

Exit 0 when the file was stored (or would be, with --dry-run), 2 when any line is bad
(each reported as `line N: field: problem`, nothing stored), 3 when the operator lacks a role.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent
from models.core.i18n import _, ngettext

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        parents=[command_parent()],
        help=_("import a JSON Lines file (validated whole; nothing stored on any error)"),
    )
    parser.add_argument("file", metavar=_("FILE.jsonl"), help=_("the file to import (format: docs/import-format.md)"))
    parser.add_argument("--dry-run", action="store_true", help=_("check everything and report what would be written"))
    add_json(parser)
    parser.set_defaults(handler=run_import_command)


def run_import_command(ctx: Context, args: argparse.Namespace) -> int:
    from console.importing.importer import run_import

    operator = ctx.operator()
    result = run_import(operator, Path(args.file), dry_run=args.dry_run, data_dir=ctx.data_dir)
    for line, field, problem in result.problems:
        print(_("line {line}: {field}: {problem}").format(line=line, field=field, problem=problem), file=sys.stderr)
    if ctx.json_output:
        ctx.emit_json(result.as_dict())
    elif not result.ok:
        print(
            ngettext(
                "support24: {n} problem in {file}; nothing was stored",
                "support24: {n} problems in {file}; nothing was stored",
                len(result.problems),
            ).format(n=len(result.problems), file=args.file),
            file=sys.stderr,
        )
    else:
        _print_summary(result)
    return 0 if result.ok else 2


def _print_summary(result) -> None:
    if result.dry_run:
        print(_("Dry run: {file} is valid; nothing was written. It would write:").format(file=result.path))
    elif result.changed() == 0:
        print(_("{file}: everything in it is stored already; nothing changed.").format(file=result.path))
    else:
        print(_("Imported {file}:").format(file=result.path))
    print("{:<14}{:>9}{:>9}{:>9}{:>9}".format(_("type"), _("created"), _("updated"), _("skipped"), _("purged")))
    for name, count in result.counts.items():
        if any(count.values()):
            print(f"{name:<14}{count['created']:>9}{count['updated']:>9}{count['skipped']:>9}{count['purged']:>9}")
    if any(count["purged"] for count in result.counts.values()):
        print(_("'purged': lines whose data the retention purge deleted; they are not stored again."))
    if result.billing_records:
        print(_("billing records created on completion: {n}").format(n=result.billing_records))
