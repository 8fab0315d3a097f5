"""One access-report document (GDPR Art. 15) that the JSON, HTML and Markdown writers render.

The document is plain JSON data (docs/access-report.schema.json): the request, the
controller (P13), the Art. 15(1) information (purposes, categories with their retention
rule and count, recipients including every disclosure actually made, source, rights,
complaint), how each record was found, and the copy of the data (Art. 15(3)), each record
with its concrete deletion date or what that date still waits for.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timezone
from typing import Any

from models.access import Compilation
from models.policy import Policy, Rule

from ..config import Controller
from .texts import LANGUAGES, texts

SCHEMA_ID = "https://support-24.eu/schemas/access-report-1.json"
SCHEMA_VERSION = 1
POLICY_CATEGORIES = ("system_info", "gathered_files", "connection", "activity", "chat", "video", "billing",
                     "access_requests")
RIGHTS = ("rectification", "erasure", "restriction", "objection", "withdraw")
PURPOSES = ("fulfilment", "billing", "proof", "retention", "consent", "access")


def plain(value: Any) -> Any:
    """Dates as YYYY-MM-DD, instants as UTC ISO 8601 with Z, containers recursively."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
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
    parts = [t[f"unit_{unit}"].format(n=getattr(rule, unit)) for unit in ("years", "months", "days", "hours")
             if getattr(rule, unit)]
    rounding = t["end_of_year"] if rule.anchor_rounding == "end_of_year" else ""
    return f"{' '.join(parts)} {t['anchor_' + rule.anchor]}{rounding}"


def _deletion(deletion: dict[str, Any], lang: str) -> dict[str, Any]:
    t = texts(lang)
    day = deletion["due_on"]
    text = t["status_scheduled"].format(day=format_day(day, lang)) if day else t[f"status_{deletion['status']}"]
    return {"due_on": day, "status": deletion["status"], "text": text}


def _with_deletions(value: Any, lang: str) -> Any:
    """Every nested `deletion` gets its localized text; per-category deletions of sessions too."""
    if isinstance(value, list):
        return [_with_deletions(v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "deletion" and isinstance(item, dict) and "status" in item:
            out[key] = _deletion(item, lang)
        elif key == "deletion" and isinstance(item, dict):
            out[key] = {category: _deletion(d, lang) for category, d in item.items()}
        else:
            out[key] = _with_deletions(item, lang)
    return out


def _counts(data: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    sessions = data["sessions"]
    per_session = {key: sum(len(s[key]) for s in sessions) for key in
                   ("activity", "chat", "recordings", "system_info", "gathered_files", "consents", "disclosures")}
    return {
        "master": len(data["customers"]) + len(data["contacts"]),
        "connection": len(sessions), "activity": per_session["activity"], "chat": per_session["chat"],
        "video": per_session["recordings"], "system_info": per_session["system_info"],
        "gathered_files": per_session["gathered_files"],
        "consent": per_session["consents"] + per_session["disclosures"] + len(data["consents"]),
        "billing": len(data["billing_records"]), "access_requests": len(data["access_requests"]) + 1,
    }


def _categories(policy: Policy, counts: dict[str, int], lang: str) -> list[dict[str, Any]]:
    t = texts(lang)
    rows = [{"category": "master", "title": t["cat_master"], "clause": None, "retention": t["retention_master"],
             "records": counts["master"]}]
    for category in POLICY_CATEGORIES:
        rule = policy.rule(category)
        rows.append({"category": category, "title": t[f"cat_{category}"], "clause": rule.clause,
                     "retention": describe_rule(rule, lang), "records": counts[category]})
    rows.append({"category": "consent", "title": t["cat_consent"], "clause": "P4, P6, P11",
                 "retention": t["retention_consent"], "records": counts["consent"]})
    return rows


def _disclosures(data: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [dict(d, session_ref=s["ref"]) for s in data["sessions"] for d in s["disclosures"]]


def build_document(
    request: dict[str, Any], compilation: Compilation, data: dict[str, list[dict[str, Any]]], *,
    controller: Controller, policy: Policy, lang: str, generated_at: datetime,
) -> dict[str, Any]:
    """The report for one request; only included matches, never the excluded ones (another person's data)."""
    if lang not in LANGUAGES:
        raise ValueError(lang)
    t = texts(lang)
    included = compilation.included()
    document = {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "language": lang,
        "generated_at": generated_at,
        "policy_version": policy.version,
        "controller": asdict(controller),
        "request": _with_deletions(request, lang),
        "information": {
            "purposes": [{"purpose": p, "text": t[f"purpose_{p}"]} for p in PURPOSES],
            "categories": _categories(policy, _counts(data), lang),
            "recipients": [{"recipient": "accounting", "text": t["recipient_accounting"]},
                           {"recipient": "staff", "text": t["recipient_staff"]}],
            "disclosures": _disclosures(data),
            "source": t["source_text"],
            "rights": [{"right": r, "text": t[f"right_{r}"]} for r in RIGHTS],
            "complaint": {"authority": controller.supervisory_authority,
                          "text": t["complaint_text"].format(authority=controller.supervisory_authority)},
            "automated_decisions": t["automated_text"],
            "transmission_note": t["transmission_text"],
        },
        "matches": [{
            "kind": m.kind, "ref": m.ref, "label": m.label,
            "reasons": [{"code": r.code, "value": r.value, "text": t[f"reason_{r.code}"].format(value=r.value)}
                        for r in m.reasons],
        } for m in included],
        "data": _with_deletions(data, lang),
    }
    return plain(document)
