"""The human-readable shape of a report document: labelled rows with Berlin times and localized
words, shared by the HTML and Markdown writers so both show the same content. Values stay raw
text here; each writer escapes them for its own format. Tables come as row iterators, read
from the document's sections as the writer goes, so a large report is never held whole."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from console.reports.document import ReportDocument, format_day
from console.reports.texts import texts, value_text
from models.core.clock import to_berlin

Row = list[str]


def format_bytes(size: int | None, lang: str) -> str:
    """A byte count with the language's thousands separator: '1.048.576 Bytes' / '1,048,576 bytes'."""
    if size is None:
        return ""
    text = f"{size:,}"
    return f"{text.replace(',', '.')} Bytes" if lang == "de" else f"{text} bytes"


Table = tuple[str, list[str], Iterable[Row]]


@dataclass
class SessionView:
    title: str
    facts: list[Row]
    tables: list[Table] = field(default_factory=list)
    has_recordings: bool = False


class ReportView:
    """Formats one document for people: days and times on the Berlin clock, yes/no, deletion texts."""

    def __init__(self, document: ReportDocument) -> None:
        self.document = document
        self.doc = document.head
        self.lang: str = document.lang
        self.t = texts(self.lang)
        self.request: dict[str, Any] = self.doc["request"]
        self.info: dict[str, Any] = self.doc["information"]
        self.generated = self.time(self.doc["generated_at"])

    def time(self, value: datetime | str | None) -> str:
        """An instant (aware datetime, or ISO text with Z) on the Berlin clock."""
        if not value:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return to_berlin(value).strftime("%d.%m.%Y %H:%M" if self.lang == "de" else "%Y-%m-%d %H:%M")

    def day(self, value: date | str | None) -> str:
        if isinstance(value, date):
            value = value.isoformat()
        return format_day(value, self.lang)

    def value(self, kind: str, raw: str | None) -> str:
        """An internal id (billing class, consent kind, …) in the report's words."""
        return value_text(self.lang, kind, raw)

    def values(self, kind: str, raws: Iterable[str]) -> str:
        return ", ".join(self.value(kind, raw) for raw in raws)

    def yes_no(self, value: bool | None) -> str:
        return self.t["yes"] if value else self.t["no"]

    def controller_lines(self) -> list[str]:
        c = self.doc["controller"]
        return [f"{c['name']} ({c['brand']})", c["office"], c["street"], f"{c['postal_code']} {c['city']}", c["email"]]

    def request_rows(self) -> list[Row]:
        r, t = self.request, self.t
        rows = [
            [t["ref"], r["ref"]],
            [t["name"], r["name"]],
            [t["email"], r["email"] or ""],
            [t["address"], r["address"] or ""],
            [t["customer_number"], r["customer_number"] or ""],
            [t["workstation"], ", ".join(r["workstations"])],
            [t["customer_ip"], ", ".join(r["ips"])],
            [t["received_on"], self.day(r["received_on"])],
            [t["channel"], t[f"channel_{r['channel']}"]],
            [t["due_on"], self.day(r["due_on"])],
        ]
        if r["extended_due_on"]:
            rows += [
                [t["extended_due_on"], self.day(r["extended_due_on"])],
                [t["extension_reason"], r["extension_reason"]],
            ]
        rows.append([t["verified"], f"{self.time(r['verified_at'])} ({r['verification_method'] or ''})"])
        return [row for row in rows if row[1]]

    def category_rows(self) -> list[Row]:
        return [[c["title"], c["retention"], str(c["records"])] for c in self.info["categories"]]

    def disclosure_headers(self) -> list[str]:
        t = self.t
        return [t["recipient"], t["category"], t["scope"], t["basis"], t["at"], t["informed_at"], t["sessions"]]

    def disclosure_rows(self) -> list[Row]:
        return [
            [
                d["recipient"],
                self.values("category", d["categories"]),
                d["scope"],
                self.value("basis", d["basis"]),
                self.time(d["at"]),
                self.time(d["customer_informed_at"]),
                d["session_ref"],
            ]
            for d in self.info["disclosures"]
        ]

    def match_rows(self) -> Iterator[Row]:
        return (
            [self.t[f"kind_{m['kind']}"], f"{m['ref']} ({self._label(m)})", "; ".join(r["text"] for r in m["reasons"])]
            for m in self.document.matches()
        )

    def _label(self, match: dict[str, Any]) -> str:
        """A match's label in the report's words: a day as the language writes it, a consent by its kind."""
        label = str(match["label"])
        if match["kind"] == "consent":
            return self.value("consent_kind", label)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", label):
            return self.day(label)
        return label

    def flat_tables(self) -> Iterator[Table]:
        """The tables of the copy besides the sessions; each table's rows are read as the writer takes them."""
        t, section = self.t, self.document.section
        yield (
            t["customers"],
            [t["customer_number"], t["name"], t["email"], t["address"], t["deletion"]],
            (
                [c["number"], c["name"], c["email"] or "", c["address"] or "", c["deletion"]["text"]]
                for c in section("customers")
            ),
        )
        yield (
            t["contacts"],
            [t["customer_number"], t["name"], t["email"], t["phone"], t["deletion"]],
            (
                [c["customer_number"], c["name"], c["email"] or "", c["phone"] or "", c["deletion"]["text"]]
                for c in section("contacts")
            ),
        )
        yield (
            t["orders"],
            [t["ref"], t["customer_number"], t["started_at"], t["ended_at"], t["billing_class"], t["detail"]],
            (
                [
                    o["ref"],
                    o["customer_number"],
                    self.time(o["opened_at"]),
                    self.time(o["completed_at"]),
                    self.value("billing_class", o["billing_class"]),
                    o["description"] or "",
                ]
                for o in section("orders")
            ),
        )
        yield (
            t["consents"],
            [t["ref"], t["sessions"], t["kind"], t["given_by"], t["method"], t["granted"], t["at"], t["deletion"]],
            (
                [
                    c["ref"],
                    c["session_ref"],
                    self.value("consent_kind", c["kind"]),
                    c["given_by"],
                    self.value("method", c["method"]),
                    self.yes_no(c["granted"]),
                    self.time(c["at"]),
                    c["deletion"]["text"],
                ]
                for c in section("consents")
            ),
        )
        yield (
            t["billing_records"],
            [
                t["ref"],
                t["session_date"],
                t["started_at"],
                t["ended_at"],
                t["duration"],
                t["name"],
                t["workstation"],
                t["billing_class"],
                t["deletion"],
            ],
            (
                [
                    b["ref"],
                    self.day(b["session_date"]),
                    self.time(b["started_at"]),
                    self.time(b["ended_at"]),
                    str(b["duration_minutes"]),
                    f"{b['customer_name']} ({b['customer_number']})",
                    b["workstation_or_employee"] or "",
                    self.value("billing_class", b["billing_class"]),
                    self._billing_deletion(b),
                ]
                for b in section("billing_records")
            ),
        )
        yield (
            t["access_requests"],
            [t["ref"], t["received_on"], t["channel"], t["state"], t["deletion"]],
            (
                [
                    r["ref"],
                    self.day(r["received_on"]),
                    t[f"channel_{r['channel']}"],
                    self.value("state", r["state"]),
                    r["deletion"]["text"],
                ]
                for r in section("access_requests")
            ),
        )

    def _billing_deletion(self, record: dict[str, Any]) -> str:
        text = record["deletion"]["text"]
        if record["restricted_at"]:
            text += (
                f"; {self.t['restricted']}: {self.time(record['restricted_at'])} {record['restriction_reason'] or ''}"
            )
        return text

    def sessions(self) -> Iterator[SessionView]:
        return (self._session(s) for s in self.document.section("sessions"))

    def _session(self, s: dict[str, Any]) -> SessionView:
        t = self.t
        deletion = s["deletion"]
        facts = [
            [t["started_at"], self.time(s["started_at"])],
            [t["ended_at"], self.time(s["ended_at"])],
            [t["customer_ip"], s["customer_ip"] or ""],
            [t["workstation"], s["workstation"] or ""],
            [t["customer_person"], s["customer_person"] or ""],
            [t["technician"], s["technician"]],
            [t["screen_private"], self.yes_no(s["screen_private"])],
            [t["kind_order"], s["order_ref"]],
            [f"{t['deletion']}: {t['cat_connection']}", deletion["connection"]["text"]],
        ]
        view = SessionView(
            t["session_heading"].format(ref=s["ref"]), [f for f in facts if f[1]], has_recordings=bool(s["recordings"])
        )
        tables: list[Table] = [
            (
                f"{t['activity']} ({deletion['activity']['text']})",
                [t["at"], t["action"], t["detail"], t["file"]],
                [
                    [self.time(a["at"]), self.value("action", a["action"]), a["detail"] or "", self._file(a)]
                    for a in s["activity"]
                ],
            ),
            (
                f"{t['chat']} ({deletion['chat']['text']})",
                [t["at"], t["sender"], t["text"]],
                [[self.time(m["at"]), self.value("sender", m["sender"]), m["text"]] for m in s["chat"]],
            ),
            (
                t["consents"],
                [t["ref"], t["kind"], t["given_by"], t["method"], t["granted"], t["at"]],
                [
                    [
                        c["ref"],
                        self.value("consent_kind", c["kind"]),
                        c["given_by"],
                        self.value("method", c["method"]),
                        self.yes_no(c["granted"]),
                        self.time(c["at"]),
                    ]
                    for c in s["consents"]
                ],
            ),
            (
                t["disclosures"],
                [t["recipient"], t["category"], t["scope"], t["basis"], t["informed_at"]],
                [
                    [
                        d["recipient"],
                        self.values("category", d["categories"]),
                        d["scope"],
                        self.value("basis", d["basis"]),
                        self.time(d["customer_informed_at"]),
                    ]
                    for d in s["disclosures"]
                ],
            ),
            (
                t["participants"],
                [t["name"], t["started_at"], t["ended_at"]],
                [[p["name"], self.time(p["joined_at"]), self.time(p["left_at"])] for p in s["participants"]],
            ),
            (
                f"{t['system_info']} ({deletion['system_info']['text']})",
                [t["at"], t["detail"]],
                [
                    [self.time(i["at"]), json.dumps(i["data"], ensure_ascii=False, indent=2, sort_keys=True)]
                    for i in s["system_info"]
                ],
            ),
            (
                f"{t['gathered_files']} ({deletion['gathered_files']['text']})",
                [t["at"], t["kind"], t["path"], "SHA-256"],
                [
                    [self.time(g["at"]), self.value("file_kind", g["kind"]), g["path"], g["sha256"] or ""]
                    for g in s["gathered_files"]
                ],
            ),
            (
                f"{t['recordings']} ({deletion['video']['text']})",
                [t["path"], t["started_at"], t["ended_at"], "SHA-256"],
                [
                    [r["path"], self.time(r["started_at"]), self.time(r["ended_at"]), r["sha256"] or ""]
                    for r in s["recordings"]
                ],
            ),
        ]
        view.tables = [table for table in tables if table[2]]
        return view

    def _file(self, a: dict[str, Any]) -> str:
        if not a["file_name"]:
            return ""
        size = format_bytes(a["file_size"], self.lang)
        return f"{a['file_name']} ({self.value('direction', a['direction'])}, {size}, SHA-256 {a['file_sha256']})"
