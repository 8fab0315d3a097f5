"""Which keys the footer shows when they do not all fit on one line (80 columns and less).

Textual's footer puts every key in one row and lets the rest run off the right edge, where
`^q` (quit) was the first to disappear. Here the row is measured first: when it is too wide, the
mode keys go (the mode bar above shows them), long labels take their short word (the key map's
`short`), then filter and sort (the same keys on every list) and then the screen's last keys
give way to `?` (help, which lists every key). Quit always stays, and the keys of the screen's
own actions stay longest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from rich.cells import cell_len
from textual.binding import Binding, BindingsMap

KEEP = ("app.quit", "keys.quit")  # binding ids never left out
HELP = ("app.help", "keys.help")
EVERY_LIST = ("keys.filter", "keys.sort")  # the same on every list: they give way before the screen's own keys


@dataclass(frozen=True)
class Entry:
    """One footer item: a key with its label, or a group of keys under one label (the mode keys)."""

    bindings: tuple[tuple[Binding, bool, str], ...]  # (binding, enabled, tooltip)
    label: str = ""  # the group's label; empty for a single key
    compact_group: bool = False
    word: str | None = None  # a single key's footer word instead of its description (a short one)

    @property
    def description(self) -> str:
        return self.bindings[0][0].description if self.word is None else self.word

    @property
    def is_group(self) -> bool:
        return bool(self.label)

    @property
    def kept(self) -> bool:
        return any(binding.id in KEEP for binding, _enabled, _tooltip in self.bindings)

    @property
    def on_every_list(self) -> bool:
        return any(binding.id in EVERY_LIST for binding, _enabled, _tooltip in self.bindings)


def entries(active: BindingsMap | dict, shown: Callable[[Binding], bool] = lambda b: b.show) -> list[Entry]:
    """The footer's items in Textual's order: one per action, consecutive keys of a group together."""
    by_action: dict[str, list[tuple[Binding, bool, str]]] = {}
    for _node, binding, enabled, tooltip in active.values():  # type: ignore[union-attr]
        if shown(binding):
            by_action.setdefault(binding.action, []).append((binding, enabled, tooltip))
    items: list[Entry] = []
    run: list[tuple[Binding, bool, str]] = []

    def close_run() -> None:
        group = run[0][0].group if run else None
        if group is not None and len(run) > 1:
            items.append(Entry(tuple(run), group.description, group.compact))
        else:
            items.extend(Entry((one,)) for one in run)
        run.clear()

    for first, *_others in by_action.values():
        if run and first[0].group != run[0][0].group:
            close_run()
        run.append(first)
    close_run()
    return items


def width(entry: Entry, display: Callable[[Binding], str], *, compact: bool) -> int:
    """Cells the item takes in the footer, margins included (Textual's footer CSS, compact or not)."""
    if entry.is_group:
        keys = sum(cell_len(display(b)) + (0 if entry.compact_group else 2) for b, _e, _t in entry.bindings)
        group = (2 if entry.compact_group else 0) + keys  # padding-left 1, margin-right 1
        return group + cell_len(entry.label) + (0 if compact else 1)
    binding = entry.bindings[0][0]
    key, label = cell_len(display(binding)), cell_len(entry.description)
    if compact:
        return key + (1 + label if label else 0) + 1
    return key + 2 + (label + 1 if label else 0)


def fit(
    items: list[Entry],
    room: int,
    display: Callable[[Binding], str],
    *,
    compact: bool,
    help_entry: Entry | None,
    short: Callable[[Binding], str | None] = lambda _binding: None,
) -> list[Entry]:
    """The items to show in `room` cells, in their order: all of them if they fit, else without the
    mode keys, else with short words, else with `?` help before quit and as many of the screen's
    keys as fit, the first ones first, filter and sort last."""

    def needed(chosen: list[Entry]) -> int:
        return sum(width(entry, display, compact=compact) for entry in chosen)

    if needed(items) <= room:
        return items
    chosen = [entry for entry in items if not entry.is_group or entry.kept]
    if needed(chosen) <= room:
        return chosen
    chosen = [shortened(entry, short) for entry in chosen]
    if needed(chosen) <= room:
        return chosen
    if help_entry is not None:
        first_kept = next((n for n, entry in enumerate(chosen) if entry.kept), len(chosen))
        chosen.insert(first_kept, help_entry)
    # Quit and help first, then the screen's keys in their order, filter and sort last; each one
    # that still fits is taken, so a long key left out does not leave room unused after it.
    must = {n for n, entry in enumerate(chosen) if entry.kept or entry is help_entry}
    rest = [n for n in range(len(chosen)) if n not in must]
    wanted = [n for n in rest if not chosen[n].on_every_list] + [n for n in rest if chosen[n].on_every_list]
    taken = set(must)
    for n in wanted:
        if needed([chosen[k] for k in taken | {n}]) <= room:
            taken.add(n)
    return [entry for n, entry in enumerate(chosen) if n in taken]


def shortened(entry: Entry, short: Callable[[Binding], str | None]) -> Entry:
    """The entry with its short word, if its key has one."""
    if entry.is_group:
        return entry
    word = short(entry.bindings[0][0])
    return entry if word is None else replace(entry, word=word)
