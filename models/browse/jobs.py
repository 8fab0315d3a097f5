"""Steps the console offers as one action, done in one transaction so nothing is half-saved.

A new order and its first session, a colleague and the consent that lets them join, a
disclosure and the consent it rests on: each pair is written together or not at all.
"""

from __future__ import annotations

from dataclasses import replace

from models.core import clock
from models.core.db import write_tx
from models.core.entities import Disclosure, Participant, RemoteSession, Staff
from models.sessions import orders, sessions
from models.sessions.sessions import ConsentInput, SessionInput


def start_job(
    actor: Staff, data: SessionInput, *, customer_number: str | None = None, billing_class: str = "billable"
) -> RemoteSession:
    """Start a session on data.order, or on a new order for `customer_number` when order is empty."""
    started = clock.now()
    with write_tx():
        order_ref = data.order
        if not order_ref:
            order_ref = orders.open_order(
                actor, customer_number or "", billing_class=billing_class, opened_at=started
            ).ref
        consents = [replace(item, at=item.at or started) for item in data.consents]
        return sessions.start_session(
            actor, replace(data, order=order_ref, started_at=data.started_at or started, consents=consents)
        )


def add_colleague(actor: Staff, session_ref: str, username: str, consent: ConsentInput) -> Participant:
    """P6: record the customer's answer and, if it grants, let the colleague join at that moment."""
    now = clock.now()
    with write_tx():
        sessions.record_consent(actor, session_ref, replace(consent, kind="additional_staff", at=consent.at or now))
        return sessions.add_participant(actor, session_ref, username, joined_at=now)


def disclose(
    actor: Staff,
    session_ref: str,
    consent: ConsentInput | None,
    *,
    recipient: str,
    categories: list[str],
    scope: str,
    basis: str,
) -> Disclosure:
    """P11: a disclosure, with the customer's disclosure consent first when the basis is consent."""
    now = clock.now()
    with write_tx():
        if consent is not None:
            sessions.record_consent(actor, session_ref, replace(consent, kind="disclosure", at=consent.at or now))
        return sessions.record_disclosure(
            actor,
            session_ref,
            recipient=recipient,
            categories=categories,
            scope=scope,
            basis=basis,
            customer_informed_at=now,
            at=now,
        )


__all__ = ["add_colleague", "disclose", "start_job"]
