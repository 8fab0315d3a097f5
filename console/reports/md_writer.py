"""The access report as Markdown: the same content as the HTML, for mail bodies and archives.

Every value from the database is escaped so that it shows literally: Markdown and HTML
punctuation gets a backslash, and line breaks inside a table cell become `<br>`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any, TextIO

from console.reports.document import ReportDocument
from console.reports.texts import texts
from console.reports.views import ReportView

_LINE_START = re.compile(r"^(\s*)([-+=])|^(\s*\d+)([.)])", re.MULTILINE)  # list items, setext underlines


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(3)}\\{match.group(4)}"


# Emphasis, links, HTML, headings, table cells: each gets a backslash (one C pass per cell).
_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~&"})


def _may_start_a_list(text: str) -> bool:
    """Cheap test before the line-start pattern: only text with a line break, or starting with
    one of - + = or a digit, can hold a list item or an underline (millions of cells have neither)."""
    first = text.lstrip()[:1]
    return "\n" in text or first in ("-", "+", "=") or first.isdigit()


def escape_md(value: Any) -> str:
    """Literal text in Markdown: special characters backslash-escaped, line breaks kept as <br>."""
    text = "" if value is None else str(value)
    escaped = text.translate(_ESCAPES)
    if _may_start_a_list(escaped):
        escaped = _LINE_START.sub(_escape_line_start, escaped)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def _write_table(
    out: TextIO, level: int, title: str | None, headers: Iterable[str], rows: Iterable[list[str]], *, empty: str = ""
) -> None:
    """A table (under its heading) written row by row as the rows are read; nothing for no rows unless `empty`."""
    lines = ("| " + " | ".join(escape_md(v) for v in row) + " |\n" for row in rows)
    first = next(lines, None)
    if first is None and not empty:
        return
    if title is not None:
        out.write(f"{'#' * level} {escape_md(title)}\n\n")
    if first is None:
        out.write(f"{empty}\n\n")
        return
    headers = list(headers)
    out.write("| " + " | ".join(escape_md(h) or " " for h in headers) + " |\n")
    out.write("|" + "|".join("---" for _ in headers) + "|\n")
    out.write(first)
    for line in lines:
        out.write(line)
    out.write("\n\n")


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {escape_md(item)}" for item in items) + "\n"


def _section(level: int, title: str, content: str) -> str:
    return f"{'#' * level} {escape_md(title)}\n\n{content}\n\n" if content else ""


def write(document: ReportDocument, out: TextIO) -> None:
    """Write the Markdown text of the report to `out`, the tables row by row."""
    view = ReportView(document)
    t = texts(view.lang)
    info = view.info
    out.write(f"# {escape_md(t['title'])}\n\n{escape_md(t['subtitle'])}\n\n")
    out.write(_section(2, t["controller"], "  \n".join(escape_md(line) for line in view.controller_lines()) + "\n"))
    _write_table(out, 2, t["request"], ["", ""], view.request_rows())
    out.write(f"## {escape_md(t['information'])}\n\n")
    out.write(_section(3, t["purposes"], _bullets(p["text"] for p in info["purposes"])))
    _write_table(out, 3, t["categories"], [t["category"], t["retention"], t["records"]], view.category_rows())
    out.write(_section(3, t["recipients"], _bullets(r["text"] for r in info["recipients"])))
    _write_table(
        out,
        3,
        t["disclosures"],
        view.disclosure_headers(),
        view.disclosure_rows(),
        empty=escape_md(t["no_disclosures"]),
    )
    out.write(_section(3, t["source"], escape_md(info["source"]) + "\n"))
    out.write(
        _section(
            3, t["rights"], _bullets(r["text"] for r in info["rights"]) + "\n" + escape_md(t["requests_text"]) + "\n"
        )
    )
    out.write(_section(3, t["complaint"], escape_md(info["complaint"]["text"]) + "\n"))
    out.write(_section(3, t["automated"], escape_md(info["automated_decisions"]) + "\n"))
    out.write(_section(3, t["transmission"], escape_md(info["transmission_note"]) + "\n"))
    _write_table(out, 2, t["matches"], [t["kind"], t["ref"], ""], view.match_rows())
    out.write(f"## {escape_md(t['data'])}\n\n")
    for title, headers, rows in view.flat_tables():
        _write_table(out, 3, title, headers, rows)
    for session in view.sessions():
        _write_table(out, 3, session.title, ["", ""], session.facts)
        for title, headers, rows in session.tables:
            _write_table(out, 4, title, headers, rows)
        if session.has_recordings:
            out.write(escape_md(t["video_note"]) + "\n\n")
    out.write(
        f"{escape_md(t['generated_at'])}: {escape_md(view.generated)} · "
        f"{escape_md(t['policy_version'])}: {escape_md(view.doc['policy_version'])}\n"
    )


def render(document: ReportDocument) -> str:
    """The whole Markdown text (small reports and tests; exports stream with `write`)."""
    out = io.StringIO()
    write(document, out)
    return out.getvalue()
