"""`support24 billing export|ack|correct-date|outbox|batches`: the accounting handoff of P9 (role accounting).

Exit codes (DESIGN.md §10): 0 done (an empty outbox is done too), 1 a re-export did not
reproduce the stored checksum, 2 bad input (unknown batch, bad or future date, second
different acknowledgement, a correction once the records were due), 3 the operator lacks
the accounting or admin role.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent, day_option
from models.core.i18n import _, ngettext

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context
    from models.billing import correction
    from models.billing import outbox as billing

PAGE = 500


def _batch_number(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(_("a batch number is a positive whole number, e.g. 12"))
    return int(value)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("billing", parents=[command_parent()], help=_("billing batches for accounting (P9)"))
    sub = parser.add_subparsers(dest="billing_command", metavar=_("ACTION"), required=True)

    export = sub.add_parser(
        "export", parents=[command_parent()], help=_("write the outbox as the next numbered batch (CSV and JSON)")
    )
    export.add_argument("--out", metavar=_("DIR"), required=True, help=_("folder for the batch files"))
    export.add_argument(
        "--reexport",
        metavar=_("BATCH"),
        type=_batch_number,
        help=_("write an earlier batch again, identical to the first time"),
    )
    add_json(export)
    export.set_defaults(handler=run_export)

    ack = sub.add_parser(
        "ack",
        parents=[command_parent()],
        help=_("accounting billed a batch: its orders get the billing date (starts P8's 3 months)"),
    )
    ack.add_argument("batch", metavar=_("BATCH"), type=_batch_number)
    ack.add_argument("--billed-on", metavar=_("YYYY-MM-DD"), type=day_option, required=True, help=_("the billing date"))
    add_json(ack)
    ack.set_defaults(handler=run_ack)

    correct = sub.add_parser(
        "correct-date",
        parents=[command_parent()],
        help=_("correct the billing date of an acknowledged batch; its orders' P8 deletion dates follow"),
    )
    correct.add_argument("batch", metavar=_("BATCH"), type=_batch_number)
    correct.add_argument(
        "--billed-on", metavar=_("YYYY-MM-DD"), type=day_option, required=True, help=_("the corrected billing date")
    )
    correct.add_argument(
        "--dry-run", action="store_true", help=_("show old and new date and the orders; change nothing")
    )
    add_json(correct)
    correct.set_defaults(handler=run_correct_date)

    outbox = sub.add_parser("outbox", parents=[command_parent()], help=_("list the records waiting for the next batch"))
    add_json(outbox)
    outbox.set_defaults(handler=run_outbox)

    batches = sub.add_parser("batches", parents=[command_parent()], help=_("list the batches, newest first"))
    add_json(batches)
    batches.set_defaults(handler=run_batches)


def run_export(ctx: Context, args: argparse.Namespace) -> int:
    from console.cli.progress_hooks import terminal_progress
    from console.jobs.billing_export import export
    from console.jobs.witness import head_document, head_line
    from console.progress_words import RECORDS

    operator = ctx.operator()
    with terminal_progress(ctx, RECORDS) as progress:
        result = export(operator, Path(args.out), reexport=args.reexport, progress=progress)
    for number in result.repaired:
        print(
            _(
                "support24: batch {number} was recorded without its files (an export was interrupted); "
                "they are written now from its stored records"
            ).format(number=number),
            file=sys.stderr,
        )
    if ctx.json_output:
        document = result.as_dict()
        document["audit_head"] = head_document() if result.batch is not None and not result.reexport else None
        ctx.emit_json(document)
    elif result.batch is None:
        print(_("The outbox is empty: no batch was created and nothing was written."))
    else:
        verb = _("Re-exported batch {number}") if result.reexport else _("Exported batch {number}")
        print(
            verb.format(number=result.batch.number)
            + ": "
            + ngettext("{n} record", "{n} records", result.batch.record_count).format(n=result.batch.record_count)
        )
        print(f"  {result.csv_path}\n  {result.json_path}\n  SHA-256 {result.sha256}")
        if not result.reexport and head_line():
            print("  " + str(head_line()))
    if result.batch is not None and not result.identical:
        print(
            _(
                "support24: batch {number} no longer matches its stored checksum {sha}; records were "
                "changed or deleted since the first export"
            ).format(number=result.batch.number, sha=result.batch.sha256),
            file=sys.stderr,
        )
        return 1
    return 0


def run_ack(ctx: Context, args: argparse.Namespace) -> int:
    from console.jobs.witness import head_document, head_line
    from models.billing import outbox as billing
    from models.core import clock

    operator = ctx.operator()
    result = billing.acknowledge(operator, args.batch, args.billed_on)
    due = result.records_due_at
    if ctx.json_output:
        ctx.emit_json(
            {
                "batch": result.batch.number,
                "billed_on": result.batch.billed_on.isoformat() if result.batch.billed_on else None,
                "already_acknowledged": result.already,
                "orders_billed": result.orders_billed,
                "orders_waiting": result.orders_waiting,
                "orders_billed_before": result.orders_billed_before,
                "records_due_on": clock.berlin_date(due).isoformat() if due else None,
                "audit_head": None if result.already else head_document(),
            }
        )
        return 0
    day = clock.format_day(result.batch.billed_on) if result.batch.billed_on else ""
    if result.already:
        print(
            _("Batch {number} was acknowledged with billing date {day} before; nothing changed.").format(
                number=result.batch.number, day=day
            )
        )
        return 0
    print(
        ngettext(
            "Batch {number} acknowledged, billed on {day}: {n} order billed.",
            "Batch {number} acknowledged, billed on {day}: {n} orders billed.",
            result.orders_billed,
        ).format(number=result.batch.number, day=day, n=result.orders_billed)
    )
    if head_line():
        print(str(head_line()))
    if due is not None:
        print(
            _("Connection data, activity, chat and video of these orders are due for deletion on {day} (P8).").format(
                day=clock.format_day(clock.berlin_date(due))
            )
        )
    if result.orders_waiting:
        print(
            ngettext(
                "{n} order still has records in the outbox or an unacknowledged batch; it counts as billed "
                "once those are acknowledged.",
                "{n} orders still have records in the outbox or an unacknowledged batch; they count as billed "
                "once those are acknowledged.",
                result.orders_waiting,
            ).format(n=result.orders_waiting)
        )
    if result.orders_billed_before:
        print(
            ngettext(
                "{n} order was billed before and keeps its billing date.",
                "{n} orders were billed before and keep their billing date.",
                result.orders_billed_before,
            ).format(n=result.orders_billed_before)
        )
    return 0


def run_correct_date(ctx: Context, args: argparse.Namespace) -> int:
    from console.jobs.witness import head_document, head_line
    from models.billing import correction

    operator = ctx.operator()
    if args.dry_run:
        change = correction.check_change_billing_date(operator, args.batch, args.billed_on)
    else:
        change = correction.change_billing_date(operator, args.batch, args.billed_on)
    changed = not args.dry_run and change.new != change.old
    if ctx.json_output:
        ctx.emit_json(
            {
                "batch": change.number,
                "old_billed_on": change.old.isoformat(),
                "billed_on": change.new.isoformat(),
                "orders_changed": change.orders_changed,
                "dry_run": args.dry_run,
                "changed": changed,
                "audit_head": head_document() if changed else None,
            }
        )
        return 0
    _print_change(change, dry_run=args.dry_run)
    if changed and head_line():
        print(str(head_line()))
    return 0


def _print_change(change: correction.DateChange, *, dry_run: bool) -> None:
    from models.core import clock

    old, new = clock.format_day(change.old), clock.format_day(change.new)
    if change.new == change.old:
        print(
            _("Batch {number} has billing date {day} already; nothing changed.").format(number=change.number, day=old)
        )
        return
    if dry_run:
        print(
            _("Batch {number} would change from {old} to {new}; nothing was changed (--dry-run).").format(
                number=change.number, old=old, new=new
            )
        )
    else:
        print(
            _("Batch {number}: billing date changed from {old} to {new}.").format(
                number=change.number, old=old, new=new
            )
        )
    print(
        ngettext(
            "{n} order takes the new date, and the deletion of its records (P8) moves with it.",
            "{n} orders take the new date, and the deletion of their records (P8) moves with it.",
            change.orders_changed,
        ).format(n=change.orders_changed)
    )


def _row_dict(row: billing.BillingRow) -> dict[str, object]:
    return {
        "record": row.ref,
        "order": row.order_ref,
        "session": row.session_ref,
        "session_date": row.session_date.isoformat(),
        "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat(),
        "duration_minutes": row.duration_minutes,
        "customer_number": row.customer_number,
        "customer_name": row.customer_name,
        "workstation_or_employee": row.workstation_or_employee,
        "billing_class": row.billing_class,
    }


def _pages(fetch, key):
    """Every item of a keyset-paged listing, one page in memory at a time."""
    after = None
    while True:
        page = fetch(after)
        yield from page
        if len(page) < PAGE:
            return
        after = key(page[-1])


def _emit_json_list(name: str, items) -> None:
    """One JSON document {name: [...], "count": n}, written as the items come."""
    import json

    count = 0
    items = iter(items)
    first = next(items, None)  # a refusal surfaces before any output, so stdout stays clean
    sys.stdout.write("{\n  " + json.dumps(name) + ": [")
    for item in itertools.chain([first] if first is not None else [], items):
        sys.stdout.write(("," if count else "") + "\n    " + json.dumps(item, ensure_ascii=False))
        count += 1
    sys.stdout.write(("\n  " if count else "") + '],\n  "count": ' + str(count) + "\n}\n")


def run_outbox(ctx: Context, args: argparse.Namespace) -> int:
    from models.billing import outbox as billing
    from models.core import clock
    from models.core.identity import require_role

    operator = ctx.operator()
    require_role(operator, *billing.BILLING_ROLES)  # before the count is printed
    rows = _pages(lambda after: billing.outbox(operator, after=after, limit=PAGE), lambda row: row.id)
    if ctx.json_output:
        _emit_json_list("records", (_row_dict(row) for row in rows))
        return 0
    waiting = billing.outbox_count()
    print(
        ngettext("{n} record waits for the next batch.", "{n} records wait for the next batch.", waiting).format(
            n=waiting
        )
    )
    for row in rows:
        print(
            f"{row.ref}  {row.order_ref}  {clock.format_day(row.session_date)}  "
            f"{row.duration_minutes:>5} min  {row.customer_number}  {row.customer_name}"
        )
    return 0


def _batch_dict(info: billing.BatchInfo) -> dict[str, object]:
    return {
        "batch": info.number,
        "created_at": info.created_at.isoformat(),
        "created_by": info.created_by,
        "record_count": info.record_count,
        "sha256": info.sha256,
        "acknowledged_at": info.acknowledged_at.isoformat() if info.acknowledged_at else None,
        "billed_on": info.billed_on.isoformat() if info.billed_on else None,
    }


def run_batches(ctx: Context, args: argparse.Namespace) -> int:
    from models.billing import outbox as billing
    from models.core import clock

    operator = ctx.operator()
    batches = _pages(lambda after: billing.list_batches(operator, after=after, limit=PAGE), lambda info: info.number)
    if ctx.json_output:
        _emit_json_list("batches", (_batch_dict(info) for info in batches))
        return 0
    shown = 0
    for info in batches:
        if not shown:
            print("{:>6}  {:<16}  {:>7}  {}".format(_("batch"), _("created"), _("records"), _("billed on")))
        billed = clock.format_day(info.billed_on) if info.billed_on else _("not acknowledged")
        print(f"{info.number:>6}  {clock.format_berlin(info.created_at):<16}  {info.record_count:>7}  {billed}")
        shown += 1
    if not shown:
        print(_("No batches yet."))
    return 0
