"""Which footer keys a narrow terminal shows, without a UI: the order in which keys give way."""

from __future__ import annotations

from textual.binding import Binding

from screens.shell.footer_fit import Entry, entries, fit

MODES = Binding.Group(description="views", compact=True)


def active(*bindings: Binding) -> dict[str, tuple[None, Binding, bool, str]]:
    return {b.key: (None, b, True, "") for b in bindings}


def shown(chosen: list[Entry]) -> list[str]:
    return [e.label or f"{e.bindings[0][0].key} {e.description}" for e in chosen]


KEYS = active(
    Binding("slash", "filter", "Filter", id="keys.filter"),
    Binding("o", "sort", "Sort", id="keys.sort"),
    Binding("w", "next_view", "View", id="keys.view"),
    Binding("B", "change_date", "Billing date", id="keys.billing_date"),
    Binding("h", "hold", "Hold", id="keys.hold"),
    Binding("question_mark", "screen_help", "Help", id="app.help", show=False),
    Binding("ctrl+q", "quit", "Quit", id="app.quit"),
    *(Binding(str(n), f"mode{n}", f"mode {n}", id=f"mode.{n}", group=MODES) for n in range(1, 4)),
)
HELP = Entry(((KEYS["question_mark"][1], True, ""),))


def choose(room: int, short: dict[str, str] | None = None) -> list[str]:
    items = entries(KEYS)
    short = {"Billing date": "Date"} if short is None else short
    chosen = fit(items, room, lambda b: b.key, compact=True, help_entry=HELP, short=lambda b: short.get(b.description))
    return shown(chosen)


def test_the_keys_give_way_modes_first_then_long_words_then_filter_and_sort_then_the_last_keys() -> None:
    """Widths here are the key names' lengths: all of it takes 71 cells."""
    everything = ["slash Filter", "o Sort", "w View", "B Billing date", "h Hold", "ctrl+q Quit", "views"]
    assert choose(71) == everything
    assert choose(70) == everything[:-1]  # the mode keys go first: the mode bar shows them
    assert choose(55) == ["slash Filter", "o Sort", "w View", "B Date", "h Hold", "ctrl+q Quit"]
    assert choose(52) == ["w View", "B Date", "h Hold", "question_mark Help", "ctrl+q Quit"]
    assert choose(45) == ["w View", "B Date", "question_mark Help", "ctrl+q Quit"]
    assert choose(5) == ["question_mark Help", "ctrl+q Quit"]  # quit and help stay whatever the width


def test_a_long_key_left_out_leaves_its_room_to_the_keys_after_it() -> None:
    assert choose(45, short={}) == ["w View", "h Hold", "question_mark Help", "ctrl+q Quit"]
