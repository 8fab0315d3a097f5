"""Textual's own words that the console shows (command palette), listed for the catalogue.

ConsoleApp passes them through `_()` where Textual would show them as they are.
"""

from __future__ import annotations

from models.core.i18n import N_

TEXTUAL_WORDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
    N_("Search for commands…"),
    N_("Search for themes…"),
)
