"""The access report: every category of the subject's data and the Art. 15(1) information,
nothing of anyone else, a JSON document that meets its schema, escaped HTML and Markdown,
files written 0600 with their hash recorded, and audit events for every compile and export."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import jsonschema
import pytest

from console.reports import html_writer, md_writer
from console.reports.access_report import export_report, open_report, report_document
from console.reports.texts import DE, EN
from console.settings.config import Controller
from models.access import requests as access
from models.core.entities import AuditEvent, BillingRecord, LegalHold, Order
from models.core.errors import RuleViolation, ValidationError
from tests.support.access_seed import OTHER_SECRET, seed

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "access-report.schema.json").read_text(encoding="utf-8"))
CONTROLLER = Controller(city="Hanau <Main>")  # outside text with markup, from the configuration


@pytest.fixture
def world(db: str, fixed_clock):
    return seed()


@pytest.fixture
def ready(world) -> str:
    """Erika Weber's request, verified and compiled, the namesake customer and its session excluded."""
    request = access.open_request(
        world.officer,
        name="Erika Weber",
        received_on="2026-11-24",
        channel="letter",
        customer_number="K-10042",
        email="e.weber@mueller.example",
    )
    access.verify_identity(world.officer, request.ref, "Personalausweis vorgelegt")
    compilation = access.compile_request(world.officer, request.ref)
    for match in compilation.included():
        if match.ref in ("K-30003",) or (match.kind == "session" and match.ref == "S-2026-0003"):
            access.exclude_match(world.officer, request.ref, match.kind, match.id, "Namensvetterin")
    return request.ref


def _document(world, ref: str, lang: str = "de") -> dict:
    return report_document(world.officer, ref, controller=CONTROLLER, lang=lang)


def _report(world, ref: str, lang: str = "de"):
    return open_report(world.officer, ref, controller=CONTROLLER, lang=lang)


def test_the_report_holds_every_category_of_the_subject_and_nothing_of_anyone_else(world, ready) -> None:
    document = _document(world, ready)
    data = document["data"]
    [session] = data["sessions"]
    assert session["ref"] == "S-2026-0001" and session["customer_ip"] == "203.0.113.7"
    assert [a["file_name"] for a in session["activity"]] == ["drv.zip"]
    assert [m["text"] for m in session["chat"]] == ["Danke, <b>Erika</b> hier!"]
    assert {c["kind"] for c in session["consents"]} == {"screen_visibility", "additional_staff", "disclosure"}
    assert [d["recipient"] for d in session["disclosures"]] == ["Hersteller-Support XY"]
    assert [p["name"] for p in session["participants"]] == ["Jana Schulz"]
    assert session["system_info"][0]["data"]["os"] == "Windows 11 Pro"
    assert session["gathered_files"] and session["recordings"]
    assert [b["ref"] for b in data["billing_records"]] == ["B-2026-0001"]
    assert [c["name"] for c in data["contacts"]] == ["Erika Weber"]
    assert [c["number"] for c in data["customers"]] == ["K-10042"]
    text = json.dumps(document, ensure_ascii=False)
    for foreign in (OTHER_SECRET, "Hans Maier", "K-20001", "K-30003", "Namesake chat", "DESIGN-MAC", "Paul Müller"):
        assert foreign not in text


def test_the_art_15_1_information_is_complete(world, ready) -> None:
    info = _document(world, ready)["information"]
    assert [p["purpose"] for p in info["purposes"]] == [
        "fulfilment",
        "billing",
        "proof",
        "retention",
        "consent",
        "access",
    ]
    categories = {c["category"]: c for c in info["categories"]}
    assert set(categories) >= {
        "system_info",
        "gathered_files",
        "connection",
        "activity",
        "chat",
        "video",
        "billing",
        "consent",
        "access_requests",
    }
    assert categories["connection"]["retention"] == "3 Monate nach der Abrechnung"
    assert categories["billing"]["retention"] == "11 Jahre ab dem Tag der Sitzung"
    assert categories["chat"]["records"] == 1
    assert [r["recipient"] for r in info["recipients"]] == ["accounting", "staff"]
    assert info["disclosures"][0]["session_ref"] == "S-2026-0001"
    assert {r["right"] for r in info["rights"]} >= {"rectification", "erasure", "restriction", "objection"}
    assert "Der Hessische Beauftragte für Datenschutz und Informationsfreiheit" in info["complaint"]["text"]
    assert info["source"] and info["transmission_note"]


def test_each_record_has_its_concrete_deletion_date(world, ready) -> None:
    data = _document(world, ready)["data"]
    deletion = data["sessions"][0]["deletion"]
    assert deletion["system_info"]["due_on"] == "2026-11-22"  # 48 h after completion on 20 Nov
    assert deletion["chat"]["due_on"] == "2027-02-23"  # 3 months after billing on 23 Nov
    assert deletion["chat"]["text"] == "am 23.02.2027"
    assert data["billing_records"][0]["deletion"]["due_on"] == "2037-11-20"


def test_an_unbilled_order_says_deletion_waits_for_billing(world) -> None:
    request = access.open_request(world.officer, name="Hans Maier", received_on="2026-11-24", channel="email")
    access.verify_identity(world.officer, request.ref, "Rückruf")
    access.compile_request(world.officer, request.ref)
    session = _document(world, request.ref, "en")["data"]["sessions"][0]
    assert session["deletion"]["chat"] == {
        "due_on": None,
        "status": "after_billing",
        "text": EN["status_after_billing"],
    }
    assert session["deletion"]["system_info"]["status"] == "scheduled"


def test_the_json_document_meets_its_schema_in_both_languages(world, ready) -> None:
    for lang in ("de", "en"):
        jsonschema.Draft202012Validator(SCHEMA).validate(_document(world, ready, lang))


def test_the_schema_catches_a_broken_document(world, ready) -> None:
    document = _document(world, ready)
    del document["data"]["sessions"][0]["chat"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


def test_english_on_request(world, ready) -> None:
    assert _document(world, ready, "en")["language"] == "en"
    html = html_writer.render(_report(world, ready, "en"))
    assert '<html lang="en">' in html and EN["title"] in html and DE["title"] not in html


def test_html_escapes_outside_text_and_prints_on_a4(world, ready) -> None:
    html = html_writer.render(_report(world, ready))
    assert "@page { size: A4;" in html
    assert "Danke, &lt;b&gt;Erika&lt;/b&gt; hier!" in html and "<b>Erika</b>" not in html
    assert "Hanau &lt;Main&gt;" in html
    assert "<script" not in html and "http" not in html.split("</style>")[1]


def test_markdown_escapes_outside_text(world, ready) -> None:
    text = md_writer.render(_report(world, ready))
    assert r"Danke, \<b\>Erika\</b\> hier!" in text
    assert "| Erika Weber |" in text


def test_both_languages_have_the_same_texts() -> None:
    assert set(DE) == set(EN)


def test_export_writes_0600_records_the_hash_and_audits(world, ready, tmp_path: Path) -> None:
    before = AuditEvent.select().count()
    result = export_report(world.officer, ready, fmt="html", out=tmp_path / "auskunft.html", controller=CONTROLLER)
    content = (tmp_path / "auskunft.html").read_bytes()
    assert stat.S_IMODE((tmp_path / "auskunft.html").stat().st_mode) == 0o600
    assert result.sha256 == hashlib.sha256(content).hexdigest()
    request = access.get_request(ready)
    assert request.state == "reviewed" and request.exported_sha256 == result.sha256
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.id > before).order_by(AuditEvent.id)]
    assert actions == ["access.compile", "access.export"]
    delivered = access.deliver(world.officer, ready, "2026-11-24")
    assert delivered.delivered_sha256 == result.sha256


def test_one_export_checks_the_role_once_and_the_state_once(world, ready, tmp_path: Path, monkeypatch) -> None:
    """The permit carries both checks through compile, render and record; nothing asks again."""
    from models.access import requests as module

    checks: list[str] = []
    role, step = module.require_role, module.refuse_step
    monkeypatch.setattr(module, "require_role", lambda *a: checks.append("role") or role(*a))
    monkeypatch.setattr(module, "refuse_step", lambda *a: checks.append("state") or step(*a))
    export_report(world.officer, ready, fmt="json", out=tmp_path / "r.json", controller=CONTROLLER)
    assert checks == ["role", "state"]


def test_export_refusals_write_nothing(world, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    request = access.open_request(world.officer, name="Erika Weber", received_on="2026-11-24", channel="letter")
    out = tmp_path / "r.json"
    with pytest.raises(RuleViolation, match="identity is not verified"):
        export_report(world.officer, request.ref, fmt="json", out=out, controller=CONTROLLER)
    access.verify_identity(world.officer, request.ref, "Ausweis")
    access.compile_request(world.officer, request.ref)
    with pytest.raises(ValidationError, match="does not exist"):
        export_report(
            world.officer, request.ref, fmt="json", out=tmp_path / "nowhere" / "r.json", controller=CONTROLLER
        )
    with pytest.raises(ValidationError, match="language"):
        export_report(world.officer, request.ref, fmt="json", out=out, controller=CONTROLLER, lang="fr")
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.select().where(AuditEvent.action == "access.export").exists()


def test_restriction_of_billing_records_shows_in_the_report(world, ready) -> None:
    assert access.restrict_billing(world.officer, ready, "Löschung verlangt; Aufbewahrungspflicht P10") == 1
    record = BillingRecord.get(BillingRecord.ref == "B-2026-0001")
    assert record.restricted_at is not None
    assert BillingRecord.select().where(BillingRecord.restricted_at.is_null(False)).count() == 1
    billing = _document(world, ready)["data"]["billing_records"][0]
    assert billing["restriction_reason"] == "Löschung verlangt; Aufbewahrungspflicht P10"
    assert "Eingeschränkt (§ 35 Abs. 3 BDSG)" in html_writer.render(_report(world, ready))
    assert access.restrict_billing(world.officer, ready, "again") == 0  # restricted once, not re-stamped


def test_a_legal_hold_shows_instead_of_a_date(world, ready, fixed_clock) -> None:
    order = Order.get(Order.ref == "A-2026-0101")
    LegalHold.create(order=order, reason="Rechnung bestritten", placed_at=fixed_clock.current, placed_by="boss")
    session = _document(world, ready)["data"]["sessions"][0]
    assert {d["status"] for d in session["deletion"].values()} == {"held"}
    assert session["deletion"]["chat"]["text"] == DE["status_held"]
    assert _document(world, ready)["request"]["deletion"]["status"] == "after_closing"


def test_the_exported_json_file_is_the_whole_document_and_meets_the_schema(world, ready, tmp_path: Path) -> None:
    """The export writes record by record; the file still parses as one document, the same as read at once."""
    export_report(world.officer, ready, fmt="json", out=tmp_path / "r.json", controller=CONTROLLER)
    written = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(written)
    whole = _document(world, ready)
    assert {k: v for k, v in written.items() if k != "generated_at"} == {
        k: v for k, v in whole.items() if k != "generated_at"
    }
    lines = (tmp_path / "r.json").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith('{"ref":"S-2026-0001"') for line in lines)  # one compact record per line


def test_reading_in_pages_of_one_record_changes_nothing(world, ready, monkeypatch) -> None:
    from models.access import data as access_data
    from models.access import matching

    whole = _document(world, ready)
    texts = {
        fmt: render(_report(world, ready)) for fmt, render in (("html", html_writer.render), ("md", md_writer.render))
    }
    monkeypatch.setattr(access_data, "PAGE", 1)
    monkeypatch.setattr(matching, "CHUNK", 1)
    paged = _document(world, ready)
    assert {k: v for k, v in paged.items() if k != "generated_at"} == {
        k: v for k, v in whole.items() if k != "generated_at"
    }
    assert html_writer.render(_report(world, ready)) == texts["html"]
    assert md_writer.render(_report(world, ready)) == texts["md"]


def test_an_empty_section_is_an_empty_list_and_the_file_still_parses(world, tmp_path: Path) -> None:
    request = access.open_request(world.officer, name="Niemand Unbekannt", received_on="2026-11-24", channel="email")
    access.verify_identity(world.officer, request.ref, "Rückruf")
    access.compile_request(world.officer, request.ref)
    export_report(world.officer, request.ref, fmt="json", out=tmp_path / "r.json", controller=CONTROLLER)
    written = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(written)
    assert written["matches"] == [] and all(v == [] for v in written["data"].values())
    assert {c["category"]: c["records"] for c in written["information"]["categories"]}["access_requests"] == 1
