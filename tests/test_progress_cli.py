"""Long CLI commands show a progress line with counts on a terminal's stderr, and print nothing of
it when stderr is not a terminal or with --json: the access report's compile and export, the
billing export, the purge and the ingest of remote-tool logs."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from console.progress_words import RECORDS, Follower
from models.access import requests as access
from tests.support import factories as f
from tests.support.access_seed import seed
from tests.support.billing import completed_order

ME = os_account()
DATA = Path(__file__).parent / "data" / "remote-tools"


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def on_terminal(monkeypatch) -> Terminal:
    """Called in the test body: pytest's capture sets sys.stderr again when the test starts."""
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


@pytest.fixture
def ref(db: str, fixed_clock) -> str:
    world = seed(officer_username=ME)
    request = access.open_request(
        world.officer, name="Erika Weber", received_on="2026-11-24", channel="letter", customer_number="K-10042"
    )
    access.verify_identity(world.officer, request.ref, "Personalausweis vorgelegt")
    return request.ref


def test_the_access_export_shows_records_of_the_total_on_a_terminal(ref, monkeypatch, capsys, tmp_path: Path) -> None:
    terminal = on_terminal(monkeypatch)
    assert main(["access-request", "compile", ref]) == 0
    shown = terminal.getvalue()
    assert "step 6 of 6" in shown and shown.endswith("\r")  # cleared before the listing
    out = tmp_path / "r.json"
    assert main(["access-request", "export", ref, "--format", "json", "--out", str(out)]) == 0
    shown = terminal.getvalue()
    total = len(json.loads(out.read_text())["matches"])
    assert f"of {total}" not in shown  # the total counts every record of the copy too, not only the matches
    assert " records" in shown and shown.endswith("\r")
    assert "report written to" in capsys.readouterr().out


def test_no_progress_off_a_terminal_or_with_json(ref, capsys, monkeypatch, tmp_path: Path) -> None:
    assert main(["access-request", "compile", ref]) == 0
    assert "step" not in capsys.readouterr().err  # (the seed's missing files are named there)
    assert main(["access-request", "export", ref, "--format", "json", "--out", str(tmp_path / "a.json")]) == 0
    assert "record" not in capsys.readouterr().err
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    assert main(["access-request", "export", ref, "--format", "md", "--out", str(tmp_path / "a.md"), "--json"]) == 0
    assert stream.getvalue() == ""


def test_the_billing_export_shows_its_records_on_a_terminal(db, fixed_clock, monkeypatch, capsys, tmp_path) -> None:
    terminal = on_terminal(monkeypatch)
    me = f.staff(ME, roles="accounting technician", name="Olga Operator")
    completed_order(me, "A-2026-0001", f.customer())
    assert main(["billing", "export", "--out", str(tmp_path / "erp")]) == 0
    shown = terminal.getvalue()
    assert "1 of 1 record" in shown and shown.endswith("\r")
    assert "Exported batch 1" in capsys.readouterr().out


def test_the_purge_shows_items_on_a_terminal_and_nothing_with_json(db, fixed_clock, monkeypatch, capsys) -> None:
    f.staff(ME, roles="privacy_officer", name="Olga Operator")
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    assert main(["purge", "--json"]) == 0
    assert stream.getvalue() == ""
    assert main(["purge"]) == 0
    shown = stream.getvalue()
    assert "0 of 0 items" in shown and shown.endswith("\r")  # an empty backlog: nothing to count, said so


def test_the_ingest_shows_files_of_the_total_on_a_terminal(db, fixed_clock, monkeypatch, capsys) -> None:
    terminal = on_terminal(monkeypatch)
    f.staff(ME, roles="admin technician", name="Olga Operator")
    assert main(["ingest", "--dry-run", str(DATA / "teamviewer_plaso_connections_incoming.txt")]) == 0
    shown = terminal.getvalue()
    assert "1 of 1 file" in shown and shown.endswith("\r")


def test_the_line_says_about_how_long_is_left_once_there_is_a_rate() -> None:
    now = [0.0]
    follower = Follower(RECORDS, clock=lambda: now[0])
    follower(0, 3000)
    now[0] = 2.0
    follower(1000, 3000)
    assert follower.text() == "1,000 of 3,000 records · about 4 s left"
