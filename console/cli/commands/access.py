"""`support24 access-request ...`: a data subject's request (GDPR Art. 15, P12) from receipt to delivery.

open → verify → compile (→ exclude false matches, one or a whole kind, and include them again)
→ export → deliver, or reject; extend once
within the first month; list shows the queue by nearest deadline. Role privacy_officer.
Exit codes: 0 done, 2 bad input or a step out of order (the message says why), 3 refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.main import add_json, command_parent, day_option
from models.core.i18n import _, ngettext

if TYPE_CHECKING:  # `support24 --help` must not pay for the database layer (issue 7)
    from datetime import date

    from console.cli.context import Context

# Channels and states are the model's to check (models.access.requests): building the parser
# imports no models, and a wrong value is refused as `--channel: must be one of …`, exit 2.
FORMATS = ("json", "html", "md")
LANGS = ("de", "en")
PAGE = 200


def day_text(value: date | None) -> str:
    """A day as the language writes it; imported late, as the parser must stay cheap."""
    from models.core import clock

    return clock.format_day(value)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "access-request", parents=[command_parent()], help=_("access requests of data subjects (GDPR Art. 15)")
    )
    sub = parser.add_subparsers(dest="access_command", metavar=_("ACTION"), required=True)

    def action(name: str, help_text: str, handler, *, ref: bool = True, json: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[command_parent()], help=help_text)
        if ref:
            p.add_argument("ref", metavar=_("REF"), help=_("the request, e.g. AR-2026-0001"))
        if json:
            add_json(p)
        p.set_defaults(handler=handler)
        return p

    p = action("open", _("register a written request; prints its ref and due date"), run_open, ref=False)
    p.add_argument("--name", required=True, help=_("the requester's name as written"))
    p.add_argument("--email", help=_("the requester's e-mail address"))
    p.add_argument("--customer", metavar=_("NUMBER"), help=_("the customer number the requester belongs to"))
    p.add_argument("--address", help=_("postal address for the answer"))
    p.add_argument(
        "--received", required=True, metavar=_("YYYY-MM-DD"), type=day_option, help=_("date the request arrived")
    )
    p.add_argument("--channel", required=True, help=_("how the request came in, e.g. letter or email"))
    p.add_argument(
        "--workstation", action="append", default=[], help=_("a workstation name the requester gave (repeatable)")
    )
    p.add_argument("--ip", action="append", default=[], help=_("an IP address the requester gave (repeatable)"))

    p = action("verify", _("record how the requester's identity was verified"), run_verify)
    p.add_argument("--method", required=True, help=_("how, e.g. 'ID card shown in person'"))

    action("compile", _("find every record naming the subject and show why it matched"), run_compile)

    p = action("exclude", _("exclude a false match (or --all of a kind) from the report, with a reason"), run_exclude)
    _match_arguments(p)
    p.add_argument("--reason", required=True)

    p = action("include", _("take an excluded match (or --all of a kind) into the report again"), run_include)
    _match_arguments(p)

    p = action("export", _("write the report (0600); deliver takes its SHA-256"), run_export)
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--lang", default="de", choices=LANGS, help=_("report language (default de)"))
    p.add_argument("--out", required=True, metavar=_("FILE"))

    p = action("extend", _("extend by two months (once, within the first month)"), run_extend)
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--notified", required=True, metavar=_("YYYY-MM-DD"), type=day_option, help=_("date the requester was told")
    )

    p = action("deliver", _("record delivery; keeps the SHA-256 of the last exported report"), run_deliver)
    p.add_argument("--on", required=True, metavar=_("YYYY-MM-DD"), type=day_option)
    p.add_argument("--sha256", help=_("hash of what was sent, if not the last export"))

    p = action("reject", _("reject the request with a reason"), run_reject)
    p.add_argument("--reason", required=True)

    p = action("restrict", _("restrict (not erase) the subject's billing records, BDSG § 35(3)"), run_restrict)
    p.add_argument("--reason", required=True)

    p = action("list", _("the requests by nearest deadline, with days left; overdue flagged"), run_list, ref=False)
    p.add_argument("--state", help=_("only requests in this state (or open/closed)"))


def _match_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", metavar=_("KIND"), help=_("record kind as compile shows it (customer, session, ...)"))
    p.add_argument("record_id", metavar=_("ID"), type=int, nargs="?", help=_("record id as compile shows it"))
    p.add_argument("--all", action="store_true", help=_("every match of KIND instead of one ID"))


def _one_or_all(args: argparse.Namespace) -> None:
    """Exactly one of ID and --all: a forgotten ID must not turn into thousands of exclusions."""
    from models.core.errors import ValidationError

    if args.record_id is None and not args.all:
        raise ValidationError("record_id", _("is missing: give the record id as compile shows it, or --all"))
    if args.record_id is not None and args.all:
        raise ValidationError("record_id", _("and --all exclude each other; give one of them"))


def _request_doc(request) -> dict[str, object]:
    from models.access import requests as access

    due = access.effective_due(request)
    return {"ref": request.ref, "state": request.state, "due_on": due.isoformat()}


def run_open(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import requests as access

    operator = ctx.operator()
    identifiers = {"workstations": args.workstation, "ips": args.ip} if (args.workstation or args.ip) else None
    request = access.open_request(
        operator,
        name=args.name,
        received_on=args.received,
        channel=args.channel,
        email=args.email,
        customer_number=args.customer,
        address=args.address,
        identifiers=identifiers,
    )
    if ctx.json_output:
        ctx.emit_json({"ref": request.ref, "due_on": request.due_on.isoformat()})
    else:
        print(_("{ref} opened; answer due by {day}").format(ref=request.ref, day=day_text(request.due_on)))
    return 0


def run_verify(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import requests as access

    request = access.verify_identity(ctx.operator(), args.ref, args.method)
    _done(ctx, request, _("{ref}: identity verified"))
    return 0


def run_compile(ctx: Context, args: argparse.Namespace) -> int:
    from console.cli.progress_hooks import terminal_progress
    from console.progress_words import STEPS
    from models.access import requests as access

    with terminal_progress(ctx, STEPS) as progress:
        compilation = access.compile_request(ctx.operator(), args.ref, progress=progress)
    if ctx.json_output:
        ctx.emit_json(compilation.as_dict())
        return 0
    included = compilation.included()
    print(
        ngettext(
            "{ref}: {n} matching record, {x} excluded", "{ref}: {n} matching records, {x} excluded", len(included)
        ).format(ref=args.ref, n=len(included), x=len(compilation.excluded()))
    )
    print("{:<15}{:>8}  {:<14}{:<40}".format(_("kind"), _("id"), _("ref"), _("why")))
    for match in compilation.matches:
        reasons = "; ".join(f"{r.code}={r.value}" for r in match.reasons)
        print(f"{match.kind:<15}{match.id:>8}  {match.ref:<14}{reasons}")
        if match.excluded:
            print(" " * 25 + _("EXCLUDED: {reason}").format(reason=match.exclusion_reason))
    return 0


def run_exclude(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import bulk_exclusion
    from models.access import requests as access

    _one_or_all(args)
    if args.all:
        count = bulk_exclusion.exclude_kind(ctx.operator(), args.ref, args.kind, args.reason)
    else:
        access.exclude_match(ctx.operator(), args.ref, args.kind, args.record_id, args.reason)
        count = 1
    _changed(ctx, args, count, excluded=True)
    return 0


def run_include(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import bulk_exclusion
    from models.access import requests as access

    _one_or_all(args)
    if args.all:
        count = bulk_exclusion.include_kind(ctx.operator(), args.ref, args.kind)
    else:
        access.include_match(ctx.operator(), args.ref, args.kind, args.record_id)
        count = 1
    _changed(ctx, args, count, excluded=False)
    return 0


def _changed(ctx: Context, args: argparse.Namespace, count: int, *, excluded: bool) -> None:
    """What an exclusion or inclusion did, as text or one JSON document."""
    from models.access import requests as access

    request = access.get_request(args.ref)
    if ctx.json_output:
        ctx.emit_json(
            {
                **_request_doc(request),
                "kind": args.kind,
                "id": args.record_id,
                "excluded" if excluded else "included": count,
            }
        )
        return
    if args.all:
        text = (
            ngettext(
                "{ref}: {n} {kind} match excluded; export again before delivery",
                "{ref}: {n} {kind} matches excluded; export again before delivery",
                count,
            )
            if excluded
            else ngettext(
                "{ref}: {n} {kind} match included again; export again before delivery",
                "{ref}: {n} {kind} matches included again; export again before delivery",
                count,
            )
        )
        print(text.format(ref=request.ref, n=count, kind=args.kind))
    elif excluded:
        print(
            _("{ref}: {kind} {id} excluded; export again before delivery").format(
                ref=request.ref, kind=args.kind, id=args.record_id
            )
        )
    else:
        print(
            _("{ref}: {kind} {id} included again; export again before delivery").format(
                ref=request.ref, kind=args.kind, id=args.record_id
            )
        )


def _with_policy(ctx: Context) -> None:
    """Deletion dates in the report and of closed requests follow the configured policy file."""
    from console.settings import policy_file

    policy_file.activate(ctx, None)


def run_export(ctx: Context, args: argparse.Namespace) -> int:
    from console.cli.progress_hooks import terminal_progress
    from console.jobs.witness import head_document, head_line
    from console.progress_words import RECORDS
    from console.reports.access_report import export_report

    _with_policy(ctx)
    with terminal_progress(ctx, RECORDS) as progress:
        result = export_report(
            ctx.operator(),
            args.ref,
            fmt=args.format,
            out=Path(args.out).expanduser(),
            controller=ctx.settings.controller,
            lang=args.lang,
            progress=progress,
        )
    if ctx.json_output:
        document = result.as_dict()
        document["audit_head"] = head_document()
        ctx.emit_json(document)
    else:
        print(
            _("{ref}: report written to {path} ({size} bytes, SHA-256 {sha})").format(
                ref=result.ref, path=result.path, size=result.size, sha=result.sha256
            )
        )
        if head_line():
            print(str(head_line()))
    return 0


def run_extend(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import requests as access

    request = access.extend(ctx.operator(), args.ref, args.reason, args.notified)
    _done(ctx, request, _("{ref}: extended; now due by {due}"))
    return 0


def run_deliver(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import requests as access

    _with_policy(ctx)
    request = access.deliver(ctx.operator(), args.ref, args.on, args.sha256)
    if ctx.json_output:
        ctx.emit_json(
            {
                **_request_doc(request),
                "delivered_on": request.delivered_on.isoformat(),
                "sha256": request.delivered_sha256,
            }
        )
    else:
        print(
            _("{ref}: delivered on {day}; SHA-256 {sha} kept").format(
                ref=request.ref, day=day_text(request.delivered_on), sha=request.delivered_sha256
            )
        )
    return 0


def run_reject(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import requests as access

    _with_policy(ctx)
    _done(ctx, access.reject(ctx.operator(), args.ref, args.reason), _("{ref}: rejected"))
    return 0


def run_restrict(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import requests as access

    count = access.restrict_billing(ctx.operator(), args.ref, args.reason)
    if ctx.json_output:
        ctx.emit_json({"ref": args.ref, "restricted": count})
    else:
        print(
            ngettext("{ref}: {n} billing record restricted", "{ref}: {n} billing records restricted", count).format(
                ref=args.ref, n=count
            )
        )
    return 0


def run_list(ctx: Context, args: argparse.Namespace) -> int:
    from models.access import requests as access
    from models.core import audit

    operator = ctx.operator()
    access.require_officer(operator)  # the queue shows requesters' names
    rows: list[access.RequestRow] = []
    after = None
    while True:  # keyset pages, so a long history never sits in memory at once in text mode
        page = access.list_requests(state=args.state, after=after, limit=PAGE)
        if ctx.json_output:
            rows.extend(page)
        else:
            _print_rows(page, header=after is None)
        if len(page) < PAGE:
            break
        after = page[-1]
    if ctx.json_output:
        ctx.emit_json({"requests": [r.as_dict() for r in rows]})
    audit.record(operator.username, "access.list", None, f"state={args.state or 'all'}")
    return 0


def _print_rows(rows, *, header: bool) -> None:
    from models.core.labels import term

    if header:
        if not rows:
            print(_("No access requests."))
            return
        print(
            "{:<14}{:<11}{:<12}{:<12}{:>10}  {}".format(
                _("ref"), _("state"), _("received on"), _("due"), _("days left"), _("name")
            )
        )
    for r in rows:
        flag = _("OVERDUE") if r.overdue else ("+" if r.extended else "")
        print(
            f"{r.ref:<14}{term(r.state):<11}{day_text(r.received_on):<12}{day_text(r.due_on):<12}{r.days_left:>10}  "
            f"{r.name} {flag}".rstrip()
        )


def _done(ctx: Context, request, message: str) -> None:
    from models.access import requests as access

    if ctx.json_output:
        ctx.emit_json(_request_doc(request))
    else:
        print(message.format(ref=request.ref, due=day_text(access.effective_due(request))))
