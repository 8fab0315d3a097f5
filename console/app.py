"""The Textual console. Placeholder until the screens land: operator, database, counts."""
from __future__ import annotations

from .context import Context


def run_console(ctx: Context) -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static
    from rich.text import Text

    from models import stats
    from models.i18n import _

    target = ctx.open()
    operator = ctx.operator()

    class Support24App(App[None]):
        TITLE = "support24"

        def compose(self) -> ComposeResult:
            yield Header()
            lines = [f"{_('Operator')}: {operator.name} ({operator.username})", f"{_('Database')}: {target.describe()}", ""]
            lines += [f"{name:<16} {count}" for name, count in stats.counts().items()]
            yield Static(Text("\n".join(lines)))
            yield Footer()

    Support24App().run()
    return 0
