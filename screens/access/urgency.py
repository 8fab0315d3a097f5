"""Colours from the active Textual theme for cells of a DataTable (which takes rich styles, not CSS)."""

from __future__ import annotations

from textual.app import App

from models.core.i18n import _

# urgency of an access request by days left: (upper bound, theme variable)
URGENCY = ((-1, "error"), (7, "warning"), (14, "accent"))
STATE_COLOURS = {
    "overdue": "error",
    "due": "warning",
    "held": "primary",
    "blocked": "error",
    "failed": "error",
    "interrupted": "warning",
    "running": "accent",
    "done": "success",
}


def theme_colour(app: App[object], variable: str) -> str:
    """The theme variable's colour (e.g. "error" → "#B93C5B"), or "" if it is not a plain colour."""
    # theme_variables is what Textual generated for the current theme; get_css_variables()
    # would generate the whole colour system again (~0.7 ms, per cell of a 50-row page)
    value = (app.theme_variables or app.get_css_variables()).get(variable, "")
    return value if value.startswith("#") else ""


def urgency_variable(days_left: int, is_open: bool) -> str | None:
    """Which theme variable colours a request: overdue error, within a week warning, two weeks accent."""
    if not is_open:
        return None
    for bound, variable in URGENCY:
        if days_left <= bound:
            return variable
    return "success"


def days_left_text(days_left: int, is_open: bool) -> str:
    if not is_open:
        return "—"
    if days_left < 0:
        return _("{n} d overdue").format(n=-days_left)
    if days_left == 0:
        return _("today")
    return _("{n} d").format(n=days_left)
