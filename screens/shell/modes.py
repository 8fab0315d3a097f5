"""The registry of main screens (modes): one entry per screen, its key and its palette text.

To add or replace a mode, edit MODE_SPECS: the app builds its MODES, key bindings, mode
bar and command-palette entries from this list, in this order. `screen` is
"module:Class" under screens/ and is imported when the mode is first shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from textual.screen import Screen

from models.core.i18n import _, pgettext


@dataclass(frozen=True)
class ModeSpec:
    name: str  # the Textual mode name and binding id ("mode.<name>")
    key: str  # one key, shown in the footer and the mode bar
    title: str  # short title for the mode bar (fits 80 columns with the others)
    help: str  # one sentence for the command palette and the help screen
    screen: str  # "module:Class" relative to the screens package
    coming: bool = False  # a placeholder until the domain code lands
    short: str = ""  # one short word for the mode bar at 80 columns; empty: the title

    def factory(self) -> Callable[[], Screen]:
        """A callable Textual calls to build the mode's screen on first use."""

        def build() -> Screen:
            module_name, class_name = self.screen.split(":")
            module = importlib.import_module(f"screens.{module_name}")
            screen_class = getattr(module, class_name)
            return screen_class(self) if self.coming else screen_class()

        return build


MODE_SPECS: list[ModeSpec] = [
    ModeSpec(
        "dashboard",
        "1",
        _("Dash"),
        _("Dashboard: what needs attention now"),
        "dashboard.screen:DashboardScreen",
        short=pgettext("mode bar", "Now"),
    ),
    ModeSpec(
        "sessions",
        "2",
        _("Sessions"),
        _("Active sessions: start, log, end"),
        "sessions.screen:ActiveSessionsScreen",
        short=pgettext("mode bar", "Live"),
    ),
    ModeSpec(
        "orders",
        "3",
        _("Orders"),
        _("Orders and sessions: history, detail, completion, holds"),
        "orders.screen:OrdersScreen",
        short=pgettext("mode bar", "Orders"),
    ),
    ModeSpec(
        "consents",
        "4",
        _("Consent"),
        _("Consent log: consents and disclosures"),
        "consents.screen:ConsentLogScreen",
        short=pgettext("mode bar", "Consent"),
    ),
    ModeSpec(
        "retention",
        "5",
        _("Retention"),
        _("Retention queue and purge runs"),
        "retention.screen:RetentionScreen",
        short=pgettext("mode bar", "Purge"),
    ),
    ModeSpec(
        "access",
        "6",
        _("Access"),
        _("Access requests (GDPR Art. 15)"),
        "access.screen:AccessRequestsScreen",
        short=pgettext("mode bar", "Access"),
    ),
    ModeSpec(
        "accounting",
        "7",
        _("Billing"),
        _("Accounting: billing outbox and batches"),
        "accounting.screen:AccountingScreen",
        short=pgettext("mode bar", "Bill"),
    ),
    ModeSpec(
        "people",
        "8",
        _("Staff"),
        _("Staff and customers"),
        "people.screen:PeopleScreen",
        short=pgettext("mode bar", "Staff"),
    ),
    ModeSpec(
        "audit",
        "9",
        _("Audit"),
        _("Audit trail and chain verification"),
        "audit.screen:AuditScreen",
        short=pgettext("mode bar", "Audit"),
    ),
    ModeSpec("help", "0", _("Help"), _("Keys and about"), "help.screen:HelpScreen", short=pgettext("mode bar", "Help")),
]


def spec(name: str) -> ModeSpec:
    return next(item for item in MODE_SPECS if item.name == name)
