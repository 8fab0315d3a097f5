"""The base of data screens: lazily paged tables filled by thread workers, live refresh.

A PagedTable asks a fetch function (a models/ query) for one page at a time in a thread
worker and receives it as a typed message; scrolling near the end loads the next page by
keyset. A MainScreen refreshes its tables with a one-shot timer that is re-armed after each
refresh, and only while the screen is the visible one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, cast

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState

from models.browse.paging import MAX_LIMIT, ListQuery, Page, SortKey
from models.core.db import worker_connection
from models.core.entities import Staff
from models.core.i18n import _
from screens.compat import keep_mount_styles
from screens.kit.columns import ColumnSpec, column, fit, lay_out
from screens.kit.host import host
from screens.kit.keys import bind, shown
from screens.kit.messages import WorkerFailed
from screens.shell.chrome import ModeBar, QuietFooter, ShellHeader

Fetch = Callable[..., Page[Any]]  # (after, limit), or (after, limit, ListQuery) for a list that sorts or filters
Render = Callable[[Any], Sequence[Text | str]]


class ForwardFailures:
    """Mixin: a failed worker of this node becomes a WorkerFailed message for the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            cast(Any, self).post_message(WorkerFailed(event.worker.name, event.worker.error))


class PagedTable(ForwardFailures, DataTable):
    """A DataTable that loads pages lazily from a models/ query in a thread worker."""

    class PageLoaded(Message):
        def __init__(self, generation: int, page: Page[Any], replace: bool, force: bool = False) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.replace = replace
            self.force = force

    class Loaded(Message):
        """Bubbles after a (re)load settled, failed or not; the screen re-arms its timer."""

        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

    def __init__(
        self,
        columns: Sequence[ColumnSpec],
        fetch: Fetch,
        render: Render,
        *,
        page_size: int = 50,
        key: Callable[[Any], str] = lambda row: str(row.key),
        sorts: Sequence[SortKey] = (),
        filterable: bool = False,
        filter_placeholder: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.columns_spec = [column(spec) for spec in columns]
        self.fetch = fetch
        self.render_row = render
        self.row_key = key
        self.page_size = page_size
        self.rows_by_key: dict[str, Any] = {}
        self.next_after: tuple[Any, ...] | None = None
        self.generation = 0
        self.loading_page = False
        self.prefer_key: str | None = None
        self.sorts = list(sorts)
        self.filterable = filterable
        self.filter_placeholder = filter_placeholder  # what `/` matches here, if not the usual prefixes
        self.list_query = ListQuery()

    def on_mount(self) -> None:
        self.add_columns_for_width(self.estimated_room())

    # -- columns for the width (the rule: screens/kit/columns.py) ------------------------------
    def estimated_room(self) -> int:
        """Before the first layout: the terminal's width less the gutters around the table and its scrollbar."""
        room = self.app.size.width
        for node in self.ancestors_with_self:
            if isinstance(node, Screen):
                break
            room -= node.styles.gutter.width + node.styles.margin.width
        return room - self.styles.scrollbar_size_vertical

    def room(self) -> int:
        """The cells a row may take: the content width less the vertical scrollbar (kept free, shown or not)."""
        return self.size.width - self.styles.scrollbar_size_vertical

    def add_columns_for_width(self, room: int) -> None:
        """The columns chosen and shortened for `room` cells, so that none hides off-screen."""
        self.shown = lay_out(self.columns_spec, room, self.cell_padding, getattr(self, "natural", None))
        for placed in self.shown:
            # A header is plain text (its width above is its cell length): as Text, DataTable does not
            # parse it as markup, which would import rich's emoji table (half a megabyte) for nothing.
            self.add_column(Text(placed.header), key=placed.key, width=placed.width)

    def cells(self, row: Any) -> list[Text | str]:
        rendered = list(self.render_row(row))
        return [fit(rendered[placed.index], placed.width) for placed in self.shown]

    def has_column(self, key: str) -> bool:
        return any(placed.key == key for placed in self.shown)

    def current_room(self) -> int:
        return self.room() if self.size.width > 0 else self.estimated_room()

    def widen_for(self, rows: Sequence[Any]) -> None:
        """Note how wide the cells of the growing columns (names, details) are; lay out again if that changes."""
        growing = [i for i, col in enumerate(self.columns_spec) if col.most]
        if not growing or not rows:
            return
        natural = getattr(self, "natural", None) or {}
        for row in rows:
            rendered = self.render_row(row)
            for i in growing:
                cell = rendered[i]
                natural[i] = max(natural.get(i, 0), cell.cell_len if isinstance(cell, Text) else Text(cell).cell_len)
        self.natural = natural
        self.lay_out_again(self.current_room())

    def on_resize(self) -> None:
        """Laid out again for the new width; rows kept, the cursor on the same row."""
        if self.size.width > 0:
            self.lay_out_again(self.room())

    def lay_out_again(self, room: int) -> None:
        shown = lay_out(self.columns_spec, room, self.cell_padding, getattr(self, "natural", None))
        if shown == getattr(self, "shown", None):
            return
        selected = self.selected_key()
        self.clear(columns=True)
        self.add_columns_for_width(room)
        for key, row in self.rows_by_key.items():
            self.add_row(*self.cells(row), key=key)
        if selected in self.rows_by_key:
            self.move_cursor(row=self.get_row_index(selected), animate=False)

    # -- loading ---------------------------------------------------------------------
    def select_when_loaded(self, key: str) -> None:
        """Put the cursor on `key` once a load brings it (e.g. the batch or session just created)."""
        self.prefer_key = key
        self.follow_preferred()

    def follow_preferred(self) -> bool:
        if self.prefer_key is None or self.prefer_key not in self.rows_by_key:
            return False
        self.move_cursor(row=self.get_row_index(self.prefer_key), animate=False)
        self.prefer_key = None
        return True

    def reload(self) -> None:
        """Fetch from the start again, as many rows as are shown now (at least one page)."""
        self.generation += 1
        self.loading_page = True
        self._load(self.generation, None, max(self.page_size, len(self.rows_by_key)), True)

    def restart(self) -> None:
        """Start over from the first page, e.g. after the filter changed."""
        self.generation += 1
        self.loading_page = True
        self._load(self.generation, None, self.page_size, True, True)

    def load_more(self) -> None:
        if self.next_after is None or self.loading_page:
            return
        self.loading_page = True
        self._load(self.generation, self.next_after, self.page_size, False)

    @work(thread=True, exit_on_error=False, group="page")
    def _load(
        self, generation: int, after: tuple[Any, ...] | None, limit: int, replace: bool, force: bool = False
    ) -> None:
        with worker_connection():
            page = self.fetch_rows(after, limit)
        self.post_message(self.PageLoaded(generation, page, replace, force))

    def fetch_rows(self, after: tuple[Any, ...] | None, limit: int) -> Page[Any]:
        """`limit` rows, page after page: a reload of a list scrolled far down brings every row shown
        again (one query brings at most MAX_LIMIT), so the cursor stays where it was."""
        rows: list[Any] = []
        while True:
            page = self.fetch_page(after, min(limit - len(rows), MAX_LIMIT))
            rows.extend(page.rows)
            if page.after is None or len(rows) >= limit or not page.rows:
                return Page(rows, page.after)
            after = page.after

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.loading_page = False
            self.post_message(self.Loaded(self))

    @on(PageLoaded)
    def _apply_page(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return  # a newer reload (e.g. a changed filter) superseded this page
        self.loading_page = False
        self.next_after = message.page.after
        if message.replace and not message.force and list(message.page.rows) == list(self.rows_by_key.values()):
            self.follow_preferred()
            self.post_message(self.Loaded(self))  # nothing changed: keep the table as it is
            return
        if message.replace:
            selected = self.selected_key()
            self.clear()
            self.rows_by_key.clear()
            self.natural = {}
        self.widen_for(message.page.rows)
        for row in message.page.rows:
            key = self.row_key(row)
            if key in self.rows_by_key:
                continue
            self.rows_by_key[key] = row
            self.add_row(*self.cells(row), key=key)
        if self.follow_preferred():
            pass
        elif message.replace and selected in self.rows_by_key:
            self.move_cursor(row=self.get_row_index(selected), animate=False)
        if message.replace:
            self.post_message(self.Loaded(self))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.row_count - 5:
            self.load_more()

    # -- filter and sort (the `/` and `o` keys) -------------------------------------------
    def fetch_page(self, after: tuple[Any, ...] | None, limit: int) -> Page[Any]:
        """A list that sorts or filters gets its ListQuery as a third argument; the others (after, limit)."""
        if self.sorts or self.filterable:
            return cast(Any, self.fetch)(after, limit, self.list_query)
        return self.fetch(after, limit)

    def sort_text(self) -> str:
        if not self.sorts:
            return ""
        wanted = self.list_query.sort or self.sorts[0].name
        sort = next(item for item in self.sorts if item.name == wanted)
        descending = sort.descending if self.list_query.descending is None else self.list_query.descending
        return _("sorted by {column} {direction}").format(column=_(sort.label), direction="↓" if descending else "↑")

    def cycle_sort(self) -> str:
        """The next sort: this column the other way round, then the next column; from the first page again."""
        names = [item.name for item in self.sorts]
        current = self.list_query.sort or names[0]
        sort = self.sorts[names.index(current)]
        descending = sort.descending if self.list_query.descending is None else self.list_query.descending
        if descending == sort.descending:  # the natural direction: now the other way round
            wanted = ListQuery(self.list_query.text, sort.name, not descending)
        else:
            following = self.sorts[(names.index(current) + 1) % len(names)]
            wanted = ListQuery(self.list_query.text, following.name, following.descending)
        self.list_query = wanted
        self.restart()
        return self.sort_text()

    def filter_by(self, text: str) -> None:
        """Filter on the database by `text` (the list's own indexed prefixes) and start from the first page."""
        self.list_query = ListQuery(text.strip(), self.list_query.sort, self.list_query.descending)
        self.restart()

    # -- selection -------------------------------------------------------------------
    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except Exception:  # no valid cursor
            return None

    def selected(self) -> Any | None:
        key = self.selected_key()
        return self.rows_by_key.get(key) if key is not None else None


class QuickFilter(Input):
    """The `/` filter of one list: Enter filters on the database, Esc clears it and goes back to the list."""

    BINDINGS = [Binding("escape", "clear_filter", _("Back"), show=False)]

    def __init__(self, table: PagedTable) -> None:
        super().__init__(
            value=table.list_query.text,
            placeholder=table.filter_placeholder
            or _("filter: start of a ref, name or number — enter filters, esc clears"),
            id=f"filter-{table.id}",
            classes="quick-filter",
        )
        self.table = table

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.filter_by(event.value)
        self.table.focus()
        if not event.value.strip():
            self.remove()

    def action_clear_filter(self) -> None:
        self.table.filter_by("")
        self.table.focus()
        self.remove()


class ListKeys:
    """`/` and `o` for every list of a screen: the focused list (or the first) is filtered or sorted."""

    def list_target(self) -> PagedTable | None:
        node: Any = self
        focused = node.focused
        if isinstance(focused, PagedTable):
            return focused
        if isinstance(focused, QuickFilter):
            return focused.table
        tables = [table for table in node.query(PagedTable) if table.display and table.is_on_screen]
        return tables[0] if tables else None

    def say(self, text: str) -> None:
        node: Any = self
        if hasattr(node, "hint"):
            node.hint(text)
        else:
            node.notify(text, markup=False)

    def action_filter(self) -> None:
        node: Any = self
        table = self.list_target()
        if table is None or not table.filterable:
            self.say(_("This list has no filter."))
            return
        existing = node.query(f"#filter-{table.id}").results(QuickFilter)
        box = next(iter(existing), None)
        if box is None:
            box = QuickFilter(table)
            cast(Any, table.parent).mount(box, before=table)
        box.focus()

    def action_sort(self) -> None:
        table = self.list_target()
        if table is None or not table.sorts:
            self.say(_("This list has one order only."))
            return
        text = table.cycle_sort()
        self.say(text + "  " + _("({key}: the next)").format(key=shown("sort")))


class MainScreen(ListKeys, ForwardFailures, Screen[None]):
    """A mode's screen: header, mode bar, the body, a hint line, footer, and live refresh."""

    MODE: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = [bind("filter"), bind("sort")]

    def __init__(self) -> None:
        super().__init__()
        self.refresh_timer: Timer | None = None
        self.refresh_pending = False
        self.left_once = False  # until the operator first leaves it, its styles are those of its mount

    @property
    def operator(self) -> Staff:
        return host(self).operator

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        yield ModeBar(self.MODE)
        yield from self.compose_body()
        yield Static("", id="hint", classes="hint")
        yield QuietFooter(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def hint(self, text: str | Text) -> None:
        """A line above the footer: why an action is disabled, what a result was."""
        self.query_one("#hint", Static).update(text if isinstance(text, Text) else Text(text))

    def on_mount(self) -> None:
        self.refresh_data()

    # -- live refresh ------------------------------------------------------------------
    def refresh_data(self) -> None:
        """Reload every table of the screen (and whatever else the screen shows)."""
        for table in self.query(PagedTable):
            table.reload()

    def on_paged_table_loaded(self, message: PagedTable.Loaded) -> None:
        self.arm_refresh()

    def arm_refresh(self) -> None:
        """One one-shot timer at a time: the next refresh is planned only after this one."""
        if self.refresh_timer is not None:
            self.refresh_timer.stop()
        seconds = host(self).refresh_seconds
        self.refresh_timer = self.set_timer(seconds, self.refresh_tick)

    def refresh_tick(self) -> None:
        """The timer's callback: refresh if visible, else remember to refresh on return."""
        self.refresh_timer = None
        if self.app.screen is not self:
            self.refresh_pending = True
            return
        self.refresh_data()

    def on_screen_suspend(self) -> None:
        self.left_once = True

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self.left_once:
            keep_mount_styles(event)  # styled as it mounted just now (screens/compat.py)
        if self.refresh_pending:
            self.refresh_pending = False
            self.refresh_data()
