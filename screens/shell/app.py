"""The console app: modes from the registry, header, theme, and the one failure handler."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, cast

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.signal import Signal
from textual.theme import ThemeProvider

from console.settings.config import Settings
from models.core.entities import Staff
from models.core.errors import Busy, Support24Error
from models.core.i18n import _
from screens.kit.keys import key_of
from screens.kit.messages import WorkerFailed
from screens.shell.modes import MODE_SPECS, ModeSpec
from screens.shell.palette import ReferenceProvider
from screens.shell.theme import MONO, choose_theme, write_theme
from screens.shell.timer import PurgeScheduler, PurgeTimerMixin

# Seconds after the start before the other screens' code is imported, a module at a time: after
# the first frame (each step waits for the workers and a repaint), while the operator reads it.
PRELOAD_AFTER_SECONDS = 0.5
PRELOAD_STEP_SECONDS = 0.01  # between two modules: input and painting go on in between
PRELOAD_RETRY_SECONDS = 0.1  # while a worker runs (a screen loading its rows)


@dataclass(frozen=True)
class ConsoleInfo:
    """Facts the screens show about this console; built by console/cli/app.py."""

    operator_username: str
    operator_name: str
    database: str  # location for display, without a password
    data_dir: str
    schema_version: int
    policy_version: str
    refresh_seconds: float = 5.0


def mode_bindings() -> list[Binding]:
    """One binding per mode (id mode.<name>), grouped so the footer stays short at 80 columns."""
    group = Binding.Group(description=_("modes"), compact=True)
    return [
        Binding(item.key, f"app.switch_mode('{item.name}')", item.title, id=f"mode.{item.name}", group=group)
        for item in MODE_SPECS
    ]


class ConsoleApp(PurgeTimerMixin, App[None]):
    """The support24 console for one operator (DESIGN.md §2, §3, §11)."""

    TITLE = "support24"
    COMMANDS = App.COMMANDS | {ReferenceProvider}
    CSS_PATH = ["../styles/console.tcss", "../styles/screens2.tcss"]
    BINDINGS = [
        *mode_bindings(),
        Binding(key_of("theme").key, "change_theme", _("Theme"), id="app.theme", show=False),
        Binding(key_of("help").key, "screen_help", _("Help"), id="app.help", show=False),
        Binding(key_of("quit").key, "quit", _("Quit"), id="app.quit"),
        # Textual's own would say "palette" in every language.
        Binding(
            key_of("palette").key,
            "command_palette",
            _("palette"),
            id="app.command_palette",
            show=False,
            priority=True,
            tooltip=_("Open the command palette"),
        ),
    ]

    def __init__(
        self,
        operator: Staff,
        info: ConsoleInfo,
        *,
        start_mode: str = "dashboard",
        scheduler: PurgeScheduler | None = None,
        settings: Settings | None = None,
        config_dir: Path | None = None,
        environ: dict[str, str] | None = None,
        early_data: dict[str, Future[object]] | None = None,
    ) -> None:
        self.MODES = {item.name: partial(self.build_mode_screen, item) for item in MODE_SPECS}
        super().__init__()
        self.operator = operator
        self.info = info
        self.refresh_seconds = info.refresh_seconds
        self.start_mode = start_mode
        self.status_text = ""
        self.purge_scheduler = scheduler  # the purge timer (screens/shell/timer.py); None: no timer
        self.settings = settings  # when run for real (controller, language); None: the defaults
        self.status_changed: Signal[str] = Signal(self, "status-changed")  # every ShellHeader listens
        self.config_dir = config_dir  # where the chosen theme is kept; None: not kept (tests)
        choose_theme(self, config_dir, environ)
        self.early_data = dict(early_data or {})  # mode -> its first data, read before the app started

    def take_early(self, mode: str) -> object | None:
        """The data read for `mode` before the app started (console/cli/app.py), once; None: read it
        now (nothing was read ahead, or that read failed: the screen's own read reports the failure)."""
        future = self.early_data.pop(mode, None)
        if future is None:
            return None
        try:
            return future.result()
        except Exception:
            return None

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self.theme_chosen)
        self.switch_mode(self.start_mode)
        self.watch_first_frame()
        self.set_timer(PRELOAD_AFTER_SECONDS, self.preload_screens)
        settings = self.settings
        first = settings.timer_first_run_seconds if settings is not None else None
        if self.purge_scheduler is not None:
            self.start_purge_timer(*(() if first is None else (first,)))
            self.announce_purge_timer()
        elif settings is not None:
            self.set_status(_("purge timer off in this console"))

    def preload_screens(self) -> None:
        """While the operator reads the first screen, import the code of the others (a third to a half
        of a first visit), so that switching to one builds and fills it without importing it first.

        One module per step, on the app's own thread and only while the screen is settled (no worker
        running, nothing waiting to be drawn): a thread that imports all of them at once would take
        turns with the screen being shown for the interpreter (and its import lock), and slow down
        exactly the switch it was meant to spare.
        """
        from screens.shell.first_frame import settled

        # Not before the screen shown has its data and has drawn it (on a busy machine the first frame
        # may come later than PRELOAD_AFTER_SECONDS): an import would hold that frame up.
        if not self.screen_stack:  # the app is closing
            return
        if not settled(self):
            self.set_timer(PRELOAD_RETRY_SECONDS, self.preload_screens)
            return
        self.call_after_refresh(self.preload_next_screen)  # what the workers brought is drawn first

    def preload_next_screen(self) -> None:
        for item in MODE_SPECS:
            name = f"screens.{item.screen.split(':')[0]}"
            if name not in sys.modules:
                importlib.import_module(name)
                self.set_timer(PRELOAD_STEP_SECONDS, self.preload_screens)
                return
        if gc.get_freeze_count():  # the process froze its start-up objects (console/cli/app.py): these too
            gc.freeze()  # that code lives as long as the app; the collector need not walk it again

    def build_mode_screen(self, item: ModeSpec) -> Screen:
        """Textual calls this when a mode is first shown; the new screen is styled as it mounts."""
        from screens.compat import mark_css_current

        screen = item.factory()()
        mark_css_current(self, screen)
        return screen

    def switch_mode(self, mode: str) -> Any:
        """Textual's switch; the screen left behind drops what it had drawn (screens/shell/memory.py)."""
        # Textual's empty default screen, left by the first switch, has drawn nothing worth shedding:
        # skipping it keeps ctypes and malloc_trim out of the time to the first frame.
        left = self.screen_stack[-1] if self.screen_stack and self.current_mode != self.DEFAULT_MODE else None
        result = super().switch_mode(mode)
        if left is not None and left is not self.screen:
            from screens.shell.memory import shed_drawn_lines

            shed_drawn_lines(left)
        return result

    def watch_first_frame(self) -> None:
        """For the start-up benchmark only (SUPPORT24_FIRST_FRAME, screens/shell/first_frame.py)."""
        if os.environ.get("SUPPORT24_FIRST_FRAME"):
            from screens.shell.first_frame import watch_first_frame

            watch_first_frame(self, lambda: self.current_mode == self.start_mode)

    def action_screen_help(self) -> None:
        """`?`: the keys of the current screen (and what each does), over it."""
        from screens.help.screen import ScreenHelp

        if isinstance(self.screen, ScreenHelp):
            return
        self.push_screen(ScreenHelp(self.screen))

    def announce_purge_timer(self) -> None:
        """Say on screen that this console deletes due data by itself, when, and how to switch it off."""
        scheduler = self.purge_scheduler
        if scheduler is None:
            return
        from models.core import clock

        interval = getattr(scheduler, "interval", None)
        minutes = (
            int(interval.total_seconds() // 60) if interval else getattr(self.settings, "timer_interval_minutes", 15)
        )
        self.notify(
            _(
                "The purge timer deletes due data by itself: first at {at}, then every {n} minutes. "
                "Switch it off with console_purge = false under [timer] in config.toml."
            ).format(at=clock.format_berlin(scheduler.next_run_at)[-5:], n=minutes),
            title=_("Purge timer"),
            timeout=15,
            markup=False,
        )

    def theme_chosen(self, theme: Any) -> None:
        """^t or the palette changed the theme: mark mono for its rules, and keep the choice for the next start."""
        self.set_class(self.theme == MONO, "-mono")
        write_theme(self.config_dir, self.theme)

    def set_status(self, text: str) -> None:
        """Show a short status (e.g. the purge timer's last/next run) in every header."""
        self.status_text = text
        # The headers of every mode's screens, not only the visible one: a mode switched back to
        # shows no stale status.
        self.status_changed.publish(text)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for item in MODE_SPECS:
            yield SystemCommand(
                _("Go to {title}").format(title=item.title) + f" ({item.key})",
                item.help,
                partial(self.switch_mode, item.name),
            )
        yield SystemCommand(
            _("Unrecorded connections"),
            _("Connections in remote-tool logs with no console session (support24 ingest pending)"),
            self.show_unrecorded_connections,
        )
        for command in super().get_system_commands(screen):  # Textual's, in the console's language
            yield command._replace(title=_(command.title), help=_(command.help))

    def action_command_palette(self) -> None:
        """Textual's command palette, its search prompt in the console's language."""
        if self.use_command_palette and not CommandPalette.is_open(cast(Any, self)):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def search_themes(self) -> None:
        """The theme picker, its search prompt in the console's language."""
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def show_unrecorded_connections(self) -> None:
        from screens.ingest.screen import UnrecordedConnectionsScreen

        self.push_screen(UnrecordedConnectionsScreen())

    def on_worker_failed(self, message: WorkerFailed) -> None:
        """The one place a failed worker becomes a visible error (never a traceback)."""
        error = message.error
        if isinstance(error, Busy):  # a lock held by another console, the purge, or the purge lease
            self.notify(Text(str(error)).plain, title=_("Busy"), severity="warning", timeout=8, markup=False)
        elif isinstance(error, Support24Error):
            self.notify(Text(str(error)).plain, title=_("Refused"), severity="error", timeout=8, markup=False)
        else:
            self.log.error(f"worker {message.name} failed: {error!r}")
            self.notify(
                _("Something went wrong: {error}").format(error=f"{type(error).__name__}: {error}"),
                title=_("Error"),
                severity="error",
                timeout=10,
                markup=False,
            )
