"""One key map: a key means one thing on every screen, the README's table is the map's, help shows it."""

from __future__ import annotations

import importlib
from pathlib import Path

from textual.binding import Binding

from screens.shell.modes import MODE_SPECS
from tests.support.screens import aio, make_app, settle, world

ROOT = Path(__file__).resolve().parent.parent
PUSHED = (  # screens pushed over a mode: details and the unrecorded connections
    "screens.orders.screen:OrderDetailScreen",
    "screens.orders.details:SessionDetailScreen",
    "screens.access.detail:AccessDetailScreen",
    "screens.ingest.screen:UnrecordedConnectionsScreen",
)


def screen_classes() -> list[type]:
    names = [f"screens.{item.screen}" for item in MODE_SPECS if not item.coming] + list(PUSHED)
    classes = []
    for name in names:
        module, cls = name.split(":")
        classes.append(getattr(importlib.import_module(module), cls))
    return classes


def bindings_of(cls: type) -> list[Binding]:
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("screens."):
            continue  # Textual's own (ctrl+c copy, tab focus)
        for binding in klass.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding):
                found.append(binding)
    return found


def table_text(renderable, width: int = 78) -> str:  # type: ignore[no-untyped-def]
    import io

    from rich.console import Console

    out = Console(width=width, record=True, file=io.StringIO())
    out.print(renderable)
    return out.export_text()


def test_the_same_key_means_the_same_thing_on_every_screen() -> None:
    from screens.shell.app import ConsoleApp

    meanings: dict[str, dict[str, list[str]]] = {}
    for cls in [*screen_classes(), ConsoleApp]:
        for binding in bindings_of(cls):
            if (binding.id or "").startswith("mode."):
                continue
            for key in binding.key.split(","):
                meaning = (binding.id or binding.action).removeprefix("keys.")
                if key == "q" and binding.action == "app.pop_screen":
                    meaning = "back"  # q is a second key for back on the details
                meanings.setdefault(key, {}).setdefault(meaning, []).append(cls.__name__)
    clashes = {key: found for key, found in meanings.items() if len(found) > 1}
    assert clashes == {}


def test_every_screen_binding_comes_from_the_key_map() -> None:
    from screens.kit.keys import BY_NAME

    for cls in screen_classes():
        for binding in bindings_of(cls):
            if binding.key == "q":
                continue
            assert (binding.id or "").startswith("keys."), (cls.__name__, binding.key, binding.action)
            item = BY_NAME[binding.id.removeprefix("keys.")]  # type: ignore[union-attr]
            assert binding.key == item.key


def test_the_key_map_names_each_key_once() -> None:
    from screens.kit.keys import KEYS

    keys = [part for item in KEYS for part in item.key.split(",")]
    assert len(keys) == len(set(keys))
    assert not set(keys) & {item.key for item in MODE_SPECS}
    names = {item.name: item.key for item in KEYS}
    for name, key in {
        "help": "question_mark",
        "filter": "slash",
        "sort": "o",
        "open": "enter",
        "back": "escape",
        "new": "n",
        "verify": "v",
        "export": "x",
    }.items():
        assert names[name] == key


def test_readme_key_table_is_the_key_map() -> None:
    from screens.kit.keys import markdown_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- keys:start -->\n", "\n<!-- keys:end -->"
    assert start in readme and end in readme, "README has no generated key table"
    table = readme.split(start, 1)[1].split(end, 1)[0]
    assert table == markdown_table(), "run: .venv/bin/python -m screens.kit.keys README.md"
    assert "| `v` | Verify |" in table and "| `x` | Export |" in table


@aio
async def test_help_screen_shows_the_key_map(db, fixed_clock) -> None:
    from screens.help.screen import HelpScreen

    w = world()
    app = make_app(w["tech"], start_mode="help")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = table_text(HelpScreen.keys_table(), width=118)
        for line in ("?", "/", "Sort", "Export again", "Verify", "Compile", "Exclude", "Include"):
            assert line in shown
        assert "verify: the audit chain, or the requester's identity" in shown
