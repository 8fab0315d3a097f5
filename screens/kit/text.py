"""Text safety (issue 6 §7): anything from outside is shown literally, never as markup."""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text

from models.core import clock
from models.core.text import strip_control


def literal(value: object, style: str = "") -> Text:
    """A rich Text that shows `value` exactly: no markup, no escape sequences, no links."""
    if value is None:
        return Text("", style=style)
    if isinstance(value, datetime):
        return Text(clock.format_berlin(value), style=style)
    if isinstance(value, date):
        return Text(clock.format_day(value), style=style)
    # ESC and other control characters are dropped; Text() never parses markup.
    return Text(
        strip_control(str(value)).replace("\n", " ⏎ ") if not isinstance(value, Text) else value.plain, style=style
    )


def multiline(value: object) -> Text:
    """Like `literal` but keeps line breaks (chat lines, system information)."""
    if value is None:
        return Text("")
    return Text(strip_control(str(value)))


def elapsed(since: datetime, until: datetime | None = None) -> str:
    """'1:05:09' from `since` to `until` (default: the application clock)."""
    seconds = max(0, int(((until or clock.now()) - since).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def show_day(day: date | None) -> str:
    """A date as forms and lists show it: DD.MM.YYYY."""
    return day.strftime("%d.%m.%Y") if day is not None else ""
