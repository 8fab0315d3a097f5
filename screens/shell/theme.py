"""The monochrome theme, chosen by itself without colours, and the operator's theme kept across restarts.

A monochrome terminal (NO_COLOR, TERM=dumb, an SSH session without colours) sees no colour at
all, so the mono theme tells focus, selection, errors and placeholders apart by borders,
reverse, bold, underline and italics (console.tcss, rules under `.-mono`). The theme picked
with ^t is kept per OS user in the console's state file (console/settings/state.py) and read at the next start.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textual.app import App
from textual.theme import Theme

from console.settings.state import remember, remembered

MONO = "support24-mono"

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
    return env.get("TERM", "") in ("dumb", "unknown", "vt100", "vt102", "vt220", "ansi-mono", "linux-m", "xterm-mono")


def read_theme(config_dir: Path | None) -> str | None:
    """The theme this OS user chose last (console/settings/state.py), or None."""
    return remembered(config_dir, "theme")


def write_theme(config_dir: Path | None, theme: str) -> None:
    """Keep the chosen theme for this OS user; best effort, a read-only config folder must not stop the console."""
    remember(config_dir, "theme", theme)


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
