"""What an OS account that is not (or no longer) in the staff register sees: what to do."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static

from models.core.i18n import _


class RefusalApp(App[None]):
    """A clear screen instead of a guest mode (DESIGN.md §3)."""

    TITLE = "support24"
    CSS_PATH = "../styles/console.tcss"
    BINDINGS = [Binding("q,escape,ctrl+q", "quit", _("Quit"), id="app.quit")]

    def __init__(self, account: str, reason: str) -> None:
        super().__init__()
        self.account = account
        self.reason = reason

    def compose(self) -> ComposeResult:
        body = Text()
        body.append(_("support24 cannot open the console for this account.") + "\n\n", style="bold")
        body.append(self.reason + "\n\n")
        body.append(_("What to do:") + "\n", style="bold")
        body.append(_("• Ask an administrator to register you: Staff and customers (key 8) → Register staff,") + "\n")
        body.append(
            _("  with your account name, roles and the date of your written confidentiality commitment.") + "\n"
        )
        body.append(_("• On a new installation, run once:") + "\n")
        body.append(
            _("  support24 init --admin {user} --name 'Your Name' --commitment-date YYYY-MM-DD").format(
                user=self.account
            )
            + "\n"
        )
        with Vertical(classes="refusal"):
            yield Static(body, id="refusal-text")
        yield Footer()
