"""Help: every key, and an about line (database, schema version, policy version)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from models.core.i18n import _, current_language
from models.core.labels import term
from screens.kit.base import MainScreen
from screens.kit.host import host
from screens.kit.text import literal
from screens.shell.modes import MODE_SPECS

SCREEN_KEYS: list[tuple[str, str, str]] = [
    ("2 " + _("Sessions"), "s / e", _("start a session / end the selected one")),
    ("2 " + _("Sessions"), "a / c / i", _("add activity or file transfer / chat line / system information")),
    ("2 " + _("Sessions"), "t / d", _("add a second technician (consent first) / record a disclosure")),
    ("3 " + _("Orders"), "/ enter", _("search / open the order's detail")),
    (
        "3 " + _("Orders"),
        "o / h / r / v",
        _("in the detail: complete / place a legal hold / release it / open a session"),
    ),
    ("4 " + _("Consent"), "/", _("filter by kind, customer, session")),
    ("5 " + _("Retention"), "v / c / s", _("next view (queue, purge runs, holds) / filter category / state")),
    ("5 " + _("Retention"), "p / h / r", _("purge: preview, then confirm / place a legal hold / release it")),
    ("6 " + _("Access"), "n / enter / s", _("open a request / its detail / filter by state")),
    (
        "6 " + _("Access"),
        "v c x i e",
        _("in the detail: verify / compile / exclude a match / include it again / export"),
    ),
    ("6 " + _("Access"), "t d j", _("in the detail: extend / deliver / reject")),
    ("7 " + _("Billing"), "v / x / r / k", _("next view / export a batch / export it again / acknowledge")),
    ("8 " + _("Staff"), "n / e / x / r", _("register staff / edit (enter) / deactivate / reactivate")),
    ("8 " + _("Staff"), "u / p", _("register a customer / add a contact person")),
    ("9 " + _("Audit"), "v", _("verify the hash chain")),
    (_("forms"), "ctrl+s / esc", _("save / cancel (asks when something was typed)")),
    (_("forms"), "enter / tab", _("next field (Enter does not save)")),
    (_("anywhere"), "?", _("the keys of the current screen")),
    (_("anywhere"), "ctrl+p", _("command palette: go to a screen by name, change theme")),
    (_("anywhere"), "ctrl+t / ctrl+q", _("change theme / quit")),
]


class HelpScreen(MainScreen):
    MODE = "help"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="body"):
            yield Static(self.keys_table(), id="help-keys")
            yield Static(self.about(), id="help-about")

    @staticmethod
    def keys_table() -> Table:
        table = Table(title=_("Keys"), expand=True, box=None, show_header=True, title_justify="left")
        table.add_column(_("where"), no_wrap=True)
        table.add_column(_("key"), no_wrap=True, style="bold")
        table.add_column(_("what"))
        for item in MODE_SPECS:
            table.add_row(_("anywhere"), item.key, Text(item.help))
        for where, key, what in SCREEN_KEYS:
            table.add_row(where, key, what)
        return table

    def about(self) -> Text:
        info = host(self).info
        text = Text("\n" + _("About") + "\n", style="bold")
        text.append(_("database") + ": ")
        text.append_text(literal(info.database))
        text.append("\n" + _("data folder") + ": ")
        text.append_text(literal(info.data_dir))
        text.append(
            "\n"
            + _("schema version {schema} · policy version {policy}").format(
                schema=info.schema_version, policy=info.policy_version
            )
        )
        text.append("\n" + _("operator") + ": ")
        text.append_text(
            literal(
                f"{info.operator_name} ({info.operator_username}) — "
                + ", ".join(term(role) for role in sorted(self.operator.role_set))
            )
        )
        language = _("German") if current_language() == "de" else _("English")
        text.append("\n" + _("language: {language}").format(language=language))
        text.append(
            "\n"
            + _(
                "Change it for one start with support24 --lang en (or de), for good with "
                'language = "en" in config.toml, or through LANG, e.g. LANG=en_US.UTF-8 support24.'
            )
        )
        return text


class ScreenHelp(ModalScreen[None]):
    """`?`: the keys of the screen below, those that work now first, and the key map's rows for it."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss_help", _("Close"), id="help.close")]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Static(self.keys(), id="screen-help")

    def keys(self) -> Table:
        mode = getattr(self.below, "MODE", "") or ""
        title = next((item.title for item in MODE_SPECS if item.name == mode), "")
        heading = _("Keys on this screen") + (f" — {title}" if title else "")
        table = Table(title=heading, box=None, show_header=False, title_justify="left", expand=True)
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        seen: set[str] = set()
        for key, active in self.below.active_bindings.items():
            binding = active.binding
            if not binding.id or not binding.description or binding.id in seen or binding.id.startswith("mode."):
                continue
            seen.add(binding.id or key)
            state = "" if active.enabled else " " + _("(not now)")
            table.add_row(self.app.get_key_display(binding), binding.description + state)
        key = next((item.key for item in MODE_SPECS if item.name == mode), None)
        for where, keys, what in SCREEN_KEYS:
            if key is not None and where.startswith(f"{key} "):
                table.add_row(keys, what)
        table.add_row("", "")
        table.add_row("1 … 0", _("go to a screen (the mode bar); ^p palette: a reference such as A-2026-0067"))
        table.add_row("? / esc", _("this help / close"))
        return table

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
