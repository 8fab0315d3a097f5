"""`support24 audit verify` shows its progress line on a terminal only: never with --json or when
stderr is not a terminal, and the verdict is the same either way."""

from __future__ import annotations

import io
import json
import sys

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core import audit
from tests.support import factories as f


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def me(db: str, fixed_clock):
    staff = f.staff(os_account(), roles="admin privacy_officer", name="Olga Operator")
    audit.record_many(("tester", "test.event", f"R-{i}", None) for i in range(20))
    return staff


def test_a_terminal_sees_counts_then_a_clean_line(me, capsys, monkeypatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["audit", "verify"]) == 0
    shown = terminal.getvalue()
    assert "of" in shown and "events" in shown
    assert shown.endswith("\r")  # the line is cleared before the verdict
    assert "Audit chain intact" in capsys.readouterr().out


def test_no_progress_without_a_terminal_or_with_json(me, capsys, monkeypatch) -> None:
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().err == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["audit", "verify", "--json"]) == 0
    assert terminal.getvalue() == ""
    assert json.loads(capsys.readouterr().out)["ok"] is True
