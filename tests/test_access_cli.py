"""`support24 access-request`: a letter taken from receipt to delivery with the CLI alone,
one JSON document with --json, exit 2 for steps out of order, exit 3 without the role."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import jsonschema
import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core.entities import AccessRequest, AuditEvent, Staff
from tests.support.access_seed import OTHER_SECRET, seed

ME = os_account()
SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "access-report.schema.json").read_text(encoding="utf-8"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def world(db: str, fixed_clock):
    return seed(officer_username=ME)


def test_a_letter_from_receipt_to_delivery(world, capsys, tmp_path: Path) -> None:
    code, out, _err = run(
        capsys,
        "access-request",
        "open",
        "--name",
        "Erika Weber",
        "--customer",
        "K-10042",
        "--received",
        "2026-11-24",
        "--channel",
        "letter",
        "--ip",
        "203.0.113.7",
        "--json",
    )
    assert code == 0 and json.loads(out) == {"ref": "AR-2026-0001", "due_on": "2026-12-24"}
    ref = "AR-2026-0001"
    code, out, err = run(capsys, "access-request", "export", ref, "--format", "html", "--out", str(tmp_path / "a.html"))
    assert code == 2 and out == "" and "identity is not verified" in err
    assert run(capsys, "access-request", "verify", ref, "--method", "Personalausweis im Büro")[0] == 0
    code, out, _err = run(capsys, "access-request", "compile", ref, "--json")
    matches = json.loads(out)["matches"]
    namesake = next(m for m in matches if m["ref"] == "K-30003")
    assert namesake["reasons"] == [{"code": "name", "value": "ERIKA WEBER"}]
    code, out, _err = run(
        capsys, "access-request", "exclude", ref, "customer", str(namesake["id"]), "--reason", "Namensvetterin"
    )
    assert code == 0
    session = next(
        m
        for m in json.loads(run(capsys, "access-request", "compile", ref, "--json")[1])["matches"]
        if m["ref"] == "S-2026-0003"
    )
    assert (
        run(capsys, "access-request", "exclude", ref, "session", str(session["id"]), "--reason", "andere Firma")[0] == 0
    )
    code, out, _err = run(capsys, "access-request", "compile", ref)
    assert code == 0 and "EXCLUDED: Namensvetterin" in out and "S-2026-0001" in out

    code, out, _err = run(
        capsys, "access-request", "export", ref, "--format", "json", "--out", str(tmp_path / "a.json"), "--json"
    )
    exported = json.loads(out)
    document = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    assert OTHER_SECRET not in json.dumps(document) and "K-30003" not in json.dumps(document)
    code, out, _err = run(
        capsys, "access-request", "export", ref, "--format", "md", "--lang", "en", "--out", str(tmp_path / "a.md")
    )
    assert code == 0 and "SHA-256" in out
    markdown = (tmp_path / "a.md").read_bytes()
    assert stat.S_IMODE((tmp_path / "a.md").stat().st_mode) == 0o600
    assert exported["sha256"] != hashlib.sha256(markdown).hexdigest()

    code, out, _err = run(capsys, "access-request", "deliver", ref, "--on", "2026-11-24", "--json")
    delivered = json.loads(out)
    assert code == 0 and delivered["state"] == "delivered"
    assert delivered["sha256"] == hashlib.sha256(markdown).hexdigest()  # the last export is what was sent
    code, _out, err = run(capsys, "access-request", "reject", ref, "--reason", "zu spät")
    assert code == 2 and "delivered already" in err
    actions = {e.action for e in AuditEvent.select().where(AuditEvent.ref == ref)}
    assert actions >= {
        "access.open",
        "access.verify",
        "access.compile",
        "access.exclude",
        "access.export",
        "access.deliver",
    }


def test_extension_rules_on_the_command_line(world, capsys) -> None:
    run(capsys, "access-request", "open", "--name", "Hans Maier", "--received", "2026-11-02", "--channel", "email")
    ref = "AR-2026-0001"
    code, out, _err = run(
        capsys, "access-request", "extend", ref, "--reason", "Umfang", "--notified", "2026-11-20", "--json"
    )
    assert code == 0 and json.loads(out) == {"ref": ref, "state": "received", "due_on": "2027-02-02"}
    code, _out, err = run(capsys, "access-request", "extend", ref, "--reason", "noch mal", "--notified", "2026-11-20")
    assert code == 2 and "second extension" in err
    code, _out, err = run(
        capsys, "access-request", "open", "--name", "X", "--received", "2026-13-01", "--channel", "fax"
    )
    assert code == 2 and "--received:" in err


def test_a_channel_or_state_the_model_does_not_know_is_refused_by_its_option(world, capsys) -> None:
    """The model's lists decide; the message names the option the user typed and what it may be."""
    code, out, err = run(
        capsys, "access-request", "open", "--name", "X", "--received", "2026-11-01", "--channel", "pigeon"
    )
    assert (code, out) == (2, "") and "--channel: 'pigeon' is not one of: letter, email, fax, in_person" in err
    assert AccessRequest.select().count() == 0
    code, out, err = run(capsys, "access-request", "list", "--state", "lost")
    assert (code, out) == (2, "") and "--state: 'lost' is not one of: received, verified," in err
    assert "open, closed" in err


def test_list_shows_days_left_and_flags_overdue(world, capsys) -> None:
    run(capsys, "access-request", "open", "--name", "Spät", "--received", "2026-10-20", "--channel", "letter")
    run(capsys, "access-request", "open", "--name", "Bald", "--received", "2026-11-20", "--channel", "letter")
    code, out, _err = run(capsys, "access-request", "list", "--json")
    rows = json.loads(out)["requests"]
    assert code == 0 and [(r["name"], r["days_left"], r["overdue"]) for r in rows] == [
        ("Spät", -4, True),
        ("Bald", 27, False),
    ]  # 20 Dec is a Sunday: due Mon 21 Dec
    code, out, _err = run(capsys, "access-request", "list")
    lines = out.splitlines()
    assert "OVERDUE" in lines[1] and "Spät" in lines[1] and "OVERDUE" not in lines[2]
    code, out, _err = run(capsys, "access-request", "list", "--state", "delivered")
    assert code == 0 and "No access requests." in out


def test_without_the_privacy_officer_role_exit_3(world, capsys) -> None:
    Staff.update(roles="technician").where(Staff.username == ME).execute()
    code, out, err = run(
        capsys, "access-request", "open", "--name", "X", "--received", "2026-11-20", "--channel", "letter"
    )
    assert code == 3 and out == "" and "privacy_officer" in err
    assert run(capsys, "access-request", "list")[0] == 3
    assert AccessRequest.select().count() == 0


def test_closing_and_export_follow_the_configured_policy_file(world, capsys, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    text = (Path(__file__).parent.parent / "console" / "settings" / "default_policy.toml").read_text(encoding="utf-8")
    text = text.replace('version = "2026-1"', 'version = "office-2"')
    text = text.replace('anchor = "request_closed"\nyears = 3', 'anchor = "request_closed"\nyears = 2')
    (config / "policy.toml").write_text(text, encoding="utf-8")
    run(capsys, "access-request", "open", "--name", "Erika Weber", "--received", "2026-11-24", "--channel", "letter")
    run(capsys, "access-request", "verify", "AR-2026-0001", "--method", "Ausweis")
    run(capsys, "access-request", "compile", "AR-2026-0001")
    code, out, _err = run(
        capsys, "access-request", "export", "AR-2026-0001", "--format", "json", "--out", str(tmp_path / "r.json")
    )
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert code == 0 and document["policy_version"].startswith("office-2")
    retention = {c["category"]: c["retention"] for c in document["information"]["categories"]}
    assert retention["access_requests"] == "2 Jahre nach Abschluss der Anfrage"
    assert run(capsys, "access-request", "reject", "AR-2026-0001", "--reason", "zurückgezogen")[0] == 0
    assert AccessRequest.get().due_at.year == 2028
