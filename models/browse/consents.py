"""The consent log: consents and disclosures together, newest first, filterable; keyset-paged.

The two tables are paged each by its own (at, id) cursor and merged, so a page never
needs more than limit+1 rows from each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.browse.paging import ListQuery, Page, SortKey, chosen_sort, clamp, keyset
from models.core.entities import CONSENT_KINDS, Consent, Customer, Disclosure, Order, RemoteSession
from models.core.errors import ValidationError
from models.core.i18n import N_, _
from models.core.text import fold

KINDS = (*CONSENT_KINDS, "disclosure_record")  # the filter's choices; the last one means disclosures


@dataclass(frozen=True)
class ConsentFilter:
    kind: str = ""  # one of KINDS, or empty for all
    customer: str = ""  # number or start of the name
    session: str = ""  # a session ref


@dataclass(frozen=True)
class LogRow:
    key: str  # "C:<ref>" or "D:<ref>"
    source: str  # "consent" or "disclosure"
    ref: str
    at: datetime
    kind: str
    session_ref: str
    customer: str
    who: str  # who agreed, or the recipient
    what: str  # granted/refused and how, or basis, categories and scope
    granted: bool | None = None  # a consent's answer; None for a disclosure


def _conditions(model: Any, flt: ConsentFilter) -> list[Any]:
    conditions: list[Any] = []
    if flt.customer:
        conditions.append((Customer.number == flt.customer.strip()) | Customer.name_key.startswith(fold(flt.customer)))
    if flt.session:
        conditions.append(RemoteSession.ref == flt.session.strip().upper())
    return conditions


def _query(
    model: Any, flt: ConsentFilter, cursor: tuple[datetime, int] | None, limit: int, descending: bool = True
) -> list[Any]:
    query = model.select(model, RemoteSession, Order, Customer).join(RemoteSession).join(Order).join(Customer)
    for condition in _conditions(model, flt):
        query = query.where(condition)
    if model is Consent and flt.kind:
        query = query.where(Consent.kind == flt.kind)
    return list(keyset(query, model.at, model.id, descending, cursor).limit(limit + 1))


def _consent_row(c: Consent) -> LogRow:
    answer = _("granted") if c.granted else _("refused")
    return LogRow(
        f"C:{c.ref}",
        "consent",
        c.ref,
        c.at,
        c.kind,
        c.session.ref,
        c.session.order.customer.name,
        c.given_by,
        f"{answer} ({c.method})" + (f" — {c.note}" if c.note else ""),
        bool(c.granted),
    )


def _disclosure_row(d: Disclosure) -> LogRow:
    categories = ", ".join(json.loads(d.categories))
    return LogRow(
        f"D:{d.ref}",
        "disclosure",
        d.ref,
        d.at,
        "disclosure_record",
        d.session.ref,
        d.session.order.customer.name,
        d.recipient,
        f"{d.basis}: {categories} — {d.scope}",
    )


CONSENT_SORTS = (SortKey("at", N_("time"), descending=True),)


def consent_log(
    flt: ConsentFilter | None = None,
    after: tuple[Any, ...] | None = None,
    limit: int = 100,
    q: ListQuery | None = None,
) -> Page[LogRow]:
    """One page of consents and disclosures, newest first (or oldest first); `after` holds a cursor per table."""
    flt = flt or ConsentFilter()
    if flt.kind and flt.kind not in KINDS:
        raise ValidationError(
            "kind", _("{value!r} is not one of: {allowed}").format(value=flt.kind, allowed=", ".join(KINDS))
        )
    limit = clamp(limit)
    consent_cursor, disclosure_cursor = after if after is not None else (None, None)
    _sort, descending = chosen_sort(CONSENT_SORTS, q)
    consents = [] if flt.kind == "disclosure_record" else _query(Consent, flt, consent_cursor, limit, descending)
    disclosures = (
        []
        if flt.kind and flt.kind != "disclosure_record"
        else _query(Disclosure, flt, disclosure_cursor, limit, descending)
    )
    tagged = [(c.at, 0, c.id, c) for c in consents] + [(d.at, 1, d.id, d) for d in disclosures]
    tagged.sort(key=lambda t: (t[0], t[1], t[2]), reverse=descending)
    taken = tagged[:limit]
    for at, source, ident, _record in taken:
        if source == 0:
            consent_cursor = (at, ident)
        else:
            disclosure_cursor = (at, ident)
    more = len(tagged) > limit
    rows = [_consent_row(r) if source == 0 else _disclosure_row(r) for _at, source, _id, r in taken]
    return Page(rows, (consent_cursor, disclosure_cursor) if more else None)
