"""Tool identities (the registers) are kept with the person: `staff add/update --identity`, and the staff form."""

from __future__ import annotations

import json

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core.entities import AuditEvent, Staff
from models.sessions.registers import ToolIdentity, identities_of
from tests.support import factories as f
from tests.support.screens import aio, make_app, settle

ME = os_account()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def admin(db: str, fixed_clock) -> Staff:
    return f.staff(ME, roles="admin", name="Olga Operator")


def test_identities_are_added_listed_and_removed_with_the_person(admin, capsys) -> None:
    code, out, err = run(
        capsys,
        "staff",
        "add",
        "jschulz",
        "--name",
        "Jan Schulz",
        "--commitment-date",
        "2026-01-10",
        "--identity",
        "teamviewer:account:jan.schulz",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["identities"] == [{"tool": "teamviewer", "kind": "account", "value": "jan.schulz"}]
    code, out, err = run(
        capsys,
        "staff",
        "update",
        "jschulz",
        "--identity",
        "anydesk:id:123 456 789",
        "--remove-identity",
        "teamviewer:jan.schulz",
        "--json",
    )
    assert code == 0, err
    assert [(i["tool"], i["value"]) for i in json.loads(out)["identities"]] == [("anydesk", "123 456 789")]
    code, out, _err = run(capsys, "staff", "list", "--json")
    listed = {row["username"]: row for row in json.loads(out)}
    assert listed["jschulz"]["identities"][0]["tool"] == "anydesk"
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions.count("register.identity") == 2 and actions.count("register.identity.remove") == 1


def test_a_bad_or_taken_identity_names_the_problem_exits_2_and_changes_nothing(admin, capsys) -> None:
    f.staff("mmueller", name="Max Müller")
    f.staff("lfischer", name="Lena Fischer", signed=None)
    assert run(capsys, "staff", "update", "mmueller", "--identity", "teamviewer:account:max")[0] == 0
    code, out, err = run(
        capsys, "staff", "update", "lfischer", "--commitment-date", "2026-11-02", "--identity", "teamviewer:account:MAX"
    )
    assert code == 2 and out == "" and "mmueller" in err and "Traceback" not in err
    assert Staff.get(Staff.username == "lfischer").commitment_signed_on is None  # nothing half-written
    code, _out, err = run(capsys, "staff", "update", "lfischer", "--identity", "teamviewer")
    assert code == 2 and "TOOL:KIND:VALUE" in err
    code, _out, err = run(capsys, "staff", "update", "lfischer", "--identity", "skype:account:lena")
    assert code == 2 and "tool" in err
    code, _out, err = run(capsys, "staff", "update", "lfischer", "--remove-identity", "teamviewer:max")
    assert code == 2 and "no identity" in err
    assert [i.value for i in identities_of("mmueller")] == ["max"] and ToolIdentity.select().count() == 1


@aio
async def test_the_staff_form_removes_and_adds_tool_identities(db, fixed_clock, admin) -> None:
    from models.sessions import registers
    from screens.people.screen import StaffForm

    max_ = f.staff("mmueller", name="Max Müller")
    f.staff("jschulz", name="Jana Schulz")
    registers.add_identity(admin, registers.IdentityInput("teamviewer", "account", "max.mueller", "mmueller"))
    registers.add_identity(admin, registers.IdentityInput("anydesk", "alias", "jana", "jschulz"))
    app = make_app(admin, start_mode="people")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#staff-table")
        table.move_cursor(row=table.get_row_index("mmueller"))
        await pilot.pause()
        await pilot.press("u")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StaffForm)
        tick = form.query_one("#f-remove-identity-0")
        assert tick.label.plain == "TeamViewer account: max.mueller"
        form.query_one("#f-identity_tool").value = "anydesk"
        form.query_one("#f-identity_value").value = "JANA"  # Jana's already
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "identity of jschulz" in str(form.query_one("#e-identity_value").render())
        tick.value = True
        form.query_one("#f-identity_kind").value = "id"
        form.query_one("#f-identity_value").value = "123 456 789"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert [(i.tool, i.kind, i.value) for i in identities_of("mmueller")] == [("anydesk", "id", "123 456 789")]
    assert max_.username == "mmueller"
