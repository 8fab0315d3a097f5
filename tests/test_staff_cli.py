"""`support24 staff …`: administrators keep the staff register (P3) over SSH, checked and audited like the screen."""

from __future__ import annotations

import json
from datetime import date

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core.entities import AuditEvent, Staff
from tests.support import factories as f

ME = os_account()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def admin(db: str, fixed_clock) -> Staff:
    return f.staff(ME, roles="admin", name="Olga Operator")


def test_update_records_a_missing_commitment_and_roles_and_audits_it(admin, capsys) -> None:
    f.staff("lfischer", name="Lena Fischer", signed=None)
    code, out, err = run(
        capsys,
        "staff",
        "update",
        "lfischer",
        "--roles",
        "technician,privacy_officer",
        "--commitment-date",
        "2026-11-02",
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["roles"] == ["privacy_officer", "technician"] and doc["commitment_signed_on"] == "2026-11-02"
    stored = Staff.get(Staff.username == "lfischer")
    assert stored.commitment_signed_on == date(2026, 11, 2) and stored.has_role("privacy_officer")
    event = AuditEvent.select().where(AuditEvent.action == "staff.update").get()
    assert event.actor == ME and event.ref == "lfischer"
    assert "roles=privacy_officer,technician" in event.detail and "commitment_signed_on=2026-11-02" in event.detail


def test_add_list_deactivate_reactivate(admin, capsys) -> None:
    code, out, err = run(
        capsys, "staff", "add", "jschulz", "--name", "Jan Schulz", "--commitment-date", "2026-01-10", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["roles"] == ["technician"]
    code, out, _err = run(capsys, "staff", "deactivate", "jschulz")
    assert code == 0 and "jschulz deactivated" in out
    assert not Staff.get(Staff.username == "jschulz").active
    code, out, _err = run(capsys, "staff", "list", "--json")
    listed = {row["username"]: row for row in json.loads(out)}
    assert listed["jschulz"]["active"] is False and listed[ME]["roles"] == ["admin"]
    code, out, _err = run(capsys, "staff", "reactivate", "jschulz", "--json")
    assert code == 0 and json.loads(out)["active"] is True
    code, out, _err = run(capsys, "staff", "list")
    assert "Jan Schulz" in out and "active" in out
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions.count("staff.register") == 1 and actions.count("staff.update") == 2


def test_bad_input_names_the_field_exits_2_and_stores_nothing(admin, capsys) -> None:
    f.staff("lfischer", signed=None)
    code, out, err = run(capsys, "staff", "update", "lfischer", "--commitment-date", "31.02.2026")
    assert code == 2 and out == "" and "commitment_signed_on" in err and "Traceback" not in err
    code, out, err = run(capsys, "staff", "update", "lfischer", "--roles", "boss")
    assert code == 2 and "roles" in err
    code, out, err = run(capsys, "staff", "update", "lfischer")
    assert code == 2 and "--commitment-date" in err
    code, out, err = run(capsys, "staff", "update", ME, "--roles", "technician")
    assert code == 2 and "admin role" in err
    assert Staff.get(Staff.username == "lfischer").commitment_signed_on is None
    assert not AuditEvent.select().where(AuditEvent.action == "staff.update").exists()


def test_a_technician_is_refused_with_exit_3(db: str, fixed_clock, capsys) -> None:
    f.staff(ME, roles="technician")
    f.staff("lfischer", signed=None)
    code, _out, err = run(capsys, "staff", "update", "lfischer", "--commitment-date", "2026-11-02")
    assert code == 3 and "admin" in err
    code, _out, err = run(capsys, "staff", "list")
    assert code == 3
    assert Staff.get(Staff.username == "lfischer").commitment_signed_on is None
