"""The one place that uses Textual internals, checked against the pinned Textual version.

Everything else in screens/ uses Textual's public API. What is here has no public equivalent
in the pinned version; each use names what it relies on. On a Textual upgrade, import fails
until someone has checked these uses against the new version and raised PINNED_TEXTUAL.
"""

from __future__ import annotations

from importlib.metadata import version

from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not exported by textual.widgets

PINNED_TEXTUAL = "8.2.8"  # the pin in pyproject.toml

if version("textual") != PINNED_TEXTUAL:
    raise ImportError(
        f"screens/compat.py was written against textual {PINNED_TEXTUAL}, but textual {version('textual')} "
        "is installed: check the private uses in screens/compat.py, then update PINNED_TEXTUAL and the pin"
    )

__all__ = ["FooterKey", "PINNED_TEXTUAL", "mark_bindings_ready", "set_key_enabled"]


def mark_bindings_ready(footer: Footer) -> None:
    """What Footer.bindings_changed does first: its compose() shows no keys until this flag is set."""
    footer._bindings_ready = True


def set_key_enabled(key: FooterKey, enabled: bool) -> None:
    """Enable or disable a footer key in place: the flag FooterKey's click handler reads, and its style."""
    key._disabled = not enabled
    key.set_class(not enabled, "-disabled")
