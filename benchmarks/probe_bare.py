"""The baseline of the start-up benchmark: a bare Textual app with a 50-row DataTable.

Run as a script (`python benchmarks/probe_bare.py`), as `support24` is, in a pty by
benchmarks/probe_frame.py; with SUPPORT24_FIRST_FRAME=PATH it notes its first full frame
there and exits, exactly as the console does (screens/shell/first_frame.py).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


def fill_baseline_table(table: DataTable) -> None:
    """The 50 rows every baseline of the UI benchmarks draws (probe.py uses it too, so they stay alike)."""
    table.add_columns("ref", "customer", "started", "ended", "technician")
    for n in range(50):
        table.add_row(f"S-2026-{n:04d}", f"Kunde {n}", "24.11.2026 09:00", "24.11.2026 09:40", "mmueller")


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        fill_baseline_table(self.query_one(DataTable))
        from screens.shell.first_frame import watch_first_frame

        watch_first_frame(self)


if __name__ == "__main__":
    Bare().run()
