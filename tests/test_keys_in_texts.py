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
