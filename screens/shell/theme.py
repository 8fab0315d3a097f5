"""The monochrome theme, chosen by itself without colours, and the operator's theme kept across restarts.

A monochrome terminal (NO_COLOR, TERM=dumb, an SSH session without colours) sees no colour at
all, so the mono theme tells focus, selection, errors and placeholders apart by borders,
reverse, bold, underline and italics (console.tcss, rules under `.-mono`). The theme picked
with ^t is written to a small state file in the config folder and read at the next start.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from textual.app import App
from textual.theme import Theme

MONO = "support24-mono"
STATE_FILE = "console-state.json"

MONO_THEME = Theme(
    name=MONO,
    primary="#ffffff",
    secondary="#ffffff",
    accent="#ffffff",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    boost="#000000",
    warning="#ffffff",
    error="#ffffff",
    success="#ffffff",
    dark=True,
    variables={
        "block-cursor-foreground": "#000000",
        "block-cursor-background": "#ffffff",
        "input-selection-background": "#ffffff 40%",
        "footer-key-foreground": "#ffffff",
        "border": "#ffffff",
        "border-blurred": "#ffffff",
        "scrollbar": "#ffffff",
        "text-muted": "#ffffff",
        "text-error": "#ffffff",
        "text-accent": "#ffffff",
        "text-warning": "#ffffff",
        "text-success": "#ffffff",
    },
)


def without_colour(environ: dict[str, str] | None = None) -> bool:
    """True under NO_COLOR (any value, no-color.org) or on a terminal without colours (TERM=dumb, vt100, …)."""
    env = os.environ if environ is None else environ
    if "NO_COLOR" in env:
        return True
    return env.get("TERM", "") in ("dumb", "vt100", "vt102", "vt220", "ansi-mono", "linux-m", "xterm-mono")


def read_theme(config_dir: Path | None) -> str | None:
    if config_dir is None:
        return None
    try:
        data = json.loads((config_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    theme = data.get("theme") if isinstance(data, dict) else None
    return theme if isinstance(theme, str) else None


def write_theme(config_dir: Path | None, theme: str) -> None:
    """Best effort: a read-only config folder must not stop the console."""
    if config_dir is None:
        return
    path = config_dir / STATE_FILE
    try:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        data["theme"] = theme
        config_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def choose_theme(app: App[Any], config_dir: Path | None, environ: dict[str, str] | None = None) -> None:
    """Register the mono theme and pick the start theme: mono without colours, else the one kept, else the default."""
    app.register_theme(MONO_THEME)
    if without_colour(environ):
        app.theme = MONO
    else:
        kept = read_theme(config_dir)
        if kept and kept in app.available_themes:
            app.theme = kept
    app.set_class(app.theme == MONO, "-mono")
