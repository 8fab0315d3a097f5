"""The one key map: every action of the console named once, with its key, its label and what it does.

Every screen builds its BINDINGS from here (`bind("verify")`), so one key means one thing on
every screen: `v` only ever verifies, `x` only ever exports. The README's key table and the
help screen are made from KEYS (`python -m screens.kit.keys README.md` writes the table;
tests/test_keys_map.py checks that README and map agree). Mode keys (1 … 0) come from
screens/shell/modes.py; the yes/no keys of a question and the keys of a form are listed as
such.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding, BindingType

from models.core.i18n import N_, _


@dataclass(frozen=True)
class Key:
    name: str  # the meaning, e.g. "verify"; the binding id is "keys.<name>"
    key: str  # Textual key name(s), comma-separated
    label: str  # the footer's word (N_: translated when shown)
    help: str  # one line: what it does (N_)
    where: str = ""  # the screens it works on (N_)
    show: bool = True  # in the footer
    short: str = ""  # a shorter footer word for a narrow terminal (N_); empty: the label

    @property
    def id(self) -> str:
        return f"keys.{self.name}"

    @property
    def display(self) -> str:
        """The keys as a person types them: `?`, `/`, `esc`, `+`."""
        return " / ".join(DISPLAY.get(part, part) for part in self.key.split(","))


DISPLAY = {
    "question_mark": "?",
    "slash": "/",
    "escape": "esc",
    "enter": "enter",
    "plus": "+",
    "minus": "-",
    "delete": "del",
    "tab": "tab",
    "underscore": "_",
    "asterisk": "*",
}

KEYS: tuple[Key, ...] = (
    # -- on every screen -----------------------------------------------------------------------
    Key(
        "help",
        "question_mark",
        N_("Help"),
        N_("help for this screen: its keys and what it is for"),
        where=N_("anywhere"),
        show=False,
    ),
    Key(
        "filter",
        "slash",
        N_("Filter"),
        N_("filter the list (on the database, page by page)"),
        where=N_("every list, detail lists too"),
    ),
    Key(
        "sort",
        "o",
        N_("Sort"),
        N_("sort the list by its next indexed column, then the other way round"),
        where=N_("every list"),
    ),
    Key(
        "open",
        "enter",
        N_("Open"),
        N_("open what the line refers to"),
        where=N_("lists, dashboard, audit, access matches"),
        show=False,
    ),
    Key(
        "back",
        "escape",
        N_("Back"),
        N_("back: close the detail, or leave and clear the filter"),
        where=N_("details, filters"),
        show=False,
    ),
    Key("new", "n", N_("New"), N_("new item of this list (access request, staff member)"), where=N_("Access, Staff")),
    Key(
        "view",
        "w",
        N_("View"),
        N_("next view of the screen (queue, runs, holds; outbox, batches)"),
        where=N_("Retention, Billing"),
    ),
    Key(
        "verify",
        "v",
        N_("Verify"),
        N_("verify: the audit chain, or the requester's identity"),
        where=N_("Audit, access request"),
    ),
    Key(
        "export",
        "x",
        N_("Export"),
        N_("export: a billing batch, or the access report"),
        where=N_("Billing, access request"),
    ),
    Key(
        "export_again",
        "X",
        N_("Export again"),
        N_("export the selected billing batch again"),
        where=N_("Billing"),
        short=N_("Again"),
    ),
    # -- sessions --------------------------------------------------------------------------
    Key("start", "s", N_("Start"), N_("start a session"), where=N_("Sessions")),
    Key("end", "e", N_("End"), N_("end the selected session"), where=N_("Sessions")),
    Key("activity", "a", N_("Act."), N_("add an activity or file transfer to the session"), where=N_("Sessions")),
    Key("chat", "c", N_("Chat"), N_("add a chat line to the session"), where=N_("Sessions")),
    Key("sysinfo", "i", N_("Info"), N_("add system information to the session"), where=N_("Sessions")),
    Key("colleague", "t", N_("+Tech"), N_("add a second technician (consent first)"), where=N_("Sessions")),
    Key("disclose", "d", N_("Discl."), N_("record a disclosure to a third party"), where=N_("Sessions")),
    # -- orders and retention ------------------------------------------------------------
    Key("complete", "f", N_("Complete"), N_("complete (finish) the order"), where=N_("order detail")),
    Key("hold", "h", N_("Hold"), N_("place a legal hold"), where=N_("order detail, Retention")),
    Key("release", "r", N_("Release"), N_("release the legal hold"), where=N_("order detail, Retention")),
    Key("purge", "p", N_("Purge…"), N_("purge due data: preview first, then confirm"), where=N_("Retention")),
    Key(
        "category",
        "g",
        N_("Category"),
        N_("show one data category (group) after the other"),
        where=N_("Retention"),
        short=N_("Cat."),
    ),
    Key("state", "z", N_("State"), N_("show one state after the other"), where=N_("Retention, Access")),
    # -- access requests -----------------------------------------------------------------
    Key("compile", "m", N_("Compile"), N_("compile the matches of an access request"), where=N_("access request")),
    Key(
        "exclude", "minus", N_("Exclude"), N_("leave the selected match out of the report"), where=N_("access request")
    ),
    Key("include", "plus", N_("Include"), N_("put an excluded match back into the report"), where=N_("access request")),
    Key(
        "exclude_kind",
        "underscore",
        N_("Exclude kind"),
        N_("leave every match of the selected match's kind out of the report"),
        where=N_("access request"),
        show=False,
    ),
    Key(
        "include_kind",
        "asterisk",
        N_("Include kind"),
        N_("put every excluded match of the selected match's kind back"),
        where=N_("access request"),
        show=False,
    ),
    Key("extend", "l", N_("Extend"), N_("extend the deadline (longer) by two months"), where=N_("access request")),
    Key("deliver", "b", N_("Deliver"), N_("record that the report was delivered"), where=N_("access request")),
    Key("reject", "j", N_("Reject"), N_("reject the access request"), where=N_("access request")),
    # -- billing ---------------------------------------------------------------------------
    Key(
        "acknowledge",
        "k",
        N_("Acknowledge"),
        N_("acknowledge a billing batch (sets the billing date)"),
        where=N_("Billing"),
    ),
    Key(
        "billing_date",
        "B",
        N_("Billing date"),
        N_("correct the billing date of the selected acknowledged batch"),
        where=N_("Billing"),
        short=N_("Date"),
    ),
    # -- staff and customers ---------------------------------------------------------------
    Key("edit", "u", N_("Edit"), N_("edit (update) the selected staff member"), where=N_("Staff")),
    Key(
        "deactivate",
        "D",
        N_("Deactivate"),
        N_("deactivate the selected staff member"),
        where=N_("Staff"),
        short=N_("Deact."),
    ),
    Key(
        "reactivate",
        "R",
        N_("Reactivate"),
        N_("reactivate the selected staff member"),
        where=N_("Staff"),
        short=N_("React."),
    ),
    Key("new_customer", "K", N_("New customer"), N_("register a customer"), where=N_("Staff"), short=N_("Customer")),
    Key("new_contact", "P", N_("Contact"), N_("add a contact person to the selected customer"), where=N_("Staff")),
    Key("next_list", "tab", N_("Next list"), N_("go to the next list on the screen"), where=N_("Staff"), show=False),
    # -- remote-tool connections ---------------------------------------------------------
    Key(
        "assign",
        "A",
        N_("Assign to order"),
        N_("assign the connection to an order"),
        where=N_("unrecorded connections"),
    ),
    Key(
        "not_work",
        "delete",
        N_("Not customer work"),
        N_("mark the connection as not customer work"),
        where=N_("unrecorded connections"),
    ),
    # -- anywhere ------------------------------------------------------------------------
    Key(
        "palette",
        "ctrl+p",
        N_("palette"),
        N_("command palette: go to a reference (A-, S-, C-, AR-, K-, batch number) or run an action"),
        where=N_("anywhere"),
        show=False,
    ),
    Key("theme", "ctrl+t", N_("Theme"), N_("change the theme"), where=N_("anywhere"), show=False),
    Key("quit", "ctrl+q", N_("Quit"), N_("quit the console"), where=N_("anywhere")),
    Key("save", "ctrl+s", N_("Save"), N_("in a form: save"), where=N_("forms")),
)
#: keys that mean something else only inside a question or a form, listed for the help screen
QUESTION_KEYS: tuple[tuple[str, str], ...] = (
    ("y / n", N_("in a question: yes / no (esc is no)")),
    ("esc", N_("in a form: cancel (asks when something was typed)")),
    ("enter / tab", N_("in a form: next field (Enter does not save)")),
)

BY_NAME: dict[str, Key] = {item.name: item for item in KEYS}


def key_of(name: str) -> Key:
    return BY_NAME[name]


def short_label(binding_id: str | None) -> str | None:
    """The footer's shorter word for a binding of the map, translated; None if it has none."""
    item = BY_NAME.get((binding_id or "").removeprefix("keys."))
    return _(item.short) if item is not None and item.short else None


def shown(name: str) -> str:
    """The key of an action as a person types it, for hints such as 'press v to verify'."""
    return BY_NAME[name].display


def bind(name: str, action: str | None = None, *, show: bool | None = None, priority: bool = False) -> Binding:
    """The binding of action `name` (its method `action_<action or name>`), key and label from the map."""
    item = BY_NAME[name]
    return Binding(
        item.key,
        action or name,
        _(item.label),
        show=item.show if show is None else show,
        id=item.id,
        priority=priority,
    )


def binds(*names: str, **actions: str) -> list[BindingType]:
    """Bindings for several names; `actions` maps a name to a different action (e.g. back="app.pop_screen")."""
    return [bind(name, actions.get(name)) for name in names]


def markdown_table() -> str:
    """The README's table (English, as the README is)."""
    from screens.shell.modes import MODE_SPECS

    # English msgids, as the README is English: the table is not shown in the console
    modes = ", ".join(f"{item.key} {item.name}" for item in MODE_SPECS)
    rows = [
        ("key", "action", "what it does", "where"),
        ("---", "---", "---", "---"),
        (f"{MODE_SPECS[0].key} … {MODE_SPECS[-1].key}", "modes", modes, "anywhere"),
    ]
    rows += [(f"`{item.display}`", item.label, item.help, item.where) for item in KEYS]
    rows += [(f"`{keys}`", "", what, "") for keys, what in QUESTION_KEYS]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


START, END = "<!-- keys:start -->", "<!-- keys:end -->"


def readme_with_table(text: str) -> str:
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{markdown_table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    """`python -m screens.kit.keys README.md`: write the key table between the README's markers."""
    path = Path(argv[0] if argv else "README.md")
    path.write_text(readme_with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
