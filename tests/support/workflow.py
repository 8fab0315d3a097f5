"""Workflow tests press keys through one indirection: an action's name, not its key.

Another change remaps the console's keys; after it, only KEYS changes (the action names stay),
so the workflow tests keep testing the same steps. A value may be several keys, space-separated.
"""

from __future__ import annotations

from typing import Any

from screens.kit.keys import key_of
from screens.shell.modes import MODE_SPECS
from tests.support.screens import fill_form, settle

#: action name → key(s), from the console's one key map (screens/kit/keys.py)
KEYS: dict[str, str] = {
    # modes
    **{f"mode.{spec.name}": spec.key for spec in MODE_SPECS},
    # forms and questions
    "save": "ctrl+s",
    "cancel": "escape",
    "yes": "y",
    "no": "n",
    "next_field": "enter",
    **{
        action: key_of(name).key.split(",")[0]
        for action, name in {
            "open": "open",
            "back": "back",
            "new": "new",
            "edit": "edit",
            "next_view": "view",
            "start_session": "start",
            "end_session": "end",
            "activity": "activity",
            "chat": "chat",
            "system_info": "sysinfo",
            "colleague": "colleague",
            "disclosure": "disclose",
            "verify": "verify",
            "compile": "compile",
            "exclude": "exclude",
            "include": "include",
            "exclude_kind": "exclude_kind",
            "include_kind": "include_kind",
            "export_report": "export",
            "extend": "extend",
            "deliver": "deliver",
            "reject": "reject",
            "export": "export",
            "acknowledge": "acknowledge",
            "reexport": "export_again",
            "billing_date": "billing_date",
            "deactivate": "deactivate",
            "reactivate": "reactivate",
            "new_customer": "new_customer",
            "purge": "purge",
            "hold": "hold",
        }.items()
    },
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
