"""The command palette beyond navigation: jump to any reference typed, and the actions of the screen.

A typed order (A-), session (S-), consent (C-), access request (AR-), customer (K-) or batch
number opens what it names; any other text matches the actions the operator may take on the
screen the palette was opened from (e.g. "hold", "start"). Opening a record goes through the
same screens and audited reads as the keys do.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from textual.command import Hit, Hits, Provider

from models.core.i18n import N_, _

ORDER = re.compile(r"^A-\d{4}-\d{1,6}$", re.IGNORECASE)
SESSION = re.compile(r"^S-\d{4}-\d{1,6}$", re.IGNORECASE)
CONSENT = re.compile(r"^C-\d{4}-\d{1,6}$", re.IGNORECASE)
REQUEST = re.compile(r"^AR-\d{4}-\d{1,6}$", re.IGNORECASE)
CUSTOMER = re.compile(r"^K-\d{1,8}$", re.IGNORECASE)
BATCH = re.compile(r"^(?:batch\s*|#)?(\d{1,9})$", re.IGNORECASE)


class ReferenceProvider(Provider):
    """References and screen actions for the palette."""

    def reference_hits(self, query: str) -> list[tuple[str, str, Any]]:
        """(text, help, callback) for a typed reference."""
        return self.hits_for(self.app, query)

    @staticmethod
    def hits_for(app: Any, query: str) -> list[tuple[str, str, Any]]:
        ref = query.strip().upper()
        if ORDER.match(ref):
            return [
                (_("Open order {ref}").format(ref=ref), _("the order in full (audited)"), partial(open_order, app, ref))
            ]
        if SESSION.match(ref):
            return [
                (
                    _("Open session {ref}").format(ref=ref),
                    _("the session in full (audited)"),
                    partial(open_session, app, ref),
                )
            ]
        if CONSENT.match(ref):
            return [
                (_("Open the session of consent {ref}").format(ref=ref), "", partial(open_consent, app, ref)),
            ]
        if REQUEST.match(ref):
            return [(_("Open access request {ref}").format(ref=ref), "", partial(open_request, app, ref))]
        if CUSTOMER.match(ref):
            return [(_("Orders of customer {ref}").format(ref=ref), "", partial(customer_orders, app, ref))]
        batch = BATCH.match(query.strip())
        if batch:
            number = int(batch.group(1))
            return [(_("Billing batch {n}").format(n=number), "", partial(open_batch, app, number))]
        return []

    def action_hits(self) -> list[tuple[str, str, Any]]:
        """The actions the operator may take now on the screen below the palette."""
        screen = self.screen
        hits: list[tuple[str, str, Any]] = []
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or (binding.id or "").startswith(("mode.", "app.")):
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            text = f"{binding.description} ({self.app.get_key_display(binding)})"
            hits.append((text, _("on this screen"), partial(self.app.call_later, screen.run_action, binding.action)))
        return hits

    async def search(self, query: str) -> Hits:
        for text, help_text, callback in self.reference_hits(query):
            yield Hit(1.0, text, callback, help=help_text)
        matcher = self.matcher(query)
        for text, help_text, callback in self.action_hits():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, text=text, help=help_text)


def opener(app: Any, text: str) -> Any | None:
    """The callback that opens the record a reference names (an audit row's ref, a match), or None."""
    hits = ReferenceProvider.hits_for(app, text)
    return hits[0][2] if hits else None


MISSING = {
    "order": N_("no order {ref}"),
    "session": N_("no session {ref}"),
    "request": N_("no access request {ref}"),
    "customer": N_("no customer {ref}"),
    "batch": N_("no billing batch {ref}"),
}


def when_found(app: Any, kind: str, ref: str, then: Any) -> None:
    """Look the reference up in a thread worker (the UI never waits on the database); open it, or say it is unknown."""

    def look_up() -> None:
        from models.browse.detail import reference_exists
        from models.core.db import worker_connection

        with worker_connection():
            found = reference_exists(kind, ref)
        if found:
            app.call_from_thread(then)
        else:
            app.call_from_thread(app.notify, _(MISSING[kind]).format(ref=ref), severity="warning", markup=False)

    app.run_worker(look_up, thread=True, group="palette")


def open_order(app: Any, ref: str) -> None:
    from screens.orders.order_detail import OrderDetailScreen

    when_found(
        app,
        "order",
        ref,
        lambda: app.run_worker(_open_in(app, "orders", lambda: OrderDetailScreen(app.operator, ref)), group="palette"),
    )


def open_session(app: Any, ref: str, *, checked: bool = False) -> None:
    from screens.orders.details import SessionDetailScreen

    def go() -> None:
        app.run_worker(_open_in(app, "sessions", lambda: SessionDetailScreen(app.operator, ref)), group="palette")

    if checked:
        go()
    else:
        when_found(app, "session", ref, go)


def open_request(app: Any, ref: str) -> None:
    from screens.access.detail import AccessDetailScreen

    when_found(
        app,
        "request",
        ref,
        lambda: app.run_worker(_open_in(app, "access", lambda: AccessDetailScreen(app.operator, ref)), group="palette"),
    )


def open_consent(app: Any, ref: str) -> None:
    """Look the consent's session up in a thread (the UI never waits on the database), then open it."""

    def look_up() -> None:
        from models.browse.detail import session_ref_of_consent
        from models.core.db import worker_connection

        with worker_connection():
            session_ref = session_ref_of_consent(ref)
        if session_ref is None:
            app.call_from_thread(app.notify, _("no consent {ref}").format(ref=ref), severity="warning", markup=False)
        else:
            app.call_from_thread(partial(open_session, app, session_ref, checked=True))

    app.run_worker(look_up, thread=True, group="palette")


async def _open_in(app: Any, mode: str, build: Any) -> None:
    await app.switch_mode(mode)
    await app.push_screen(build())


def customer_orders(app: Any, number: str) -> None:
    when_found(app, "customer", number, lambda: app.run_worker(_customer_orders(app, number), group="palette"))


def _customer_orders(app: Any, number: str) -> Any:
    async def go() -> None:
        await app.switch_mode("orders")
        while len(app.screen_stack) > 1:  # a detail opened earlier in this mode
            await app.pop_screen()
        screen = app.screen
        for widget_id, value in (("#q-customer", number), ("#q-ref", ""), ("#q-day", ""), ("#q-technician", "")):
            screen.query_one(widget_id).value = value
        screen.apply_filter()

    return go()


def open_batch(app: Any, number: int) -> None:
    when_found(app, "batch", str(number), lambda: app.run_worker(_open_batch(app, number), group="palette"))


def _open_batch(app: Any, number: int) -> Any:
    async def go() -> None:
        await app.switch_mode("accounting")
        while len(app.screen_stack) > 1:
            await app.pop_screen()
        screen = app.screen
        if screen.view != "batches":
            screen.action_next_view()
        from screens.kit.base import PagedTable

        screen.query_one("#acc-batches", PagedTable).select_when_loaded(str(number))
        screen.refresh_data()

    return go()
