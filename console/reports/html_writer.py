"""The access report as one self-contained HTML page that prints cleanly on A4.

Every value from the database is escaped (`html.escape`), so a name or chat line holding
markup is shown literally. No scripts, no external resources. Written as it is read, table
row by table row, so a large report is never held whole.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from html import escape
from typing import Any, TextIO

from console.reports.document import ReportDocument
from console.reports.texts import texts
from console.reports.views import ReportView

STYLE = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.35; color: #000; }
h1 { font-size: 16pt; margin: 0 0 2mm 0; }
h2 { font-size: 13pt; margin: 6mm 0 2mm 0; border-bottom: 0.3mm solid #444; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm 0; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm 0; }
th, td { border: 0.2mm solid #888; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
thead { display: table-header-group; }
tr, pre { page-break-inside: avoid; }
td, pre { overflow-wrap: anywhere; word-break: break-word; }
pre { white-space: pre-wrap; font-size: 8.5pt; margin: 0; }
.controller { float: right; text-align: right; font-size: 9pt; }
.session { page-break-inside: auto; }
.muted { color: #444; font-size: 9pt; }
@media screen { body { max-width: 180mm; margin: 10mm auto; } }
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _rows(rows: Iterable[Iterable[Any]], pre_columns: frozenset[int]) -> Iterator[str]:
    for row in rows:
        cells = [f"<td><pre>{_e(v)}</pre></td>" if i in pre_columns else f"<td>{_e(v)}</td>" for i, v in enumerate(row)]
        yield "<tr>" + "".join(cells) + "</tr>"


def _write_table(
    out: TextIO,
    title: str | None,
    level: int,
    headers: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    pre_columns: frozenset[int] = frozenset(),
    empty: str = "",
) -> None:
    """A table (under its heading) written row by row as the rows are read; nothing for no rows unless `empty`."""
    lines = _rows(rows, pre_columns)
    first = next(lines, None)
    if first is None and not empty:
        return
    if title is not None:
        out.write(f"<h{level}>{_e(title)}</h{level}>\n")
    if first is None:
        out.write(f"{empty}\n")
        return
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    out.write(f"<table><thead><tr>{head}</tr></thead><tbody>{first}")
    for line in lines:
        out.write(line)
    out.write("</tbody></table>\n")


def _section(title: str, content: str, level: int = 2) -> str:
    return f"<h{level}>{_e(title)}</h{level}>\n{content}\n" if content else ""


def _list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def write(document: ReportDocument, out: TextIO) -> None:
    """Write the HTML text of the report to `out`, the tables row by row."""
    view = ReportView(document)
    t = texts(view.lang)
    info = view.info
    out.write(
        f'<!DOCTYPE html>\n<html lang="{_e(view.lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(t['title'])} {_e(view.request['ref'])}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    )
    out.write('<div class="controller">' + "<br>".join(_e(line) for line in view.controller_lines()) + "</div>\n")
    out.write(f'<h1>{_e(t["title"])}</h1>\n<p class="muted">{_e(t["subtitle"])}</p>\n')
    _write_table(out, None, 0, [t["request"], ""], view.request_rows())
    out.write(f"<h2>{_e(t['information'])}</h2>\n")
    out.write(_section(t["purposes"], _list(p["text"] for p in info["purposes"]), 3))
    _write_table(out, t["categories"], 3, [t["category"], t["retention"], t["records"]], view.category_rows())
    out.write(_section(t["recipients"], _list(r["text"] for r in info["recipients"]), 3))
    _write_table(
        out,
        t["disclosures"],
        3,
        view.disclosure_headers(),
        view.disclosure_rows(),
        empty=f"<p>{_e(t['no_disclosures'])}</p>",
    )
    out.write(_section(t["source"], f"<p>{_e(info['source'])}</p>", 3))
    out.write(_section(t["rights"], _list(r["text"] for r in info["rights"]) + f"<p>{_e(t['requests_text'])}</p>", 3))
    out.write(_section(t["complaint"], f"<p>{_e(info['complaint']['text'])}</p>", 3))
    out.write(_section(t["automated"], f"<p>{_e(info['automated_decisions'])}</p>", 3))
    out.write(_section(t["transmission"], f"<p>{_e(info['transmission_note'])}</p>", 3))
    _write_table(out, t["matches"], 2, [t["kind"], t["ref"], ""], view.match_rows())
    out.write(f"<h2>{_e(t['data'])}</h2>\n")
    for title, headers, rows in view.flat_tables():
        _write_table(out, title, 3, headers, rows)
    for session in view.sessions():
        out.write(f'<div class="session"><h3>{_e(session.title)}</h3>\n')
        _write_table(out, None, 0, ["", ""], session.facts)
        for title, headers, rows in session.tables:
            multiline = title.startswith((t["system_info"], t["chat"]))  # keep line breaks and indentation
            pre = frozenset({len(headers) - 1}) if multiline else frozenset()
            _write_table(out, title, 4, headers, rows, pre_columns=pre)
        if session.has_recordings:
            out.write(f'<p class="muted">{_e(t["video_note"])}</p>\n')
        out.write("</div>\n")
    out.write(
        f'<p class="muted">{_e(t["generated_at"])}: {_e(view.generated)} · '
        f"{_e(t['policy_version'])}: {_e(view.doc['policy_version'])}</p>\n"
    )
    out.write("</body>\n</html>\n")


def render(document: ReportDocument) -> str:
    """The whole HTML text (small reports and tests; exports stream with `write`)."""
    out = io.StringIO()
    write(document, out)
    return out.getvalue()
