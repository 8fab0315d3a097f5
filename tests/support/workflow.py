"""Workflow tests press keys through one indirection: an action's name, not its key.

Another change remaps the console's keys; after it, only KEYS changes (the action names stay),
so the workflow tests keep testing the same steps. A value may be several keys, space-separated.
"""

from __future__ import annotations

from typing import Any

from tests.support.screens import fill_form, settle

#: action name → today's key(s)
KEYS: dict[str, str] = {
    # modes
    "mode.dashboard": "1",
    "mode.sessions": "2",
    "mode.orders": "3",
    "mode.consents": "4",
    "mode.retention": "5",
    "mode.access": "6",
    "mode.accounting": "7",
    "mode.people": "8",
    "mode.audit": "9",
    # forms and questions
    "save": "ctrl+s",
    "cancel": "escape",
    "yes": "y",
    "no": "n",
    "next_field": "enter",
    "open": "enter",
    "back": "escape",
    # lists
    "new": "n",
    "edit": "e",
    "next_view": "v",
    # active sessions
    "start_session": "s",
    "end_session": "e",
    "activity": "a",
    "chat": "c",
    "system_info": "i",
    "colleague": "t",
    "disclosure": "d",
    # access requests
    "verify": "v",
    "compile": "c",
    "exclude": "x",
    "include": "i",
    "export_report": "e",
    "extend": "t",
    "deliver": "d",
    "reject": "j",
    # accounting
    "export": "x",
    "acknowledge": "k",
    "reexport": "r",
    "billing_date": "b",
    # staff and customers
    "deactivate": "x",
    "reactivate": "r",
    "new_customer": "u",
    # retention
    "purge": "p",
    "hold": "h",
}


async def act(pilot: Any, action: str) -> None:
    """Press the key(s) of `action` and let the console finish what they started."""
    await pilot.press(*KEYS[action].split())
    await settle(pilot)


async def type_in(pilot: Any, **values: Any) -> None:
    """Fill the open form's fields by name (inputs, text areas, ticks, choices), as a person would."""
    from textual.widgets import TextArea

    screen = pilot.app.screen
    for name, value in list(values.items()):
        widget = screen.query_one(f"#f-{name}")
        if isinstance(widget, TextArea):
            widget.text = value
            del values[name]
    await fill_form(pilot, screen, **values)
