"""`support24 convert`: real remote-support logs become import lines that import cleanly."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core.entities import ActivityEvent, RemoteSession
from tests.support import factories as f

DATA = Path(__file__).parent / "data" / "remote-tools"


@pytest.fixture
def desk(db: str, fixed_clock):
    f.staff(os_account(), roles="admin technician", name="Olga Operator")
    f.staff("mmueller")
    f.order("A-2024-0001", opened_at=datetime(2024, 1, 2, tzinfo=timezone.utc))
    return db


def _convert(capsys, tool: str, name: str, *extra: str) -> tuple[int, list[dict], str]:
    code = main(
        [
            "convert",
            tool,
            str(DATA / name),
            "--order",
            "A-2024-0001",
            "--technician",
            "mmueller",
            "--screen-private",
            "yes",
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_teamviewer_incoming_list_converts_and_imports_idempotently(desk, capsys, tmp_path: Path) -> None:
    code, lines, _err = _convert(capsys, "teamviewer", "teamviewer_plaso_connections_incoming.txt")
    assert code == 0
    session = lines[0]
    assert (session["started_at"], session["ended_at"]) == ("2024-02-16T14:16:32Z", "2024-02-16T14:18:36Z")
    assert session["external_id"] == "1660360496-b3a4df33-d027-44d5-b50f-4e61115494d4"
    path = tmp_path / "tv.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert main(["import", str(path)]) == 0
    assert main(["import", str(path)]) == 0
    stored = RemoteSession.get()
    assert (stored.tool, stored.order.ref, RemoteSession.select().count(), ActivityEvent.select().count()) == (
        "teamviewer",
        "A-2024-0001",
        1,
        1,
    )


def test_teamviewer_outgoing_list_has_no_partner_name_column(desk, capsys) -> None:
    code, lines, _err = _convert(capsys, "teamviewer", "teamviewer_plaso_Connections.txt")
    assert code == 0 and lines[0]["started_at"] == "2024-02-20T13:10:33Z"


def test_anydesk_service_trace_gives_times_and_customer_ip(desk, capsys, tmp_path: Path) -> None:
    code, lines, _err = _convert(capsys, "anydesk", "anydesk_artemis_linux_svc_trace_EXCERPT.trace")
    assert code == 0
    session = lines[0]
    assert session["customer_ip"] == "23.162.8.100" and session["ended_at"].startswith("2025-09-22T00:57:14")
    path = tmp_path / "ad.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert main(["import", str(path), "--dry-run"]) == 0


def test_rustdesk_posts_need_a_start_time(desk, capsys) -> None:
    code, lines, err = _convert(capsys, "rustdesk", "rustdesk_lantongxue_audit_conn_posts.jsonl")
    assert code == 2 and "--started-at" in err and lines == []
    code, lines, _err = _convert(
        capsys, "rustdesk", "rustdesk_lantongxue_audit_conn_posts.jsonl", "--started-at", "2024-02-01T09:00:00Z"
    )
    assert code == 0 and lines[0]["customer_ip"] == "103.156.242.225"


def test_a_file_that_is_not_a_connection_list_is_refused(desk, capsys) -> None:
    code, lines, err = _convert(capsys, "teamviewer", "anydesk_artemis_linux_svc_trace_EXCERPT.trace")
    assert code == 2 and lines == [] and "line 1: not a TeamViewer connection row" in err
