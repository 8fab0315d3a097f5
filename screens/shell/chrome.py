"""The lines around every main screen: header (operator, database, status) and mode bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from models.core.i18n import _
from screens.compat import (
    FooterKey,
    FooterLabel,
    KeyGroup,
    bindings_ready,
    mark_bindings_ready,
    set_key_enabled,
)
from screens.kit.host import host
from screens.kit.keys import short_label
from screens.kit.text import literal
from screens.shell import footer_fit
from screens.shell.modes import MODE_SPECS

if TYPE_CHECKING:
    from textual.await_remove import AwaitRemove


def whole_parts(status: str, room: int) -> str:
    """The status, or as many of its leading ' · ' parts as fit: a number or a time is never cut in two."""
    if cell_len(status) <= room:
        return status
    parts = status.split(" · ")
    while len(parts) > 1 and cell_len(" · ".join(parts)) > room:
        parts.pop()
    text = " · ".join(parts)
    if cell_len(text) <= room:
        return text
    words = text.split(" ")
    while len(words) > 1 and cell_len(" ".join(words) + " …") > room:
        words.pop()
    return " ".join(words) + " …" if len(words) < len(text.split(" ")) else text


class ShellHeader(Static):
    """One line: product, operator, database, and a status slot (e.g. the purge timer)."""

    DEFAULT_CLASSES = "shell-header"

    def on_mount(self) -> None:
        host(self).status_changed.subscribe(self, lambda _text: self.show(), immediate=True)
        self.show()

    def on_unmount(self) -> None:
        host(self).status_changed.unsubscribe(self)

    def show(self) -> None:
        app = host(self)
        info = app.info
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("support24", style="bold")
        line.append("  " + _("operator") + ": ")
        line.append_text(literal(f"{info.operator_name} ({info.operator_username})"))
        line.append("  " + _("db") + ": ")
        line.append_text(literal(info.database))
        if app.status_text:
            room = (self.size.width or 200) - 2  # padding 0 1
            status = whole_parts(app.status_text, room - 4)
            left = room - 4 - cell_len(status)
            if line.cell_len > left:  # the status stays whole; operator and database give way
                line = line if left >= 12 else Text()
                line.truncate(max(left, 0), overflow="ellipsis")
            line.append_text(Text("  │ " if line.cell_len else "│ "))
            line.append_text(literal(status))
        self.update(line)

    def on_resize(self) -> None:
        self.show()


class ModeBar(Static):
    """Every mode with its key; the current one is marked."""

    DEFAULT_CLASSES = "mode-bar"

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def on_resize(self) -> None:
        self.update(self.line(self.size.width))

    def line(self, width: int) -> Text:
        """Full titles when they fit, else one short word each (80 columns), else the keys with only the
        current mode's word; a word is never cut into letters."""

        def needs(titles: list[str]) -> int:
            return (
                sum(
                    cell_len(item.key) + (cell_len(title) + 1 if title else 0) + 1
                    for item, title in zip(MODE_SPECS, titles, strict=True)
                )
                - 1
            )

        full = [item.title for item in MODE_SPECS]
        short = [item.short or item.title for item in MODE_SPECS]
        current = [title if item.name == self.current else "" for item, title in zip(MODE_SPECS, short, strict=True)]
        titles = next((t for t in (full, short, current) if needs(t) <= width), [""] * len(MODE_SPECS))
        line = Text(no_wrap=True, overflow="ellipsis")
        for n, (item, title) in enumerate(zip(MODE_SPECS, titles, strict=True)):
            style = "reverse bold" if item.name == self.current else ""
            line.append(f"{item.key}", style="bold " + style)
            if title:
                line.append(f" {title}", style=style)
            if n < len(MODE_SPECS) - 1:
                line.append(" ")
        return line


class QuietFooter(Footer):
    """Textual's footer, rebuilt only when the keys it would show have changed, and fitted to its width.

    The stock footer recomposes all its keys after every bindings refresh (focus moves, a row
    highlighted, an action enabled); with twenty keys that cost a screen a third of its first
    frame. Here refreshes within one frame coalesce, and an unchanged set of keys is kept.
    The stock footer also lets keys run off the right edge; here they are chosen to fit
    (screens/shell/footer_fit.py), so quit is always in view.
    """

    _pending = False
    _shown: tuple[tuple[str, str, str, bool, str], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        mark_bindings_ready(self)
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def on_resize(self) -> None:
        if self.is_attached and bindings_ready(self) and not self._pending:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def _fitted(self) -> list[footer_fit.Entry]:
        """The footer's items that fit the terminal's width, beside the palette key."""
        active = self.screen.active_bindings
        palette = self.app.COMMAND_PALETTE_BINDING
        items = footer_fit.entries(active, lambda binding: binding.show and binding.key != palette)
        help_entry = next(
            (
                footer_fit.Entry(((binding, enabled, tooltip),))
                for _node, binding, enabled, tooltip in active.values()
                if binding.id in footer_fit.HELP
            ),
            None,
        )
        room = (self.size.width or self.app.size.width) - self._palette_width(active)
        return footer_fit.fit(
            items,
            room,
            self.app.get_key_display,
            compact=self.compact,
            help_entry=help_entry,
            short=lambda binding: short_label(binding.id),
        )

    def _palette_width(self, active: Any) -> int:
        """Cells of the palette key docked on the right (its border and padding included)."""
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return 0
        found = active.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return 0
        binding = found[1]
        words = cell_len(self.app.get_key_display(binding)) + 1 + cell_len(binding.description)
        return 1 + words + (1 if self.compact else 3)  # border-left; margin-right, or key and end padding

    def compose(self) -> ComposeResult:
        """The keys that fit, each with the -compact class its compact flag will give it as it mounts:
        set now, so that each key is styled once instead of again when that flag arrives."""
        for widget in self._keys():
            if self.compact and isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget

    def _keys(self) -> ComposeResult:
        """What Footer.compose yields, for the items that fit."""
        if not bindings_ready(self):
            return
        for entry in self._fitted():
            if entry.is_group:
                with KeyGroup(classes="-compact" if entry.compact_group else ""):
                    for binding, enabled, tooltip in entry.bindings:
                        yield FooterKey(
                            binding.key,
                            self.app.get_key_display(binding),
                            "",
                            binding.action,
                            disabled=not enabled,
                            tooltip=tooltip or binding.description,
                            classes="-grouped",
                        ).data_bind(compact=Footer.compact)
                yield FooterLabel(entry.label)
                continue
            binding, enabled, tooltip = entry.bindings[0]
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                entry.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or (binding.description if entry.word else ""),
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, tooltip = found
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def _signature(self) -> tuple[tuple[str, str, str, bool, str], ...]:
        return tuple(
            (binding.key, binding.action, entry.description if not entry.is_group else "", enabled, tooltip or "")
            for entry in self._fitted()
            for binding, enabled, tooltip in entry.bindings
        )

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            # Its screen was closed (Escape) between the bindings refresh and this frame: nothing
            # to show. Reading self.screen now raises NoScreen, which ends the whole app's message
            # loop (Textual treats it as unhandled): no key reached the console any more.
            return
        if self.screen is not self.app.screen:
            # A screen not shown (left for another mode, or under a dialog) is brought up to date
            # by the bindings refresh of its return; a mode left behind has shed its keys.
            self._shown = None
            return
        shown = self._signature()
        if shown == self._shown:
            return
        before, self._shown = self._shown, shown
        if before is not None and [k[:3] for k in before] == [k[:3] for k in shown] and self._restate(shown):
            return  # the same keys, only enabled or disabled: no need to rebuild them
        await self.recompose()

    def shed_keys(self) -> AwaitRemove | None:
        """On a screen left behind: drop the key widgets (a screen's largest share of widgets); the
        bindings refresh of its return builds them again, as on its first visit. The removal, to
        await, or None if there was nothing to remove."""
        self._shown = None
        self._pending = False
        return self.remove_children() if self.children else None

    def _restate(self, shown: tuple[tuple[str, str, str, bool, str], ...]) -> bool:
        """Enable or disable the keys in place; False if a key has no widget to show it."""
        state = {(key, action): (enabled, tooltip) for key, action, _description, enabled, tooltip in shown}
        widgets = [w for w in self.query(FooterKey) if (w.key, w.action) in state]  # not the palette's key
        if {(w.key, w.action) for w in widgets} != set(state):
            return False
        for widget in widgets:
            enabled, tooltip = state[(widget.key, widget.action)]
            set_key_enabled(widget, enabled)
            widget.tooltip = tooltip or None
        return True
