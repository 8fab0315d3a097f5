"""Read-side for the access-request screens: the paged queue and one request in full (audited)."""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from models.access.matching import MATCH_KINDS, Match
from models.access.queries import REQUEST_SORTS, RequestRow, request_key
from models.access.requests import OPEN_STATES, ROLE, Compilation, effective_due, get_request, list_requests
from models.browse.paging import ListQuery, Page, SortKey, chosen_sort, clamp, page_of
from models.core import audit
from models.core.clock import today_berlin
from models.core.entities import AccessRequestExclusion, Staff
from models.core.i18n import N_
from models.core.identity import require_role
from models.core.labels import term

KIND_ORDER = {kind: n for n, kind in enumerate(MATCH_KINDS)}  # the order the report lists them in


def requests_page(
    state: str | None, after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None, by_name: bool = False
) -> Page[RequestRow]:
    """A page of requests by the deadline in force (state None = all, "open", "closed" or one state).

    `q.text` (the `/` filter) matches the start of the ref, and with `by_name` (only for those who may
    see names) the start of the requester's name.
    """
    limit = min(clamp(limit), 499)  # +1 below stays within the domain limit of 500
    sort, descending = chosen_sort(REQUEST_SORTS, q)
    rows = list_requests(
        state=state,
        after=after,
        limit=limit + 1,
        text=q.text if q is not None else "",
        by_name=by_name,
        sort=sort.name,
        descending=descending,
    )
    return page_of(rows, limit, request_key(sort.name))


@dataclass(frozen=True)
class RequestDetail:
    """One request as the detail screen shows it."""

    ref: str
    name: str
    email: str | None
    customer_number: str | None
    address: str | None
    identifiers: dict[str, list[str]]
    received_on: date
    channel: str
    due_on: date
    extended_due_on: date | None
    extension_reason: str | None
    days_left: int
    state: str
    verified_at: datetime | None
    verification_method: str | None
    verified_by: str | None
    compiled_at: datetime | None
    exported_at: datetime | None
    exported_sha256: str | None
    delivered_on: date | None
    rejected_reason: str | None
    exclusions: int

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def request_detail(actor: Staff, ref: str, *, record: bool = True) -> RequestDetail:
    """The request with the requester's details; opening it is a read of personal data, so it is audited.

    `record=False` is for the reload after a workflow step, which was audited itself.
    """
    require_role(actor, ROLE)
    r = get_request(ref)
    if record:
        audit.record(actor.username, "access.view", ref)
    due = effective_due(r)
    return RequestDetail(
        ref=r.ref,
        name=r.name,
        email=r.email,
        customer_number=r.customer.number if r.customer_id else None,
        address=r.address,
        identifiers=json.loads(r.identifiers) if r.identifiers else {},
        received_on=r.received_on,
        channel=r.channel,
        due_on=r.due_on,
        extended_due_on=r.extended_due_on,
        extension_reason=r.extension_reason,
        days_left=(due - today_berlin()).days,
        state=r.state,
        verified_at=r.verified_at,
        verification_method=r.verification_method,
        verified_by=r.verified_by,
        compiled_at=r.compiled_at,
        exported_at=r.exported_at,
        exported_sha256=r.exported_sha256,
        delivered_on=r.delivered_on,
        rejected_reason=r.rejected_reason,
        exclusions=AccessRequestExclusion.select().where(AccessRequestExclusion.request == r.id).count(),
    )


# -- the compiled matches of one request, a page at a time ------------------------------------
MATCH_SORTS = (SortKey("kind", N_("kind")), SortKey("ref", N_("ref")))


def match_key(sort: str) -> Callable[[Match], tuple[Any, ...]]:
    """The total order of a sort: kind order or ref first, the match id last."""
    if sort == "ref":
        return lambda m: (m.ref, KIND_ORDER[m.kind], m.id)
    return lambda m: (KIND_ORDER[m.kind], m.ref, m.id)


def match_shown(match: Match, text: str) -> bool:
    """The `/` filter: the text anywhere in the kind (id or words), ref, record or reasons."""
    wanted = text.casefold()
    if not wanted:
        return True
    why = " ".join(f"{r.code}={r.value}" for r in match.reasons)
    return any(wanted in str(part).casefold() for part in (match.kind, term(match.kind), match.ref, match.label, why))


@dataclass
class _Ordered:
    compilation: Compilation
    sort: str
    text: str
    matches: list[Match]  # ascending by match_key(sort)


_last: list[_Ordered] = []  # the one list a screen pages through now: sorted once, not once per page


def _ordered(compilation: Compilation, sort: str, text: str) -> _Ordered:
    """The matches in `sort` order; the compile's own order (kind, ref, id) is taken as it is, so the
    first page of an unfiltered compilation costs the same on a million matches as on ten."""
    for done in _last:
        if done.compilation is compilation and done.sort == sort and done.text == text:
            return done
    matches = compilation.matches  # find_matches returns them in match_key("kind") order
    if text:
        matches = [m for m in matches if match_shown(m, text)]
    if sort != "kind":
        matches = sorted(matches, key=match_key(sort))
    done = _Ordered(compilation, sort, text, matches)
    _last[:] = [done]
    return done


def matches_page(
    compilation: Compilation, after: tuple[Any, ...] | None, limit: int, q: ListQuery | None = None
) -> Page[Match]:
    """One page of a compilation's matches as `q` filters and sorts them, after the key `after`.

    The compile holds every match in memory already (it is the report); the screen shows a
    page, so a subject with a hundred thousand matches opens as fast as one with ten.
    """
    limit = clamp(limit)
    sort, descending = chosen_sort(MATCH_SORTS, q)
    key = match_key(sort.name)
    matches = _ordered(compilation, sort.name, (q.text if q is not None else "").strip()).matches
    if not descending:
        start = bisect_right(matches, after, key=key) if after is not None else 0
        rows = matches[start : start + limit + 1]
    else:
        end = bisect_left(matches, after, key=key) if after is not None else len(matches)
        rows = matches[max(0, end - limit - 1) : end][::-1]
    return page_of(rows, limit, key)
