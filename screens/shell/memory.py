"""A main screen the operator has left keeps its rows, filters and cursor, but not what was drawn.

Each screen's tables and widgets cache their rendered lines (a DataTable up to a thousand
rows and ten thousand cells); for screens not shown that is memory held for nothing, and it
is what made a console that had shown every screen weigh twice a bare Textual app. When the
app switches away from a mode, the screen it leaves drops those caches (screens/compat.py)
and its footer keys (a screen's largest share of widgets); switching back draws it again
from the rows it still holds. Then the C allocator is asked to give back to the system what
was freed (the worker threads' query buffers, earlier screens' lines), so the next screen
grows from there instead of on top of it. Once the footer keys are removed, the screen's last
layout lets go of them and a full collection frees them (until then they stayed alive, one set
per mode visited). All threads allocate from one malloc arena (one_malloc_arena, at start).
"""

from __future__ import annotations

import asyncio
import gc
import sys
from typing import Any

from screens.compat import drop_render_caches, forget_removed_widgets

_glibc: Any = None  # the C library once looked up; False where it is not glibc


_forgetting: set[asyncio.Task[None]] = set()  # running tasks are only weakly held by the loop


def shed_drawn_lines(screen: Any) -> None:
    from screens.shell.chrome import QuietFooter

    removals = []
    for widget in screen.walk_children(with_self=True):
        drop_render_caches(widget)
        if isinstance(widget, QuietFooter):
            removal = widget.shed_keys()
            if removal is not None:
                removals.append(removal)
    give_back_freed_memory()
    if removals:
        task = asyncio.get_running_loop().create_task(forget_when_removed(screen, removals))
        _forgetting.add(task)
        task.add_done_callback(_forgetting.discard)


async def keys_shed() -> None:
    """Until the screens left so far have let go of their footer keys (for tests)."""
    while _forgetting:
        await asyncio.gather(*_forgetting)


async def forget_when_removed(screen: Any, removals: list[Any]) -> None:
    """Once the keys are gone, the screen's last layout lets go of them too (screens/compat.py)."""
    for removal in removals:
        await removal
    forget_removed_widgets(screen)
    # A widget and its styles refer to each other: the keys removed are freed only by a full
    # collection, which the interpreter runs seldom (most of the objects are frozen, app.py);
    # without it each screen left adds its keys' memory, with it the next screen reuses it.
    gc.collect()


def give_back_freed_memory() -> None:
    """glibc keeps freed memory for reuse, per thread arena; malloc_trim returns it (a few ms)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h


def one_malloc_arena() -> None:
    """Before the first thread starts: every thread allocates from the main malloc arena.

    glibc gives threads arenas of their own (up to eight per core). The console's workers are
    short-lived threads that each load a page and end; what one freed (its connection's page
    cache, the rows it built) stayed in its arena for whichever thread got that arena next, and
    was returned only by malloc_trim. With one arena the next worker reuses it (a console that had
    shown every screen: about 1.5 MiB less at its peak). The threads take turns for the GIL anyway.
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, 1)


def _libc() -> Any:
    """glibc, looked up once; None where there is none (musl, another system)."""
    global _glibc
    if _glibc is None:
        _glibc = False
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                found = ctypes.CDLL("libc.so.6")
                found.malloc_trim, found.mallopt  # noqa: B018 - both exist in glibc only
                _glibc = found
            except (OSError, AttributeError):
                pass
    return _glibc or None
