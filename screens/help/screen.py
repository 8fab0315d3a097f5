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
from screens.kit.keys import BY_NAME, KEYS, QUESTION_KEYS, bind
from screens.kit.text import literal
from screens.shell.modes import MODE_SPECS


class HelpScreen(MainScreen):
    MODE = "help"
    BINDINGS = [bind("filter", show=False), bind("sort", show=False)]  # no list here

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="body"):
            yield Static(self.keys_table(), id="help-keys")
            yield Static(self.about(), id="help-about")

    @staticmethod
    def keys_table() -> Table:
        """The key map (screens/kit/keys.py): one key, one meaning, on every screen."""
        table = Table(title=_("Keys"), expand=True, box=None, show_header=True, title_justify="left")
        table.add_column(_("key"), no_wrap=True, style="bold")
        table.add_column(_("action"), no_wrap=True)
        table.add_column(_("what"))
        for item in MODE_SPECS:
            table.add_row(item.key, item.title, Text(item.help))
        for key in KEYS:
            table.add_row(key.display, _(key.label), Text(f"{_(key.help)} ({_(key.where)})"))
        for keys, what in QUESTION_KEYS:
            table.add_row(keys, "", Text(_(what)))
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
        spec = next((item for item in MODE_SPECS if item.name == mode), None)
        heading = _("Keys on this screen") + (f" — {spec.title}" if spec else "")
        table = Table(title=heading, box=None, show_header=False, title_justify="left", expand=True)
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        purpose = spec.help if spec else (self.below.__doc__ or "").strip().splitlines()[0:1]
        if purpose:
            table.add_row("", Text(purpose if isinstance(purpose, str) else purpose[0], style="italic"))
            table.add_row("", "")
        seen: set[str] = set()
        for key, active in self.below.active_bindings.items():
            binding = active.binding
            if not binding.id or binding.id in seen or binding.id.startswith("mode."):
                continue
            item = BY_NAME.get(binding.id.removeprefix("keys.")) if binding.id.startswith("keys.") else None
            if item is None and not binding.description:
                continue
            seen.add(binding.id or key)
            state = "" if active.enabled else " " + _("(not now)")
            what = f"{binding.description} — {_(item.help)}" if item else binding.description
            table.add_row(self.app.get_key_display(binding), what + state)
        table.add_row("", "")
        table.add_row("1 … 0", _("go to a screen (the mode bar); ^p palette: a reference such as A-2026-0067"))
        table.add_row("? / esc", _("this help / close"))
        return table

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
