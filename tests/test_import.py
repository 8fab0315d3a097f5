"""The JSON Lines import: all or nothing, every bad line named, idempotent, dry-run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from console.importing.importer import run_import
from models.core import audit, stats
from models.core.entities import (
    ActivityEvent,
    AuditEvent,
    BillingRecord,
    ChatMessage,
    Consent,
    ContactPerson,
    Order,
    Participant,
    RemoteSession,
    Staff,
)
from models.core.errors import PermissionDenied
from tests.support import factories as f
from tests.support.importing import S, sample, write_jsonl


@pytest.fixture
def operator(db: str, fixed_clock) -> Staff:
    return f.staff("root", roles="admin technician accounting", name="Rita Root")


def _import(operator: Staff, tmp_path: Path, lines, **kwargs):
    return run_import(operator, write_jsonl(tmp_path / "in.jsonl", lines), **kwargs)


def test_complete_file_is_stored_through_the_domain(operator, tmp_path: Path) -> None:
    result = _import(operator, tmp_path, sample())
    assert result.ok, result.problems
    assert result.counts["consent"]["created"] == 3 and result.counts["contact"]["created"] == 2
    session = RemoteSession.get(RemoteSession.ref == S)
    assert (session.screen_private, session.customer_ip, session.tool, session.external_id) == (
        False,
        "203.0.113.7",
        "teamviewer",
        "7d1c",
    )
    upload = ActivityEvent.get()
    assert (upload.direction, upload.file_size, upload.file_name) == (
        "upload",
        1048576,
        "drv.zip",
    )  # direction inferred
    order = Order.get(Order.ref == "A-2026-0001")
    assert order.billed_on == date(2026, 3, 31) and order.records_due_at is not None
    record = BillingRecord.get()
    assert (record.session_ref, record.duration_minutes, record.billing_class) == (S, 40, "contract")
    assert result.billing_records == 1
    participant = Participant.get()
    assert participant.consent is not None and participant.left_at == session.ended_at
    assert audit.verify().ok
    assert {"session.start", "consent.record", "billing.create", "order.billed", "import.run"} <= {
        e.action for e in AuditEvent.select(AuditEvent.action)
    }


def test_reimport_changes_nothing_and_writes_no_audit(operator, tmp_path: Path) -> None:
    assert _import(operator, tmp_path, sample()).ok
    before, events = stats.counts(), AuditEvent.select().count()
    again = _import(operator, tmp_path, sample())
    assert again.ok and again.changed() == 0
    assert all(c["created"] == 0 and c["updated"] == 0 for c in again.counts.values())
    assert again.counts["activity"]["skipped"] == 1 and again.counts["session"]["skipped"] == 1
    assert stats.counts() == before
    assert AuditEvent.select().count() == events


def test_dry_run_reports_and_writes_nothing(operator, tmp_path: Path) -> None:
    before = stats.counts()
    result = _import(operator, tmp_path, sample(), dry_run=True)
    assert result.ok and result.dry_run
    assert result.counts["session"]["created"] == 1 and result.counts["chat"]["created"] == 1
    assert stats.counts() == before
    assert Staff.select().count() == 1


def test_several_bad_lines_are_each_named_and_nothing_is_stored(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[1]["username"] = "Jana S"  # line 2
    lines[2]["number"] = "10042"  # line 3
    lines[7]["file"]["sha256"] = "nope"  # line 8
    lines[8]["at"] = "2026-03-02T09:06:00"  # line 9: no time zone
    lines.append("{not json")  # line 17
    lines.append({"type": "invoice"})  # line 18
    before = stats.counts()
    result = _import(operator, tmp_path, lines)
    assert not result.ok
    found = {(n, field) for n, field, _p in result.problems}
    assert {(2, "username"), (3, "number"), (8, "file.sha256"), (9, "at"), (17, "json"), (18, "type")} <= found
    assert stats.counts() == before and Staff.select().count() == 1


def test_references_may_point_to_lines_further_down(operator, tmp_path: Path) -> None:
    lines = list(reversed(sample()))  # children first, their session, order, customer and staff last
    result = _import(operator, tmp_path, lines)
    assert result.ok, result.problems
    assert Consent.select().count() == 3


def test_consent_counts_by_its_time_not_its_line(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[11]["at"] = "2026-03-02T09:21:00Z"  # additional_staff consent given after jschulz joined at 09:20
    result = _import(operator, tmp_path, lines)
    assert [(n, field) for n, field, _p in result.problems] == [(13, "joined_at")]
    assert "P6" in result.problems[0][2]
    assert RemoteSession.select().count() == 0


def test_shared_screen_needs_consent_at_or_before_start(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[6]["at"] = "2026-03-02T09:01:00Z"
    result = _import(operator, tmp_path, lines)
    assert [(n, field) for n, field, _p in result.problems] == [(6, "screen_private")]


def test_refused_consent_later_than_grant_wins(operator, tmp_path: Path) -> None:
    lines = sample()
    lines.insert(
        0,
        {
            "type": "consent",
            "session": S,
            "kind": "screen_visibility",
            "given_by": "Erika Weber",
            "method": "verbal",
            "granted": False,
            "at": "2026-03-02T08:59:30Z",
        },
    )
    result = _import(operator, tmp_path, lines)
    assert [field for _n, field, _p in result.problems] == ["screen_private"]


def test_uncommitted_technician_is_refused_by_name(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[0]["commitment_signed_on"] = "2026-05-01"  # after the session day
    result = _import(operator, tmp_path, lines)
    assert (6, "technician") in {(n, field) for n, field, _p in result.problems}
    assert any("Max Müller" in p for _n, _f, p in result.problems)


def test_disclosure_on_consent_needs_disclosure_consent(operator, tmp_path: Path) -> None:
    lines = [line for line in sample() if line.get("kind") != "disclosure"]
    result = _import(operator, tmp_path, lines)
    assert [(field, "P11" in problem) for _n, field, problem in result.problems] == [("basis", True)]


def test_order_lifecycle_is_checked(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[4]["completed_at"] = "2026-03-02T09:30:00Z"  # before the session ended at 09:40
    lines[4]["billed_at"] = "2026-03-01"  # before completion
    result = _import(operator, tmp_path, lines)
    problems = {(n, field) for n, field, _p in result.problems}
    assert problems == {(5, "completed_at"), (5, "billed_at")}


def test_order_cannot_complete_while_a_session_runs(operator, tmp_path: Path) -> None:
    lines = sample()
    del lines[5]["ended_at"]
    result = _import(operator, tmp_path, lines)
    assert any(n == 5 and "has not ended" in p for n, _f, p in result.problems)


def test_timestamps_more_than_five_minutes_ahead_are_refused(operator, tmp_path: Path, fixed_clock) -> None:
    lines = sample()
    lines[8]["at"] = "2026-11-24T10:06:00Z"
    result = _import(operator, tmp_path, lines)
    assert [(n, field) for n, field, _p in result.problems] == [(9, "at")]


def test_later_file_completes_and_bills_an_order(operator, tmp_path: Path) -> None:
    first = sample()
    del first[4]["completed_at"], first[4]["billed_at"], first[5]["ended_at"]
    first = [line for line in first if line["type"] != "recording"]
    assert _import(operator, tmp_path, first).ok
    assert RemoteSession.get().ended_at is None and BillingRecord.select().count() == 0
    result = _import(operator, tmp_path, sample())
    assert result.ok, result.problems
    assert result.counts["order"]["updated"] == 1 and result.counts["session"]["updated"] == 1
    assert result.counts["recording"]["created"] == 1 and result.counts["chat"]["skipped"] == 1
    assert BillingRecord.select().count() == 1 and Order.get().billed_on == date(2026, 3, 31)


def test_changed_stored_values_are_reported_not_overwritten(operator, tmp_path: Path) -> None:
    assert _import(operator, tmp_path, sample()).ok
    lines = sample()
    lines[5]["started_at"] = "2026-03-02T09:01:00Z"
    lines[4]["billed_at"] = "2026-04-01"
    result = _import(operator, tmp_path, lines)
    assert {(n, field) for n, field, _p in result.problems} == {(6, "started_at"), (5, "billed_at")}


def test_same_key_defined_twice_differently_is_refused(operator, tmp_path: Path) -> None:
    lines = sample()
    lines.append(dict(lines[2], name="Bäckerei Schmitt"))
    result = _import(operator, tmp_path, lines)
    assert [(n, field) for n, field, _p in result.problems] == [(17, "line")]


def test_identical_activity_lines_are_kept_and_reimport_skips_both(operator, tmp_path: Path) -> None:
    lines = sample()
    lines.append(dict(lines[7]))
    assert _import(operator, tmp_path, lines).ok
    assert ActivityEvent.select().count() == 2
    again = _import(operator, tmp_path, lines)
    assert again.counts["activity"] == {"created": 0, "updated": 0, "skipped": 2, "purged": 0}
    assert ActivityEvent.select().count() == 2


def test_session_known_by_tool_and_external_id(operator, tmp_path: Path) -> None:
    lines = sample()
    del lines[5]["ref"]
    for line in lines:
        if line.get("session") == S:
            line["session"] = "teamviewer:7d1c"
    result = _import(operator, tmp_path, lines)
    assert result.ok, result.problems
    session = RemoteSession.get()
    assert session.ref.startswith("S-2026-") and ChatMessage.get().session_id == session.id
    assert _import(operator, tmp_path, lines).changed() == 0


def test_external_id_of_another_stored_session_is_refused(operator, tmp_path: Path) -> None:
    assert _import(operator, tmp_path, sample()).ok
    lines = [line for line in sample() if line["type"] in ("staff", "customer", "order")]
    lines.append(dict(sample()[5], ref="S-2026-0002"))
    result = _import(operator, tmp_path, lines)
    assert (len(lines), "external_id") in {(n, field) for n, field, _p in result.problems}


def test_control_characters_stripped_from_text_and_refused_in_names(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[8]["text"] = "Danke\x1b[31m!\nBis bald"
    assert _import(operator, tmp_path, lines).ok
    assert ChatMessage.get().text == "Danke[31m!\nBis bald"
    lines = sample()
    lines[3]["name"] = "Paul\x1b]0;x\x07"
    result = _import(operator, tmp_path, lines)
    assert [(n, field) for n, field, _p in result.problems] == [(4, "name")]


def test_unknown_fields_and_missing_session_are_named(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[8]["colour"] = "red"
    lines[9]["session"] = "S-2026-0099"
    result = _import(operator, tmp_path, lines)
    assert {(n, field) for n, field, _p in result.problems} == {(9, "colour"), (10, "session")}


def test_bad_session_line_does_not_cascade_to_its_children(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[5]["customer_ip"] = "300.1.2.3"
    result = _import(operator, tmp_path, lines)
    assert [(n, field) for n, field, _p in result.problems] == [(6, "customer_ip")]


def test_technician_may_not_add_staff_or_bill(db: str, fixed_clock, tmp_path: Path) -> None:
    tech = f.staff("root", roles="technician", name="Tom Tech")
    with pytest.raises(PermissionDenied, match="line 1"):
        _import(tech, tmp_path, sample())
    lines = [line for line in sample() if line["type"] != "staff"]
    f.staff("mmueller")
    f.staff("jschulz", name="Jana Schulz")
    with pytest.raises(PermissionDenied, match="billed_at"):
        _import(tech, tmp_path, lines)
    del next(line for line in lines if line["type"] == "order")["billed_at"]
    assert _import(tech, tmp_path, lines).ok
    assert ContactPerson.select().count() == 2


def test_accounting_may_not_import(db: str, fixed_clock, tmp_path: Path) -> None:
    clerk = f.staff("root", roles="accounting", name="Bea Buch")
    with pytest.raises(PermissionDenied):
        _import(clerk, tmp_path, sample())
    assert Staff.select().count() == 1


def test_a_rule_the_checks_missed_still_stops_the_write_and_rolls_back(operator, tmp_path: Path, monkeypatch) -> None:
    """Defence in depth: the domain refuses at write time, and the transaction leaves nothing behind."""
    from console.importing.plan import Plan

    monkeypatch.setattr(Plan, "_session_rules", lambda self: None)
    lines = sample()
    lines[0]["commitment_signed_on"] = None
    before = stats.counts()
    result = _import(operator, tmp_path, [{k: v for k, v in line.items() if v is not None} for line in lines])
    assert [(n, field) for n, field, _p in result.problems] == [(6, "line")]
    assert "Max Müller" in result.problems[0][2]
    assert stats.counts() == before and Staff.select().count() == 1


def test_overlapping_stays_of_one_participant_are_refused(operator, tmp_path: Path) -> None:
    lines = sample()
    lines.append({"type": "participant", "session": S, "username": "jschulz", "joined_at": "2026-03-02T09:30:00Z"})
    result = _import(operator, tmp_path, lines)
    assert [(n, field) for n, field, _p in result.problems] == [(13, "left_at")]
    lines[12]["left_at"] = "2026-03-02T09:25:00Z"
    assert _import(operator, tmp_path, lines).ok
    assert [p.left_at.minute for p in Participant.select().order_by(Participant.joined_at)] == [25, 40]


def test_bulk_capture_keeps_to_the_session(operator, tmp_path: Path) -> None:
    from models.core import bulk
    from models.core.errors import ValidationError

    assert _import(operator, tmp_path, sample()).ok
    with pytest.raises(ValidationError, match="after session"):
        bulk.add_chat_many(
            operator,
            S,
            [
                bulk.ChatItem("2026-03-02T09:10:00Z", "customer", "ok"),
                bulk.ChatItem("2026-03-02T10:10:00Z", "customer", "too late"),
            ],
        )
    assert ChatMessage.select().count() == 1
    clerk = f.staff("bea", roles="accounting", name="Bea Buch")
    with pytest.raises(PermissionDenied):
        bulk.add_activity_many(clerk, S, [bulk.ActivityItem("2026-03-02T09:10:00Z", "login")])


def test_reimport_after_the_purge_brings_nothing_back(operator, tmp_path: Path, isolated_dirs: Path) -> None:
    """A tool that sends its old log again must not resurrect what P7/P8 deleted."""
    from models.core.entities import SystemInfo
    from models.purge.run import run_purge

    assert _import(operator, tmp_path, sample()).ok
    result = run_purge(operator, data_dir=isolated_dirs, scheduled=True)  # billed 2026-03-31: all of P7/P8 due
    assert result.total > 0
    assert RemoteSession.select().count() == 0 and ChatMessage.select().count() == 0
    again = _import(operator, tmp_path, sample())
    assert again.ok, again.problems
    assert again.counts["session"]["purged"] == 1 and again.counts["chat"]["purged"] == 1
    assert again.counts["system_info"]["purged"] == 1 and again.counts["consent"]["purged"] == 3
    assert (
        RemoteSession.select().count(),
        ChatMessage.select().count(),
        SystemInfo.select().count(),
        ActivityEvent.select().count(),
        Consent.select().count(),
        Participant.select().count(),
    ) == (0, 0, 0, 0, 0, 0)
    assert BillingRecord.select().count() == 1  # kept 11 years (P10)
    assert audit.verify().ok


def test_a_new_session_on_an_unpurged_order_is_still_imported(operator, tmp_path: Path, isolated_dirs: Path) -> None:
    lines = sample()
    lines[4] = dict(lines[4], completed_at=None, billed_at=None)
    lines[4].pop("completed_at")
    lines[4].pop("billed_at")
    assert _import(operator, tmp_path, lines).ok
    assert run_purge_total(operator, isolated_dirs) == 0  # nothing is due on an open order
    assert _import(operator, tmp_path, lines).changed() == 0
    assert RemoteSession.select().count() == 1


def run_purge_total(operator: Staff, data_dir: Path) -> int:
    from models.purge.run import run_purge

    return run_purge(operator, data_dir=data_dir, scheduled=True).total


def test_secrecy_customer_needs_the_extra_commitment_in_the_dry_run_too(operator, tmp_path: Path) -> None:
    """P3 with § 203 StGB: the dry run refuses what the write would refuse, by line and field."""
    lines = sample()
    lines[2]["professional_secrecy"] = True  # the customer; neither technician has the secrecy commitment
    lines[1]["secrecy_commitment_on"] = "2024-01-15"  # jschulz has it, so only mmueller's session is refused
    dry = _import(operator, tmp_path, lines, dry_run=True)
    real = _import(operator, tmp_path, lines)
    assert [(n, field) for n, field, _p in dry.problems] == [(6, "technician")]
    assert "§ 203" in dry.problems[0][2] and "Max Müller" in dry.problems[0][2]
    assert real.problems == dry.problems and RemoteSession.select().count() == 0


def test_a_joining_technician_needs_the_secrecy_commitment_too(operator, tmp_path: Path) -> None:
    lines = sample()
    lines[2]["professional_secrecy"] = True
    lines[0]["secrecy_commitment_on"] = "2024-01-15"  # mmueller runs the session; jschulz joins without it
    dry = _import(operator, tmp_path, lines, dry_run=True)
    assert [(n, field) for n, field, _p in dry.problems] == [(13, "username")]
    assert "§ 203" in dry.problems[0][2] and "Jana Schulz" in dry.problems[0][2]
