"""The access report as one self-contained HTML page that prints cleanly on A4.

Every value from the database is escaped (`html.escape`), so a name or chat line holding
markup is shown literally. No scripts, no external resources.
"""
from __future__ import annotations

from html import escape
from typing import Any, Iterable

from .texts import texts
from .views import ReportView

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


def _table(headers: Iterable[str], rows: Iterable[Iterable[Any]], *, pre_columns: frozenset[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = [f"<td><pre>{_e(v)}</pre></td>" if i in pre_columns else f"<td>{_e(v)}</td>" for i, v in enumerate(row)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        return ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _section(title: str, content: str, level: int = 2) -> str:
    return f"<h{level}>{_e(title)}</h{level}>\n{content}\n" if content else ""


def render(document: dict[str, Any]) -> str:
    """The HTML text of the report."""
    view = ReportView(document)
    t = texts(view.lang)
    parts = [
        f'<!DOCTYPE html>\n<html lang="{_e(view.lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(t['title'])} {_e(view.request['ref'])}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        '<div class="controller">' + "<br>".join(_e(line) for line in view.controller_lines()) + "</div>",
        f"<h1>{_e(t['title'])}</h1>\n<p class=\"muted\">{_e(t['subtitle'])}</p>",
        _table([t["request"], ""], view.request_rows()),
        f"<h2>{_e(t['information'])}</h2>",
        _section(t["purposes"], "<ul>" + "".join(f"<li>{_e(p['text'])}</li>" for p in view.info["purposes"]) + "</ul>", 3),
        _section(t["categories"], _table([t["category"], t["retention"], t["records"]], view.category_rows()), 3),
        _section(t["recipients"], "<ul>" + "".join(f"<li>{_e(r['text'])}</li>" for r in view.info["recipients"]) + "</ul>", 3),
        _section(t["disclosures"], _table(view.disclosure_headers(), view.disclosure_rows())
                 or f"<p>{_e(t['no_disclosures'])}</p>", 3),
        _section(t["source"], f"<p>{_e(view.info['source'])}</p>", 3),
        _section(t["rights"], "<ul>" + "".join(f"<li>{_e(r['text'])}</li>" for r in view.info["rights"]) + "</ul>"
                 + f"<p>{_e(t['requests_text'])}</p>", 3),
        _section(t["complaint"], f"<p>{_e(view.info['complaint']['text'])}</p>", 3),
        _section(t["automated"], f"<p>{_e(view.info['automated_decisions'])}</p>", 3),
        _section(t["transmission"], f"<p>{_e(view.info['transmission_note'])}</p>", 3),
        _section(t["matches"], _table([t["kind"], t["ref"], ""], view.match_rows())),
        f"<h2>{_e(t['data'])}</h2>",
    ]
    for title, headers, rows in view.flat_tables():
        parts.append(_section(title, _table(headers, rows), 3))
    for session in view.sessions():
        parts.append(f'<div class="session"><h3>{_e(session.title)}</h3>')
        parts.append(_table(["", ""], session.facts))
        for title, headers, rows in session.tables:
            multiline = title.startswith((t["system_info"], t["chat"]))  # keep line breaks and indentation
            pre = frozenset({len(headers) - 1}) if multiline else frozenset()
            parts.append(_section(title, _table(headers, rows, pre_columns=pre), 4))
        if session.has_recordings:
            parts.append(f"<p class=\"muted\">{_e(t['video_note'])}</p>")
        parts.append("</div>")
    parts.append(f"<p class=\"muted\">{_e(t['generated_at'])}: {_e(view.generated)} · "
                 f"{_e(t['policy_version'])}: {_e(document['policy_version'])}</p>")
    parts.append("</body>\n</html>\n")
    return "\n".join(p for p in parts if p)

