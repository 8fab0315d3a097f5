"""One access-report document (GDPR Art. 15) that the JSON, HTML and Markdown writers render.

The document is JSON data (docs/access-report.schema.json), written as it is read: the request, the
controller (P13), the Art. 15(1) information (purposes, categories with their retention
rule and count, recipients including every disclosure actually made, source, rights,
complaint), how each record was found, and the copy of the data (Art. 15(3)), each record
with its concrete deletion date or what that date still waits for.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import date, datetime, timezone
from typing import Any

from console.reports.texts import LANGUAGES, texts
from console.settings.config import Controller
from models.access.data import SubjectData
from models.access.report_json import JsonText
from models.access.requests import Compilation
from models.retention.policy import Policy, Rule

SCHEMA_ID = "https://support-24.eu/schemas/access-report-1.json"
SCHEMA_VERSION = 1
POLICY_CATEGORIES = (
    "system_info",
    "gathered_files",
    "connection",
    "activity",
    "chat",
    "video",
    "billing",
    "access_requests",
)
RIGHTS = ("rectification", "erasure", "restriction", "objection", "withdraw")
PURPOSES = ("fulfilment", "billing", "proof", "retention", "consent", "access")


def plain(value: Any) -> Any:
    """Dates as YYYY-MM-DD, instants as UTC ISO 8601 with Z, containers recursively."""
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def format_day(day: str | None, lang: str) -> str:
    """A YYYY-MM-DD day as the reader writes it: 02.03.2026 in German, 2026-03-02 in English."""
    if not day:
        return ""
    return date.fromisoformat(day).strftime("%d.%m.%Y") if lang == "de" else day


def describe_rule(rule: Rule, lang: str) -> str:
    """'3 Monate nach der Abrechnung' / '3 months after billing'."""
    t = texts(lang)
    parts = [
        t[f"unit_{unit}"].format(n=getattr(rule, unit))
        for unit in ("years", "months", "days", "hours")
        if getattr(rule, unit)
    ]
    rounding = t["end_of_year"] if rule.anchor_rounding == "end_of_year" else ""
    return f"{' '.join(parts)} {t['anchor_' + rule.anchor]}{rounding}"


def _categories(policy: Policy, counts: dict[str, int], lang: str) -> list[dict[str, Any]]:
    t = texts(lang)
    rows = [
        {
            "category": "master",
            "title": t["cat_master"],
            "clause": None,
            "retention": t["retention_master"],
            "records": counts["master"],
        }
    ]
    for category in POLICY_CATEGORIES:
        rule = policy.rule(category)
        rows.append(
            {
                "category": category,
                "title": t[f"cat_{category}"],
                "clause": rule.clause,
                "retention": describe_rule(rule, lang),
                "records": counts[category],
            }
        )
    rows.append(
        {
            "category": "consent",
            "title": t["cat_consent"],
            "clause": "P4, P6, P11",
            "retention": t["retention_consent"],
            "records": counts["consent"],
        }
    )
    return rows


PROGRESS_EVERY = 500  # records written between two progress reports
Progress = Callable[[int, int], None]  # (done, total)
DATA_KEYS = ("customers", "contacts", "orders", "sessions", "consents", "billing_records", "access_requests")


def instant(value: datetime) -> str:
    """An instant as UTC ISO 8601 with Z (the values come as aware UTC datetimes; others are converted)."""
    if value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    return value.isoformat(timespec="seconds")[:-6] + "Z"  # drops "+00:00"


def json_value(value: Any) -> Any:
    """`default` for the JSON encoder: dates and instants as in `plain`, so records need no copy first."""
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _record_encoder() -> Callable[[Any], str]:
    """Compact UTF-8 JSON of one record. The C encoder is made once and called per record, since
    `JSONEncoder.encode` makes a new one on every call (a third of the time for small records)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=json_value).encode
    encoder = make(None, json_value, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda record: "".join(encoder(record, 0))


compact = _record_encoder()  # compact JSON as the JSON writer writes it: records, and pieces made once


class ReportDocument:
    """One access report (GDPR Art. 15), read as it is written.

    `head` is the document before its matches: request, controller, the Art. 15(1)
    information with the number of records per category (counted over the indexes). The
    matches and the copy of the data follow as iterators of records, the large kinds read
    page by page from the database, so a report of any size is never held whole. Records
    keep Python dates and instants (`json_value` and `plain` write them); each deletion
    carries its localized text, made once per distinct date and status.
    """

    def __init__(
        self,
        request: dict[str, Any],
        compilation: Compilation,
        data: SubjectData,
        *,
        controller: Controller,
        policy: Policy,
        lang: str,
        generated_at: datetime,
        progress: Progress | None = None,
    ) -> None:
        if lang not in LANGUAGES:
            raise ValueError(lang)
        self.lang = lang
        self._progress = progress
        self._written = 0
        self.compilation = compilation
        self.data = data
        self._t = texts(lang)
        self._texts: dict[tuple[str | None, str], dict[str, Any]] = {}
        self._per_order: dict[tuple[tuple[str, str | None, str], ...], dict[str, Any]] = {}
        self._by_identity: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._json: dict[int, tuple[dict[str, Any], JsonText]] = {}
        t = self._t
        self.head: dict[str, Any] = plain(
            {
                "$schema": SCHEMA_ID,
                "schema_version": SCHEMA_VERSION,
                "language": lang,
                "generated_at": generated_at,
                "policy_version": policy.version,
                "controller": asdict(controller),
                "request": dict(request, deletion=self.deletion(request["deletion"])),
                "information": {
                    "purposes": [{"purpose": p, "text": t[f"purpose_{p}"]} for p in PURPOSES],
                    "categories": _categories(policy, data.counts(), lang),
                    "recipients": [
                        {"recipient": "accounting", "text": t["recipient_accounting"]},
                        {"recipient": "staff", "text": t["recipient_staff"]},
                    ],
                    "disclosures": data.disclosures(),
                    "source": t["source_text"],
                    "rights": [{"right": r, "text": t[f"right_{r}"]} for r in RIGHTS],
                    "complaint": {
                        "authority": controller.supervisory_authority,
                        "text": t["complaint_text"].format(authority=controller.supervisory_authority),
                    },
                    "automated_decisions": t["automated_text"],
                    "transmission_note": t["transmission_text"],
                },
            }
        )
        self.total_records = sum(1 for m in compilation.matches if not m.excluded) + data.sizes()
        if progress is not None:
            progress(0, self.total_records)

    def deletion(self, deletion: dict[str, Any]) -> dict[str, Any]:
        """A deletion with its text: 'am 23.02.2027' or what the date waits for (shared, not copied)."""
        key = (deletion["due_on"], deletion["status"])
        done = self._texts.get(key)
        if done is None:
            day = deletion["due_on"]
            text = (
                self._t["status_scheduled"].format(day=format_day(day, self.lang))
                if day
                else self._t[f"status_{deletion['status']}"]
            )
            done = self._texts[key] = {"due_on": day, "status": deletion["status"], "text": text}
        return done

    def _session_deletion(self, per_category: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The texts of a session's deletions; the data layer shares one dict per set of dates
        (`access_data.OrderDues`), so most sessions are one lookup by identity."""
        seen = self._by_identity.get(id(per_category))
        if seen is not None and seen[0] is per_category:
            return seen[1]
        key = tuple((c, d["due_on"], d["status"]) for c, d in per_category.items())
        done = self._per_order.get(key)
        if done is None:
            done = self._per_order[key] = {c: self.deletion(d) for c, d in per_category.items()}
        self._by_identity[id(per_category)] = (per_category, done)  # holding it keeps the id its own
        return done

    def _count(self, records: Iterator[Any]) -> Iterator[Any]:
        """`records`, telling `progress` every PROGRESS_EVERY records and at the last one."""
        progress, total = self._progress, self.total_records
        if progress is None:
            yield from records
            return
        for record in records:
            yield record
            self._written += 1
            if self._written % PROGRESS_EVERY == 0 or self._written == total:
                progress(self._written, total)

    def matches(self, *, encoded: bool = False) -> Iterator[Any]:
        """How each included record was found; never the excluded ones (another person's data).
        With `encoded` (the JSON writer), each match comes as its JSON text (`JsonText`)."""
        return self._count(self._encoded_matches() if encoded else self._matches())

    def _encoded_matches(self) -> Iterator[JsonText]:
        """As `_matches`, written as JSON: the same text, each reason written once (tens of thousands of
        matches share a few reasons)."""
        t, string = self._t, json.encoder.encode_basestring
        reasons: dict[int, str] = {}  # by the Reason object (the matches hold them while this runs)
        kinds: dict[str, str] = {}

        def reason_text(r: Any) -> str:
            text = reasons[id(r)] = compact(
                {"code": r.code, "value": r.value, "text": t[f"reason_{r.code}"].format(value=r.value)}
            )
            return text

        for m in self.compilation.matches:
            if m.excluded:
                continue
            if len(m.reasons) == 1:
                r = m.reasons[0]
                texts = reasons.get(id(r)) or reason_text(r)
            else:
                texts = ",".join(reasons.get(id(r)) or reason_text(r) for r in m.reasons)
            kind = kinds.get(m.kind) or kinds.setdefault(m.kind, string(m.kind))
            yield JsonText(f'{{"kind":{kind},"ref":{string(m.ref)},"label":{string(m.label)},"reasons":[{texts}]}}')

    def _matches(self) -> Iterator[dict[str, Any]]:
        t = self._t
        for m in self.compilation.matches:
            if m.excluded:
                continue
            yield {
                "kind": m.kind,
                "ref": m.ref,
                "label": m.label,
                "reasons": [
                    {"code": r.code, "value": r.value, "text": t[f"reason_{r.code}"].format(value=r.value)}
                    for r in m.reasons
                ],
            }

    def section(self, key: str, *, encoded: bool = False) -> Iterator[dict[str, Any]]:
        """The records of one kind of the copy (DATA_KEYS), in report order, deletions with their texts.
        With `encoded` (the JSON writer), lists may hold records as JSON text (`access_json.JsonArray`)."""
        if key not in DATA_KEYS:
            raise ValueError(key)
        return self._count(self._section(key, encoded=encoded))

    def _as_json(self, texts: dict[str, Any]) -> JsonText:
        """A shared deletion (with its texts) as JSON text, made once per distinct one."""
        done = self._json.get(id(texts))
        if done is None or done[0] is not texts:
            done = self._json[id(texts)] = (texts, JsonText(compact(texts)))  # holding it keeps the id its own
        return done[1]

    def _section(self, key: str, *, encoded: bool) -> Iterator[dict[str, Any]]:
        if key in ("sessions", "orders", "billing_records"):
            records = getattr(self.data, key)(encoded=encoded)
        else:
            records = getattr(self.data, key)()
        if key == "sessions" and encoded:
            as_json, per_session = self._as_json, self._session_deletion
            for record in records:
                record["deletion"] = as_json(per_session(record["deletion"]))
                yield record
        elif key == "sessions":
            for record in records:
                record["deletion"] = self._session_deletion(record["deletion"])
                yield record
        elif key == "orders":
            yield from records
        elif encoded:
            # the data layer shares one deletion dict per date (billing records): its text by identity
            as_json, deletion = self._as_json, self.deletion
            seen: dict[int, tuple[dict[str, Any], JsonText]] = {}
            for record in records:
                given = record["deletion"]
                done = seen.get(id(given))
                if done is None or done[0] is not given:
                    done = seen[id(given)] = (given, as_json(deletion(given)))  # holding it keeps the id its own
                record["deletion"] = done[1]
                yield record
        else:
            for record in records:
                record["deletion"] = self.deletion(record["deletion"])
                yield record

    def as_dict(self) -> dict[str, Any]:
        """The whole document at once (tests and small reports; the writers stream instead)."""
        document = dict(self.head)
        document["matches"] = list(self.matches())
        document["data"] = plain({key: list(self.section(key)) for key in DATA_KEYS})
        return document


def build_document(
    request: dict[str, Any],
    compilation: Compilation,
    data: SubjectData,
    *,
    controller: Controller,
    policy: Policy,
    lang: str,
    generated_at: datetime,
    progress: Progress | None = None,
) -> ReportDocument:
    """The report for one request; only included matches, never the excluded ones (another person's data).
    `progress(done, total)` hears as records are written, every PROGRESS_EVERY records and at the last."""
    return ReportDocument(
        request,
        compilation,
        data,
        controller=controller,
        policy=policy,
        lang=lang,
        generated_at=generated_at,
        progress=progress,
    )
