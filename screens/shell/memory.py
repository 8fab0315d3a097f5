"""A main screen the operator has left keeps its rows, filters and cursor, but not what was drawn.

Each screen's tables and widgets cache their rendered lines (a DataTable up to a thousand
rows and ten thousand cells); for screens not shown that is memory held for nothing, and it
is what made a console that had shown every screen weigh twice a bare Textual app. When the
app switches away from a mode, the screen it leaves drops those caches (screens/compat.py);
switching back draws it again from the rows it still holds.
"""

from __future__ import annotations

from typing import Any

from screens.compat import drop_render_caches


def shed_drawn_lines(screen: Any) -> None:
    from screens.shell.chrome import QuietFooter

    for widget in screen.walk_children(with_self=True):
        drop_render_caches(widget)
        if isinstance(widget, QuietFooter):
            widget.shed_keys()
