"""`support24 audit verify` and `support24 audit witness`: prove the audit trail is complete and unaltered.

`verify` walks the hash chain and checks it against every head witnessed outside the
database (console/jobs/witness.py): a truncated chain, a reset head or a chain rewritten and
recomputed no longer matches a witness and fails with exit 1, naming the event.
`witness` hands the current head to the witnesses (for a daily timer besides the purge's).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from console.cli.main import add_json, command_parent
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", parents=[command_parent()], help=_("the audit trail"))
    sub = parser.add_subparsers(dest="audit_command", metavar=_("ACTION"), required=True)
    verify = sub.add_parser(
        "verify", parents=[command_parent()], help=_("check the hash chain and its witnessed heads; exit 1 if broken")
    )
    add_json(verify)
    verify.set_defaults(handler=run_verify)
    witness = sub.add_parser(
        "witness", parents=[command_parent()], help=_("write the chain's head to the witness file and system log")
    )
    add_json(witness)
    witness.set_defaults(handler=run_witness)


def run_verify(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import audit
    from models.core.identity import require_role

    operator = ctx.operator()
    require_role(operator, "privacy_officer", "admin")
    sink = ctx.witness()
    witnessed = sink.read()
    result = _verify_with_progress(ctx, witnessed)
    if ctx.json_output:
        document = result.as_dict()
        document["witness_file"] = str(sink.path)
        document["witnesses"] = len(witnessed)
        ctx.emit_json(document)
    elif result.ok:
        print(
            _("Audit chain intact: {n} events checked, {w} witnessed head(s) match ({path}).").format(
                n=result.checked, w=result.witnesses_checked, path=sink.path
            )
        )
    else:
        print(_("Audit chain BROKEN at event {id}: {problem}").format(id=result.first_bad_id, problem=result.problem))
    audit.record(operator.username, "audit.verify", None, "ok" if result.ok else f"broken at {result.first_bad_id}")
    if result.ok:
        audit.witness("audit verify")
    return 0 if result.ok else 1


def _verify_with_progress(ctx: Context, witnessed: list[Any]) -> Any:
    """`audit.verify`, with a progress line (counts and the time left) on a terminal's stderr only."""
    from models.core import audit

    if not ctx.progress_enabled():
        return audit.verify(witnessed)
    from console.cli.progress_line import ProgressLine
    from models.core.progress import Tracker, describe

    line = ProgressLine(sys.stderr)
    tracker = Tracker(None)

    def progress(done: int, total: int) -> None:
        tracker.total = total
        tracker.set_done(done)
        line.update(describe(tracker))

    try:
        return audit.verify(witnessed, progress=progress)
    finally:
        line.finish()


def run_witness(ctx: Context, args: argparse.Namespace) -> int:
    from models.core import audit
    from models.core.identity import require_role

    operator = ctx.operator()
    require_role(operator, "privacy_officer", "admin")
    event_id, event_hash = audit.witness("audit witness")
    if ctx.json_output:
        ctx.emit_json({"event_id": event_id, "hash": event_hash, "witness_file": str(ctx.witness().path)})
    else:
        print(_("Audit head witnessed: event {id}, SHA-256 {hash}").format(id=event_id, hash=event_hash))
    return 0
