"""`support24 hold place|release|list`: legal holds for billing disputes (P8), privacy officer only."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent
from models.core.i18n import _

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from console.cli.context import Context
    from models.retention import holds


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("hold", parents=[command_parent()], help=_("legal holds (billing disputes)"))
    sub = parser.add_subparsers(dest="hold_command", metavar=_("ACTION"), required=True)
    place = sub.add_parser("place", parents=[command_parent()], help=_("stop the retention clock of an order"))
    place.add_argument("--order", required=True, metavar=_("REF"), help=_("the order's reference"))
    place.add_argument("--reason", required=True, metavar=_("TEXT"), help=_("why, e.g. the dispute"))
    add_json(place)
    place.set_defaults(handler=run_place)
    release = sub.add_parser(
        "release", parents=[command_parent()], help=_("end a hold; past-due data goes in the next purge")
    )
    release.add_argument("hold_id", type=int, metavar=_("HOLD_ID"))
    add_json(release)
    release.set_defaults(handler=run_release)
    listing = sub.add_parser("list", parents=[command_parent()], help=_("active holds, or every hold of one order"))
    listing.add_argument("--order", metavar=_("REF"))
    add_json(listing)
    listing.set_defaults(handler=run_list)


def _show(ctx: Context, view: holds.HoldView) -> None:
    from models.core import clock

    state = _("active") if view.active else _("released {at}").format(at=clock.format_berlin(view.released_at))
    print(
        f"#{view.id}  {view.order_ref}  {clock.format_berlin(view.placed_at)}  {view.placed_by}  {state}  {view.reason}"
    )


def _view(hold_id: int) -> holds.HoldView:
    from models.core.entities import LegalHold
    from models.retention import holds

    hold = LegalHold.get_by_id(hold_id)
    return holds.HoldView(
        hold.id, hold.order.ref, hold.reason, hold.placed_at, hold.placed_by, hold.released_at, hold.released_by
    )


def run_place(ctx: Context, args: argparse.Namespace) -> int:
    from models.retention import holds

    hold = holds.place_hold(ctx.operator(), args.order, args.reason)
    view = _view(hold.id)
    if ctx.json_output:
        ctx.emit_json(view.as_dict())
    else:
        print(
            _("Hold #{id} placed on {order}: nothing of it is purged until released.").format(
                id=hold.id, order=args.order
            )
        )
    return 0


def run_release(ctx: Context, args: argparse.Namespace) -> int:
    from models.retention import holds

    holds.release_hold(ctx.operator(), args.hold_id)
    view = _view(args.hold_id)
    if ctx.json_output:
        ctx.emit_json(view.as_dict())
    else:
        print(
            _("Hold #{id} on {order} released; what is past due goes in the next purge.").format(
                id=view.id, order=view.order_ref
            )
        )
    return 0


def run_list(ctx: Context, args: argparse.Namespace) -> int:
    from models.core.identity import require_role
    from models.retention import holds

    operator = ctx.operator()
    require_role(operator, *holds.HOLD_ROLES)
    views, after = [], None
    while True:  # holds are few; page through them all
        page = holds.holds_of_order(args.order, after=after) if args.order else holds.active_holds(after=after)
        views += page
        if len(page) < 50:
            break
        after = page[-1].id
    if ctx.json_output:
        ctx.emit_json([v.as_dict() for v in views])
        return 0
    if not views:
        print(_("No holds."))
    for view in views:
        _show(ctx, view)
    return 0
