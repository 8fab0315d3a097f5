"""`support24 access-request exclude|include`: one false match or every match of a kind left out of
an access report and taken in again from the command line, with the screen's rules and audit events."""

from __future__ import annotations

import json

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core.entities import AccessRequestExclusion, AuditEvent, Staff
from tests.support.access_seed import seed

ME = os_account()
REF = "AR-2026-0001"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses bad usage this way
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def compiled(db: str, fixed_clock, capsys) -> list[dict]:
    """Erika Weber's request, verified and compiled; its matches as compile --json lists them."""
    seed(officer_username=ME)
    for argv in (
        ["open", "--name", "Erika Weber", "--customer", "K-10042", "--received", "2026-11-24", "--channel", "letter"],
        ["verify", REF, "--method", "Personalausweis"],
    ):
        assert run(capsys, "access-request", *argv)[0] == 0
    code, out, _err = run(capsys, "access-request", "compile", REF, "--json")
    assert code == 0
    return json.loads(out)["matches"]


def included_refs(capsys, kind: str) -> list[str]:
    matches = json.loads(run(capsys, "access-request", "compile", REF, "--json")[1])["matches"]
    return sorted(m["ref"] for m in matches if m["kind"] == kind and not m["excluded"])


def events(action: str) -> list[str]:
    return [e.detail for e in AuditEvent.select().where((AuditEvent.action == action) & (AuditEvent.ref == REF))]


def test_every_session_match_is_excluded_at_once_and_included_again(compiled, capsys) -> None:
    sessions = [m for m in compiled if m["kind"] == "session"]
    assert len(sessions) >= 2
    code, out, err = run(
        capsys, "access-request", "exclude", REF, "session", "--all", "--reason", "Namensvetterin", "--json"
    )
    assert code == 0, err
    document = json.loads(out)
    assert (document["ref"], document["state"], document["excluded"]) == (REF, "compiled", len(sessions))
    assert included_refs(capsys, "session") == []
    assert {e.reason for e in AccessRequestExclusion.select()} == {"Namensvetterin"}
    assert events("access.exclude") == [f"session:all count={len(sessions)}"]

    code, out, _err = run(capsys, "access-request", "include", REF, "session", "--all")
    assert code == 0 and f"{len(sessions)} session matches included again" in out
    assert len(included_refs(capsys, "session")) == len(sessions)
    assert events("access.include") == [f"session:all count={len(sessions)}"]


def test_one_match_is_included_again_by_its_id(compiled, capsys) -> None:
    namesake = next(m for m in compiled if m["ref"] == "K-30003")
    ident = str(namesake["id"])
    assert run(capsys, "access-request", "exclude", REF, "customer", ident, "--reason", "Namensvetterin")[0] == 0
    assert "K-30003" not in included_refs(capsys, "customer")
    code, out, _err = run(capsys, "access-request", "include", REF, "customer", ident, "--json")
    assert code == 0 and json.loads(out)["included"] == 1
    assert "K-30003" in included_refs(capsys, "customer")
    assert events("access.include") == [f"customer:{ident} excluded by {ME}: Namensvetterin"]


def test_bad_input_exits_2_naming_what_was_typed(compiled, capsys) -> None:
    cases = [
        (["exclude", REF, "session", "--reason", "x"], "ID: is missing"),
        (["exclude", REF, "session", "7", "--all", "--reason", "x"], "ID: and --all exclude each other"),
        (["exclude", REF, "pigeon", "--all", "--reason", "x"], "KIND: 'pigeon' is not one of"),
        (["exclude", REF, "session", "--all", "--reason", " "], "--reason:"),
        (["exclude", REF, "customer", "999999", "--reason", "x"], "ID: customer 999999 is not among the matches"),
        (["include", REF, "session", "--all"], "no session match is excluded"),
        (["include", "AR-2026-0099", "session", "--all"], "AR-2026-0099"),
    ]
    for argv, problem in cases:
        code, out, err = run(capsys, "access-request", *argv)
        assert (code, out) == (2, ""), argv
        assert problem in err and "Traceback" not in err, (argv, err)
    assert AccessRequestExclusion.select().count() == 0


def test_without_the_privacy_officer_role_exit_3_and_nothing_changes(compiled, capsys) -> None:
    Staff.update(roles="technician accounting").where(Staff.username == ME).execute()
    for argv in (
        ["exclude", REF, "session", "--all", "--reason", "x"],
        ["include", REF, "session", "--all"],
        ["exclude", REF, "customer", "1", "--reason", "x"],
        ["include", REF, "customer", "1", "--json"],
    ):
        code, out, err = run(capsys, "access-request", *argv)
        assert (code, out) == (3, "") and "privacy_officer" in err, argv
    assert AccessRequestExclusion.select().count() == 0
    assert events("access.exclude") == events("access.include") == []
