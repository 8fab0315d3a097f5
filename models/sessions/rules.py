"""The session rules P3, P4, P6 and P11 as functions of plain facts.

The session functions call them with stored rows; the import plan calls them with its view of
the file merged with the database. One wording and one decision for both, so a dry run refuses
exactly what the write would refuse. Each check returns the problem as text, or None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from models.core import clock
from models.core.i18n import _


class StaffFacts(Protocol):
    """What P3 looks at on a staff member: a stored `Staff` row or the import's view of one."""

    @property
    def username(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def active(self) -> bool: ...

    @property
    def commitment_signed_on(self) -> date | None: ...

    @property
    def secrecy_commitment_on(self) -> date | None: ...

    @property
    def role_set(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class ConsentFact:
    """One consent answer on a session. `sequence` orders answers given at the same moment
    (later records win); `row` is the stored record it came from, if any."""

    at: datetime
    sequence: tuple[int, int]
    kind: str
    granted: bool
    row: Any = None


def commitment_problem(staff: StaffFacts, at: datetime, *, secrecy_customer: str | None = None) -> str | None:
    """P3: only active technicians with a written confidentiality commitment signed by the day of `at`.

    `secrecy_customer` is the number of a customer bound by professional secrecy (§ 203 StGB):
    then the extra commitment to that secrecy must be signed by that day too.
    """
    day = clock.berlin_date(at)
    who = {"name": staff.name, "user": staff.username}
    if not staff.active:
        return _("{name} ({user}) is not active and may not do remote maintenance").format(**who)
    signed = staff.commitment_signed_on
    if signed is None:
        return _("{name} ({user}) has no written confidentiality commitment on file (P3)").format(**who)
    if signed > day:
        return _("{name} ({user}) signed the confidentiality commitment only on {day} (P3)").format(
            day=signed.isoformat(), **who
        )
    if "technician" not in staff.role_set:
        return _("{name} ({user}) is not a technician").format(**who)
    if secrecy_customer is not None:
        secrecy = staff.secrecy_commitment_on
        if secrecy is None or secrecy > day:
            return _(
                "{name} ({user}) has no commitment to professional secrecy (§ 203 StGB) on file, which customer "
                "{number} requires (P3)"
            ).format(number=secrecy_customer, **who)
    return None


def within_session_problem(started_at: datetime, ended_at: datetime | None, at: datetime, ref: str) -> str | None:
    """What happens in a session (activity, chat, a colleague joining) happens while it runs."""
    if at < started_at:
        return _("lies before session {ref} started").format(ref=ref)
    if ended_at is not None and at > ended_at:
        return _("lies after session {ref} ended").format(ref=ref)
    return None


def deciding_consent(consents: Iterable[ConsentFact], kind: str, at: datetime) -> ConsentFact | None:
    """The latest answer of `kind` at or before `at`: a correction is a later record, so it decides."""
    matching = [c for c in consents if c.kind == kind and c.at <= at]
    return max(matching, key=lambda c: (c.at, c.sequence)) if matching else None


def granted_consent(consents: Iterable[ConsentFact], kind: str, at: datetime) -> ConsentFact | None:
    """The deciding consent of `kind` at `at`, if it grants; None if there is none or it refuses."""
    deciding = deciding_consent(consents, kind, at)
    return deciding if deciding is not None and deciding.granted else None


def screen_visibility_problem(
    screen_private: bool, consents: Iterable[ConsentFact], started_at: datetime
) -> str | None:
    """P4: if others can see the technician's screen, the customer agreed at or before the start."""
    if screen_private or granted_consent(consents, "screen_visibility", started_at) is not None:
        return None
    return _(
        "others can see the technician's screen: a granted screen_visibility consent at or before the start is "
        "needed first (P4)"
    )


def additional_staff_problem(username: str, consents: Iterable[ConsentFact], joined_at: datetime) -> str | None:
    """P6: a second technician joins only after the customer agreed."""
    if granted_consent(consents, "additional_staff", joined_at) is not None:
        return None
    return _("{user} cannot join yet: the customer's additional_staff consent must be recorded first (P6)").format(
        user=username
    )


def disclosure_problem(basis: str, consents: Iterable[ConsentFact], at: datetime) -> str | None:
    """P11: a disclosure on the basis of consent needs a granted disclosure consent at or before it."""
    if basis != "consent" or granted_consent(consents, "disclosure", at) is not None:
        return None
    return _("a disclosure on the basis of consent needs a granted disclosure consent at or before {at} (P11)").format(
        at=at.isoformat()
    )
