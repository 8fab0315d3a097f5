"""A key named in a screen's text comes from the key map (screens/kit/keys.py), so the text
cannot name a key that does something else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# "(c)" or "s: state" inside a translated literal: a key letter written out by hand
HAND_WRITTEN_KEY = re.compile(r"\([a-zA-Z]\)|(?:^|[(,] ?)[a-zA-Z]: ")
DIALOG_BUTTONS = {"Yes (y)", "No (n)"}  # the confirm dialog's own keys, not the map's


def hand_written_keys() -> list[str]:
    found = []
    for path in sorted((ROOT / "screens").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_" and node.args):
                continue
            text = node.args[0]
            if isinstance(text, ast.Constant) and isinstance(text.value, str) and text.value not in DIALOG_BUTTONS:
                if HAND_WRITTEN_KEY.search(text.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text.value!r}")
    return found


def test_texts_name_keys_through_the_key_map() -> None:
    assert hand_written_keys() == []


def test_a_match_shows_its_date_and_consent_kind_as_the_lists_do() -> None:
    """The matches list showed 2016-07-14 where every other list says 14.07.2016, and consent ids."""
    from types import SimpleNamespace

    from screens.access.detail import render_match

    def cells(kind: str, label: str) -> list[str]:
        match = SimpleNamespace(kind=kind, ref="X-1", label=label, reasons=[], excluded=False, exclusion_reason=None)
        return [cell.plain for cell in render_match(match)]

    from models.core.i18n import current_language, set_language

    before = current_language()
    set_language("de")
    try:
        assert cells("order", "2016-07-14")[2] == "14.07.2016"
        assert cells("billing_record", "2016-07-14")[2] == "14.07.2016"
    finally:
        set_language(before)
    assert cells("consent", "screen_visibility")[2] == "others see the screen"
    assert cells("customer", "2016-07-14")[2] == "2016-07-14"  # a name is shown as it is, whatever it looks like
