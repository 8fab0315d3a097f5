"""The one place that uses Textual internals, checked against the pinned Textual version.

Everything else in screens/ uses Textual's public API. What is here has no public equivalent
in the pinned version; each use names what it relies on. On a Textual upgrade, import fails
until someone has checked these uses against the new version and raised PINNED_TEXTUAL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import textual
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup  # not exported by textual.widgets

PINNED_TEXTUAL = "8.2.8"  # the pin in pyproject.toml


def installed_textual() -> str:
    """The installed Textual's version: from the name of its one dist-info folder beside the package
    (a directory listing; importing importlib.metadata costs the console's start 15 ms), else the metadata."""
    found = [p.name for p in Path(textual.__file__).parent.parent.glob("textual-*.dist-info")]
    if len(found) == 1:
        return found[0].removeprefix("textual-").removesuffix(".dist-info")
    from importlib.metadata import version

    return version("textual")


if installed_textual() != PINNED_TEXTUAL:
    raise ImportError(
        f"screens/compat.py was written against textual {PINNED_TEXTUAL}, but textual {installed_textual()} "
        "is installed: check the private uses in screens/compat.py, then update PINNED_TEXTUAL and the pin"
    )

__all__ = [
    "FooterKey",
    "FooterLabel",
    "KeyGroup",
    "PINNED_TEXTUAL",
    "drop_render_caches",
    "forget_removed_widgets",
    "bindings_ready",
    "keep_mount_styles",
    "mark_bindings_ready",
    "mark_css_current",
    "set_key_enabled",
]


def mark_bindings_ready(footer: Footer) -> None:
    """What Footer.bindings_changed does first: its compose() shows no keys until this flag is set."""
    footer._bindings_ready = True


def bindings_ready(footer: Footer) -> bool:
    """The flag Footer.compose reads: no keys are shown before the screen's bindings are known."""
    return bool(footer._bindings_ready)


def set_key_enabled(key: FooterKey, enabled: bool) -> None:
    """Enable or disable a footer key in place: the flag FooterKey's click handler reads, and its style."""
    key._disabled = not enabled
    key.set_class(not enabled, "-disabled")


def mark_css_current(app: Any, screen: Any) -> None:
    """A mode's screen built just now needs no CSS refresh of its own.

    Textual (App._init_mode, App.switch_mode) refreshes the whole CSS — new variables, every
    source parsed again, every node of the app restyled — when a screen's `_css_update_count`
    differs from the app's; a screen that was never shown has -1, so the first visit of each
    mode paid for two full refreshes. Its nodes are styled from the current stylesheet when they
    mount; only a screen that already existed when the theme changed needs the refresh, and it
    still gets it (the app's count moves on with every theme change).
    """
    screen._css_update_count = app._css_update_count


def drop_render_caches(widget: Any) -> None:
    """Forget what a widget and its scrollbars have drawn (the lines StylesCache keeps, a Static's
    rendered content, and a DataTable's row, cell and line caches); each part is marked dirty, so it
    is drawn again from its data when next shown, as after any change of it."""
    from textual.geometry import NULL_SIZE
    from textual.widget import _RenderCache  # what Widget.render_line reads until it is dirty

    for part in (widget, widget._vertical_scrollbar, widget._horizontal_scrollbar, widget._scrollbar_corner):
        if part is None:
            continue
        part._set_dirty()  # also clears StylesCache
        part._render_cache = _RenderCache(NULL_SIZE, [])
        clear_table = getattr(part, "_clear_caches", None)  # DataTable
        if clear_table is not None:
            clear_table()


def forget_removed_widgets(screen: Any) -> None:
    """Let a screen not shown let go of the widgets removed from it since it was last laid out.

    A screen's Compositor keeps the widgets of its last layout (its full and visible maps, the
    set of widgets, and the layers and cuts derived from them), each container its last
    arrangement (Widget._arrangement_cache) and its list of displayed children (NodeList).
    Textual replaces them at the next layout, which a screen not shown never gets: the footer keys
    it shed on being left stayed alive, with their styles and drawn lines, for every mode visited.
    Here the removed widgets leave the maps; the caches derived from them are dropped and built
    again when next needed, as after any change of the screen's widgets.
    """
    compositor = screen._compositor
    removed = {widget for widget in compositor.widgets if not widget.is_attached}
    if not removed:
        return
    for widget in removed:
        compositor._full_map.pop(widget, None)
        if compositor._visible_map is not None:
            compositor._visible_map.pop(widget, None)
    compositor.widgets -= removed
    compositor._layers = None
    compositor._layers_visible = None
    compositor._visible_widgets = None
    compositor._cuts = None
    for widget in screen.walk_children(with_self=True):  # the parents the removed ones had
        widget._arrangement_cache.clear()
        widget._nodes._displayed_nodes = (-1, [])  # NodeList's caches of its displayed children
        widget._nodes._displayed_visible_nodes = (-1, [])
        forget_closed_watchers(widget)


def forget_closed_watchers(node: Any) -> None:
    """Drop the watchers of a node's reactives that belong to widgets since removed.

    A data binding (`FooterKey(...).data_bind(compact=Footer.compact)`) adds the bound widget to
    the watchers of the binding node (the `__watchers` attribute Reactive's _watch sets); Textual
    drops the closed ones only when that reactive next changes, which for the footer's `compact`
    is never. The same filter as Reactive._check_watchers applies.
    """
    watchers = node.__dict__.get("__watchers")
    if not watchers:
        return
    for name, found in watchers.items():
        watchers[name] = [(reactable, callback) for reactable, callback in found if not reactable._closing]


def keep_mount_styles(resume: Any) -> None:
    """A mode's screen shown for the first time needs no restyle when it resumes.

    Textual's Screen._on_screen_resume restyles the whole screen (every node against every rule)
    when the ScreenResume event's `refresh_styles` is set, and a first visit gets two such events
    (App._init_mode and App.switch_mode), right after its nodes were styled as they mounted. A
    handler of the subclass runs before Textual's and may clear the flag; a theme changed since
    is still applied (switch_mode refreshes the CSS of a screen whose count is behind the app's).
    """
    resume.refresh_styles = False
