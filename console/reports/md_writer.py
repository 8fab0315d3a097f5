"""The access report as Markdown: the same content as the HTML, for mail bodies and archives.

Every value from the database is escaped so that it shows literally: Markdown and HTML
punctuation gets a backslash, and line breaks inside a table cell become `<br>`.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from .texts import texts
from .views import ReportView

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")  # emphasis, links, HTML, headings, table cells
_LINE_START = re.compile(r"^(\s*)([-+=])|^(\s*\d+)([.)])", re.MULTILINE)  # list items, setext underlines


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(3)}\\{match.group(4)}"


def escape_md(value: Any) -> str:
    """Literal text in Markdown: special characters backslash-escaped, line breaks kept as <br>."""
    text = "" if value is None else str(value)
    escaped = _LINE_START.sub(_escape_line_start, _SPECIAL.sub(r"\\\1", text))
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def _table(headers: Iterable[str], rows: list[list[str]]) -> str:
    if not rows:
        return ""
    headers = list(headers)
    lines = ["| " + " | ".join(escape_md(h) or " " for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(escape_md(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {escape_md(item)}" for item in items) + "\n"


def _section(level: int, title: str, content: str) -> str:
    return f"{'#' * level} {escape_md(title)}\n\n{content}\n" if content else ""


def render(document: dict[str, Any]) -> str:
    """The Markdown text of the report."""
    view = ReportView(document)
    t = texts(view.lang)
    info = view.info
    parts = [
        f"# {escape_md(t['title'])}\n\n{escape_md(t['subtitle'])}\n",
        _section(2, t["controller"], "  \n".join(escape_md(line) for line in view.controller_lines()) + "\n"),
        _section(2, t["request"], _table(["", ""], view.request_rows())),
        f"## {escape_md(t['information'])}\n",
        _section(3, t["purposes"], _bullets(p["text"] for p in info["purposes"])),
        _section(3, t["categories"], _table([t["category"], t["retention"], t["records"]], view.category_rows())),
        _section(3, t["recipients"], _bullets(r["text"] for r in info["recipients"])),
        _section(3, t["disclosures"], _table(view.disclosure_headers(), view.disclosure_rows())
                 or escape_md(t["no_disclosures"]) + "\n"),
        _section(3, t["source"], escape_md(info["source"]) + "\n"),
        _section(3, t["rights"], _bullets(r["text"] for r in info["rights"]) + "\n" + escape_md(t["requests_text"]) + "\n"),
        _section(3, t["complaint"], escape_md(info["complaint"]["text"]) + "\n"),
        _section(3, t["automated"], escape_md(info["automated_decisions"]) + "\n"),
        _section(3, t["transmission"], escape_md(info["transmission_note"]) + "\n"),
        _section(2, t["matches"], _table([t["kind"], t["ref"], ""], view.match_rows())),
        f"## {escape_md(t['data'])}\n",
    ]
    for title, headers, rows in view.flat_tables():
        parts.append(_section(3, title, _table(headers, rows)))
    for session in view.sessions():
        parts.append(_section(3, session.title, _table(["", ""], session.facts)))
        for title, headers, rows in session.tables:
            parts.append(_section(4, title, _table(headers, rows)))
        if session.has_recordings:
            parts.append(escape_md(t["video_note"]) + "\n")
    parts.append(f"{escape_md(t['generated_at'])}: {escape_md(view.generated)} · "
                 f"{escape_md(t['policy_version'])}: {escape_md(document['policy_version'])}\n")
    return "\n".join(p for p in parts if p)
