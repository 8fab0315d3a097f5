"""The audit head witnessed outside the database: each forgery of the chain makes `audit verify` exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core import audit
from models.core.db import write_tx
from models.core.entities import AuditEvent, SchemaMeta, Staff
from tests.support import factories as f

ME = os_account()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def me(db: str, fixed_clock) -> Staff:
    return f.staff(ME, roles="accounting admin privacy_officer technician", name="Olga Operator")


@pytest.fixture
def witnessed(me: Staff, capsys: pytest.CaptureFixture[str]) -> Path:
    """Ten events, their head witnessed, then two more events after the witness."""
    for i in range(10):
        audit.record(ME, "session.read", f"S-2026-{i:04d}")
    code, out, _err = run(capsys, "audit", "witness", "--json")
    assert code == 0
    head = json.loads(out)
    assert head["event_id"] == 10
    for i in range(2):
        audit.record(ME, "chat.read", f"S-2026-{i:04d}")
    return Path(head["witness_file"])


def _rechain(from_id: int = 1) -> None:
    """What a forger with write access does: recompute every hash from `from_id` on and reset the head."""
    events = list(AuditEvent.select().order_by(AuditEvent.id))
    prev = audit.GENESIS if from_id == 1 else events[from_id - 2].hash
    with write_tx():
        for event in events[from_id - 1 :]:
            new_hash = audit.digest(event.id, event.at, event.actor, event.action, event.ref, event.detail, prev)
            AuditEvent.update(prev_hash=prev, hash=new_hash).where(AuditEvent.id == event.id).execute()
            prev = new_hash
        last = events[-1].id if events else 0
        SchemaMeta.update(value=f"{last}:{prev}").where(SchemaMeta.key == audit.HEAD_KEY).execute()


def test_an_intact_chain_passes_and_matches_its_witness(witnessed: Path, capsys) -> None:
    code, out, _err = run(capsys, "audit", "verify", "--json")
    result = json.loads(out)
    assert code == 0 and result["ok"] and result["witnesses_checked"] == 1
    assert witnessed.exists() and not witnessed.is_relative_to(Path(__file__).parent)


def test_truncation_with_a_reset_head_fails_naming_the_witnessed_event(witnessed: Path, capsys) -> None:
    AuditEvent.delete().where(AuditEvent.id > 5).execute()
    _rechain()  # the head now says event 5, which the chain agrees with
    assert audit.verify().ok  # the database alone cannot tell
    code, out, _err = run(capsys, "audit", "verify")
    assert code == 1
    assert "event 10" in out and "cut back or reset" in out


def test_deleting_every_event_and_the_head_fails(witnessed: Path, capsys) -> None:
    AuditEvent.delete().execute()
    SchemaMeta.delete().where(SchemaMeta.key == audit.HEAD_KEY).execute()
    assert audit.verify().ok
    code, out, _err = run(capsys, "audit", "verify", "--json")
    result = json.loads(out)
    assert code == 1 and not result["ok"] and result["first_bad_id"] == 10


def test_a_rewritten_event_with_every_later_hash_recomputed_fails(witnessed: Path, capsys) -> None:
    AuditEvent.update(actor="someone-else").where(AuditEvent.id == 4).execute()
    _rechain(4)
    assert audit.verify().ok
    code, out, _err = run(capsys, "audit", "verify")
    assert code == 1
    assert "event 10 no longer matches" in out


def test_a_purge_run_and_a_billing_batch_witness_the_head(me: Staff, capsys, tmp_path: Path) -> None:
    code, _out, _err = run(capsys, "purge", "--json")
    assert code == 0
    code, out, _err = run(capsys, "billing", "export", "--out", str(tmp_path / "out"), "--json")
    assert code == 0
    code, out, _err = run(capsys, "audit", "verify", "--json")
    path = Path(json.loads(out)["witness_file"])
    reasons = [json.loads(line)["reason"] for line in path.read_text().splitlines()]
    assert any(reason.startswith("purge run") for reason in reasons)


def test_a_witness_file_inside_the_data_folder_is_refused(
    me: Staff, capsys, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPORT24_WITNESS_FILE", str(isolated_dirs / "witness.jsonl"))
    code, _out, err = run(capsys, "audit", "witness")
    assert code == 2 and "witness_file" in err and "data folder" in err
