"""For the start-up benchmark: note when the first full frame is on the terminal, then quit.

With SUPPORT24_FIRST_FRAME=PATH in the environment, an app that calls `watch_first_frame(app)`
in its on_mount waits until the shown screen is settled — no worker running, no message
waiting in any of its widgets, nothing left to repaint — and the screen has been drawn after
that; then it writes one JSON line to PATH (`time.monotonic()` of that moment, which is the
same clock in every process of the machine, and the peak resident set so far) and exits.
benchmarks/probe_frame.py starts `support24` and a bare Textual app this way in a pty.
Without the variable this does nothing. Imports only the standard library, so the bare app
pays the same for it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

ENV = "SUPPORT24_FIRST_FRAME"
POLL_SECONDS = 0.005


def settled(app: Any, ready: Callable[[], bool] = lambda: True) -> bool:
    """The shown screen has nothing left to do: no worker, no message waiting, nothing to lay out or repaint."""
    if not ready():
        return False
    if any(not worker.is_finished for worker in app.workers):
        return False
    screen = app.screen
    if screen._layout_required or screen._repaint_required or screen._dirty_widgets:
        return False
    nodes = [app, screen, *screen.walk_children(with_self=False)]
    return all(node._is_mounted and node._message_queue.empty() for node in nodes)


def _peak_rss_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def watch_first_frame(app: Any, ready: Callable[[], bool] = lambda: True) -> None:
    """Start watching (only with SUPPORT24_FIRST_FRAME set); `ready`: the screen to wait for is shown."""
    path = os.environ.get(ENV)
    if not path:
        return
    state: dict[str, Any] = {"done": False}

    def confirm() -> None:
        if state["done"]:
            return
        if not settled(app, ready):
            timer.resume()
            return
        state["done"] = True
        line = {
            "monotonic": time.monotonic(),
            "cpu": time.process_time(),
            "vmhwm_kib": _peak_rss_kib(),
            "screen": type(app.screen).__name__,
        }
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
        app.exit()

    def check() -> None:
        if state["done"] or not settled(app, ready):
            return
        timer.pause()
        app.screen.call_after_refresh(confirm)  # runs once the screen has been painted

    timer = app.set_interval(POLL_SECONDS, check, name="first-frame")
