"""`support24 ingest`: remote tools' own logs flow in and are reconciled with the console's sessions."""

from __future__ import annotations

import codecs
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.browse.dashboard import dashboard
from models.core import clock
from models.core.entities import ActivityEvent, DeletionRecord, RemoteSession
from models.sessions.registers import ConnectionKey, LoggedConnection
from tests.support import factories as f

DATA = Path(__file__).parent / "data" / "remote-tools"
SAMPLES = sorted(p.name for p in DATA.iterdir() if p.suffix != ".md")


@pytest.fixture
def desk(db: str, fixed_clock):
    f.staff(os_account(), roles="admin technician", name="Olga Operator")
    f.staff("mmueller", signed=date(2016, 1, 15))
    f.staff("jschulz", name="Jana Schulz", signed=date(2016, 1, 15))
    cust = f.customer()
    f.order("A-2017-0001", cust, opened_at=datetime(2017, 1, 2, tzinfo=UTC))
    f.order("A-2024-0001", cust, opened_at=datetime(2024, 1, 2, tzinfo=UTC))
    f.order("A-2025-0001", cust, opened_at=datetime(2025, 1, 2, tzinfo=UTC))
    return db


def ingest(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["ingest", *args])
    out, err = capsys.readouterr()
    return code, out, err


def ingest_json(capsys, *args: str) -> tuple[int, dict]:
    code, out, _err = ingest(capsys, *args, "--json")
    return code, json.loads(out)


def console_session(ref: str, order: str, technician: str, start: datetime, end: datetime | None, **extra):
    from models.core.entities import Order, Staff

    return RemoteSession.create(
        ref=ref,
        order=Order.get(Order.ref == order),
        technician=Staff.get(Staff.username == technician),
        started_at=start,
        ended_at=end,
        created_at=clock.now(),
        **extra,
    )


def register(capsys, tmp_path: Path, rows: str) -> None:
    path = tmp_path / "registers.csv"
    path.write_text("type,tool,kind,value,staff,customer,workstation\n" + rows, encoding="utf-8")
    assert main(["registers", "import", str(path)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_ingests_with_no_connection_lost(desk, capsys, name: str) -> None:
    code, doc = ingest_json(capsys, str(DATA / name))
    result = doc["files"][0]
    assert result["error"] is None and result["format"]
    assert result["connections"] + result["reported"] > 0
    stored = sum(result["outcomes"][k] for k in ("matched", "pending", "updated", "unchanged"))
    assert stored == result["connections"]  # every connection read is stored (or merged into one stored)
    assert LoggedConnection.select().count() >= 1 or result["reported"] == result["connections"] + result["reported"]
    assert code == (2 if result["reported"] else 0)
    # a re-run changes nothing
    _code, again = ingest_json(capsys, str(DATA / name))
    assert again["files"][0]["outcomes"]["unchanged"] == result["connections"]


def test_teamviewer_list_and_log_file_are_one_connection_matched_to_the_console_session(
    desk, capsys, tmp_path: Path
) -> None:
    register(
        capsys,
        tmp_path,
        "staff,teamviewer,id,1 660 360 496,mmueller,,\ndevice,teamviewer,,1660388656,,K-10042,MSEDGEWIN10\n",
    )
    session = console_session(
        "S-2024-0001",
        "A-2024-0001",
        "mmueller",
        datetime(2024, 2, 16, 14, 15, tzinfo=UTC),
        None,
        workstation="EMPFANG-PC",
    )
    code, doc = ingest_json(
        capsys,
        str(DATA / "teamviewer_plaso_connections_incoming.txt"),
        str(DATA / "teamviewer_plaso_TeamViewer15_Logfile.log"),
    )
    assert code == 0
    assert [r["outcomes"]["matched"] for r in doc["files"]] == [1, 0]
    assert LoggedConnection.select().count() == 1  # GUID from the list, session id from the log: one connection
    row = LoggedConnection.get()
    assert (row.partner_id, row.partner_name, row.local_user, row.direction) == (
        "1660360496",
        "TestUserRedacted",
        "IEUser",
        "incoming",
    )
    assert (row.device_id, row.device_name, row.customer.number) == ("1660388656", "MSEDGEWIN10", "K-10042")
    assert sorted(k.key for k in row.keys) == [
        "teamviewer:guid:b3a4df33-d027-44d5-b50f-4e61115494d4",
        "teamviewer:session:126302903",
    ]
    session = RemoteSession.get_by_id(session.id)
    assert session.started_at == datetime(2024, 2, 16, 14, 16, 32, tzinfo=UTC)  # the log's exact start
    assert session.ended_at is not None and session.ended_at.replace(microsecond=0) == datetime(
        2024, 2, 16, 14, 18, 36, tzinfo=UTC
    )
    assert session.customer_ip is None  # a customer-host log knows only the technician's side
    transfers = list(ActivityEvent.select().where(ActivityEvent.action == "file_transfer").order_by(ActivityEvent.at))
    assert [(t.file_name, t.direction) for t in transfers if t.file_name] == [
        ("cert-bundle.crt", "upload"),
        ("test", "upload"),
    ]
    assert dashboard().connection_findings == 0


def test_anydesk_service_and_user_trace_are_one_session_and_the_peer_address_is_not_the_customer_ip(
    desk, capsys, tmp_path: Path
) -> None:
    register(capsys, tmp_path, "staff,anydesk,alias,centos,jschulz,,\n")
    console_session("S-2025-0001", "A-2025-0001", "jschulz", datetime(2025, 9, 22, 0, 50, tzinfo=UTC), None)
    code, _doc = ingest_json(
        capsys,
        str(DATA / "anydesk_artemis_linux_svc_trace_EXCERPT.trace"),
        str(DATA / "anydesk_artemis_linux_ad_trace_EXCERPT.trace"),
    )
    assert code == 0
    assert LoggedConnection.select().count() == 1
    row = LoggedConnection.get()
    assert row.state == "matched"
    assert "anydesk:sid:1757177188014009" in {k.key for k in row.keys}
    assert json.loads(row.details)["peer_address"] == "23.162.8.100"
    assert row.customer_ip is None
    session = RemoteSession.get()
    assert session.customer_ip is None  # 23.162.8.100 is the technician's address
    assert session.ended_at == datetime(2025, 9, 22, 0, 57, 14, 139000, tzinfo=UTC)  # the later of the two ends
    transfer = ActivityEvent.get(ActivityEvent.action == "file_transfer")
    assert (transfer.file_name, transfer.direction) == ("/home/ubu/.local/share", "download")


def test_web_api_report_gives_each_connection_its_technician_and_warns_about_the_next_page(
    desk, capsys, tmp_path: Path
) -> None:
    register(
        capsys,
        tmp_path,
        "staff,teamviewer,account,test-user1,mmueller,,\n"
        "staff,teamviewer,account,test-user2,jschulz,,\n"
        "device,teamviewer,,d111,,K-10042,test-device1\n",
    )
    code, out, _err = ingest(capsys, str(DATA / "teamviewer_webapi_reports_connections_MOCK.json"))
    assert code == 0
    assert "next_offset 5ae6d2a9-57e9-4c62-b236-280390954b6f was not followed" in out
    rows = {r.local_user: r for r in LoggedConnection.select()}
    assert rows["test-user1"].technician.username == "mmueller"
    assert rows["test-user2"].technician.username == "jschulz"
    assert rows["test-user1"].customer.number == "K-10042"
    assert json.loads(rows["test-user1"].details)["support_session_type"] == 1


def test_a_growing_log_adds_only_what_is_new_and_ends_the_open_session(desk, capsys, tmp_path: Path) -> None:
    lines = (DATA / "rustdesk_service_log_CONSTRUCTED.log").read_text().splitlines(keepends=True)
    log = tmp_path / "RustDesk_rCURRENT.log"
    log.write_text("".join(lines[:6]))  # cut before the close
    code, doc = ingest_json(capsys, str(log))
    assert code == 0 and doc["files"][0]["outcomes"]["pending"] == 1
    assert any("no end in the log" in w for w in doc["files"][0]["warnings"])
    assert LoggedConnection.get().ended_at is None
    log.write_text("".join(lines))
    _code, doc = ingest_json(capsys, str(log))
    assert doc["files"][0]["outcomes"] == {"matched": 0, "pending": 1, "updated": 1, "unchanged": 0, "purged": 0}
    first = LoggedConnection.select().order_by(LoggedConnection.id).first()
    assert first.ended_at == datetime(2025, 6, 10, 12, 58, 47, 902113, tzinfo=UTC)
    assert json.loads(first.details)["peer_address"] == "198.51.100.23"
    assert first.customer_ip is None
    _code, doc = ingest_json(capsys, str(log))
    assert doc["files"][0]["outcomes"]["unchanged"] == 2
    assert LoggedConnection.select().count() == 2


@pytest.mark.parametrize(
    "encoding,bom,newline,pad",
    [
        ("utf-8", codecs.BOM_UTF8, "\r\n", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\r\n", b""),
        ("utf-16-be", codecs.BOM_UTF16_BE, "\n", b""),
        ("utf-8", b"", "\n", b"\x00" * 300),
    ],
)
def test_the_same_list_in_any_windows_encoding_is_the_same_connection(
    desk, capsys, tmp_path: Path, encoding: str, bom: bytes, newline: str, pad: bytes
) -> None:
    assert main(["ingest", str(DATA / "teamviewer_plaso_connections_incoming.txt")]) == 0
    capsys.readouterr()
    text = (DATA / "teamviewer_plaso_connections_incoming.txt").read_text().replace("\n", newline)
    other = tmp_path / "Connections_incoming.txt"
    other.write_bytes(bom + text.encode(encoding) + pad)
    code, doc = ingest_json(capsys, str(other))
    assert code == 0, doc
    assert doc["files"][0]["outcomes"]["unchanged"] == 1
    assert [k.key for k in ConnectionKey.select()] == ["teamviewer:guid:b3a4df33-d027-44d5-b50f-4e61115494d4"]


def test_a_row_with_an_empty_user_cell_is_kept(desk, capsys, tmp_path: Path) -> None:
    path = tmp_path / "Connections_incoming.txt"
    path.write_text(
        "\n1660360496\tTestUserRedacted\t16-02-2024 14:16:32\t16-02-2024 14:18:36\t\tRemoteControl\t"
        "{b3a4df33-d027-44d5-b50f-4e61115494d4}\t"
    )
    assert main(["ingest", str(path)]) == 0
    row = LoggedConnection.get()
    assert (row.partner_name, row.local_user, json.loads(row.details)["connection_type"]) == (
        "TestUserRedacted",
        None,
        "RemoteControl",
    )


@pytest.mark.parametrize(
    "make,args,expected",
    [
        (lambda p: shutil.copy("/bin/ls", p), (), "a binary file"),
        (
            lambda p: shutil.copy(DATA / "anydesk_artemis_linux_svc_trace_EXCERPT.trace", p),
            ("--tool", "teamviewer"),
            "looks like AnyDesk trace (ad_svc.trace / ad.trace), not a Teamviewer log",
        ),
        (
            lambda p: p.write_bytes(
                codecs.BOM_UTF16_LE + "Incoming    2024-02-16, 20:29    User    221436813\r\n".encode("utf-16-le")
            ),
            ("--tool", "rustdesk"),
            "looks like AnyDesk connection_trace.txt, not a Rustdesk log",
        ),
        (lambda p: p.write_text("Liebe Kundin,\nanbei die Rechnung.\n"), (), "in no format of TeamViewer"),
        (lambda p: p.write_text("   info 2025-09-22 AnyDesk says hello\n"), (), "looks like AnyDesk output"),
        (lambda p: p.write_bytes(b""), (), "is empty"),
        (lambda p: p.write_text('{"hello": "world"}'), (), "is JSON, but not"),
    ],
)
def test_a_file_it_cannot_read_gives_one_line_and_exit_2(desk, capsys, tmp_path: Path, make, args, expected) -> None:
    bad = tmp_path / "input.log"
    make(bad)
    code, out, err = ingest(capsys, str(bad), *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and expected in err, err
    assert "Traceback" not in err
    assert LoggedConnection.select().count() == 0


def test_one_unreadable_file_stores_nothing_of_the_others(desk, capsys, tmp_path: Path) -> None:
    bad = tmp_path / "ls"
    shutil.copy("/bin/ls", bad)
    code, _out, err = ingest(capsys, str(DATA / "teamviewer_plaso_Connections.txt"), str(bad))
    assert code == 2 and "binary" in err
    assert LoggedConnection.select().count() == 0


def test_unrecorded_connection_is_pending_a_finding_and_can_be_assigned_or_dismissed(desk, capsys) -> None:
    ingest(capsys, str(DATA / "teamviewer_webapi_reports_connections_MOCK.json"))
    _code, out, _err = ingest(capsys, "pending", "--json")
    pending = json.loads(out)
    assert pending["findings"] == 2 and len(pending["pending"]) == 2
    assert dashboard().connection_findings == 2
    first, second = (p["id"] for p in pending["pending"])
    code, out, err = ingest(capsys, "assign", str(first), "--order", "A-2017-0001")
    assert code == 2 and "--technician" in err  # nobody registered test-user1
    code, out, _err = ingest(capsys, "assign", str(first), "--order", "A-2017-0001", "--technician", "mmueller")
    assert code == 0 and "stays a compliance finding" in out
    session = RemoteSession.get(RemoteSession.external_id == "0755a8dd-df19-4ea7-af47-cabb6b2a97e4")
    assert (session.order.ref, session.technician.username, session.started_at, session.ended_at) == (
        "A-2017-0001",
        "mmueller",
        datetime(2017, 2, 3, 14, 10, 50, tzinfo=UTC),
        datetime(2017, 2, 3, 14, 11, 1, tzinfo=UTC),
    )
    assert dashboard().connection_findings == 2  # assigned, but no screen-privacy answer
    code, _out, err = ingest(capsys, "dismiss", str(second))
    assert code == 2 and "--reason" in err
    assert ingest(capsys, "dismiss", str(second), "--reason", "Testverbindung im Büro")[0] == 0
    assert dashboard().connection_findings == 1
    assert ingest(capsys, "dismiss", str(second), "--reason", "again")[0] == 2  # only pending ones
    # a re-read of the report changes nothing: the assigned one is not pending again
    _code, doc = ingest_json(capsys, str(DATA / "teamviewer_webapi_reports_connections_MOCK.json"))
    assert doc["files"][0]["outcomes"]["unchanged"] == 2
    assert RemoteSession.select().count() == 1


def test_assign_with_a_screen_privacy_answer_clears_the_finding(desk, capsys, tmp_path: Path) -> None:
    register(capsys, tmp_path, "staff,teamviewer,account,test-user1,mmueller,,\n")
    ingest(capsys, str(DATA / "teamviewer_webapi_reports_connections_MOCK.json"))
    row = LoggedConnection.get(LoggedConnection.local_user == "test-user1")
    assert row.state == "pending" and row.technician.username == "mmueller"
    code, _out, err = ingest(capsys, "assign", str(row.id), "--order", "A-2017-0001", "--screen-private", "yes")
    assert code == 0, err
    assert dashboard().connection_findings == 1  # the other connection is still pending


def test_purged_stays_purged(desk, capsys) -> None:
    ingest(capsys, str(DATA / "teamviewer_plaso_Connections.txt"))
    row = LoggedConnection.get()
    assert ingest(capsys, "assign", str(row.id), "--order", "A-2024-0001", "--technician", "mmueller")[0] == 0
    # the retention purge deletes the order's sessions (and with them the logged connection)
    RemoteSession.delete().execute()
    DeletionRecord.create(
        category="connection",
        item_id=1,
        ref="A-2024-0001",
        due_at=clock.now(),
        deleted_at=clock.now(),
        policy_version="t",
        method="delete",
    )
    assert LoggedConnection.select().count() == 0
    _code, doc = ingest_json(capsys, str(DATA / "teamviewer_plaso_Connections.txt"))
    assert doc["files"][0]["outcomes"]["purged"] == 1
    assert LoggedConnection.select().count() == 0 and RemoteSession.select().count() == 0


def test_dry_run_stores_nothing_and_emit_jsonl_prints_each_connection(desk, capsys) -> None:
    code, out, err = ingest(
        capsys, str(DATA / "anydesk_artemis_linux_svc_trace_EXCERPT.trace"), "--dry-run", "--emit-jsonl"
    )
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(c["keys"], c["partner_id"], c["customer_ip"]) for c in lines] == [
        (["sid:1757177188014009"], "1001025310", None)
    ]
    assert "would be read" in err
    assert LoggedConnection.select().count() == 0 and ConnectionKey.select().count() == 0


def test_convert_is_gone(desk, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["convert", "teamviewer", str(DATA / "teamviewer_plaso_Connections.txt")])
    assert exc.value.code == 2


def test_rustdesk_client_log_knows_the_customer_address(desk, capsys) -> None:
    assert main(["ingest", str(DATA / "rustdesk_client_log_CONSTRUCTED.log")]) == 0
    row = LoggedConnection.get()
    assert (row.direction, row.device_id, row.customer_ip) == ("outgoing", "378200881", "192.168.1.49")


def test_rustdesk_audit_export_rows_and_device_register(desk, capsys, tmp_path: Path) -> None:
    register(
        capsys,
        tmp_path,
        "staff,rustdesk,id,1139987256,mmueller,,\ndevice,rustdesk,,182921366,,K-10042,EMPFANG-PC\n",
    )
    console_session(
        "S-2025-0002",
        "A-2025-0001",
        "mmueller",
        datetime(2025, 3, 4, 9, 10, tzinfo=UTC),
        datetime(2025, 3, 4, 9, 45, tzinfo=UTC),
        workstation="EMPFANG-PC",
        workstation_key="empfang-pc",
    )
    code, doc = ingest_json(capsys, str(DATA / "rustdesk_server_pro_audit_export_CONSTRUCTED.csv"))
    assert code == 0 and doc["files"][0]["outcomes"]["matched"] == 1 and doc["files"][0]["outcomes"]["pending"] == 1
    session = RemoteSession.get()
    assert (session.started_at, session.ended_at, session.customer_ip) == (
        datetime(2025, 3, 4, 9, 12, 5, tzinfo=UTC),
        datetime(2025, 3, 4, 9, 40, 31, tzinfo=UTC),
        None,
    )
    other = LoggedConnection.get(LoggedConnection.state == "pending")
    assert json.loads(other.details)["note"] == '=HYPERLINK("x")'


def test_connection_trace_with_minutes_only_merges_into_the_trace_connection(desk, capsys, tmp_path: Path) -> None:
    trace = tmp_path / "connection_trace.txt"
    trace.write_bytes("Incoming    2025-09-22, 00:53    Passwd    centos    1001025310\r\n".encode("utf-16-le"))
    assert main(["ingest", str(trace)]) == 0
    assert main(["ingest", str(DATA / "anydesk_artemis_linux_svc_trace_EXCERPT.trace")]) == 0
    row = LoggedConnection.get()
    assert LoggedConnection.select().count() == 1
    assert row.started_at == datetime(2025, 9, 22, 0, 53, 50, 850000, tzinfo=UTC)  # the trace's exact start
    assert json.loads(row.details)["authentication"] == "Passwd"


def test_registers_csv_with_a_bad_row_stores_nothing(desk, capsys, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("type,tool,kind,value,staff\nstaff,anydesk,alias,centos,mmueller\nstaff,anydesk,alias,x,nobody\n")
    code = main(["registers", "import", str(path)])
    _out, err = capsys.readouterr()
    assert code == 2 and "line 3: staff: no staff member nobody" in err
    assert main(["registers", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["identities"] == []


def test_watch_once_ingests_the_drop_folder(desk, capsys, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(DATA / "teamviewer_plaso_Connections.txt", drop)
    shutil.copy(DATA / "anydesk_artemis_linux_ad_trace_EXCERPT.trace", drop)
    assert main(["ingest", "--watch", str(drop), "--once"]) == 0
    assert LoggedConnection.select().count() == 2


def test_reading_a_log_takes_the_same_memory_whatever_its_size(tmp_path: Path) -> None:
    import tracemalloc

    from console.importing.remote.base import Report
    from console.importing.remote.ingest import connections_of
    from console.importing.remote.sniff import sniff

    block = (DATA / "teamviewer_plaso_TeamViewer15_Logfile.log").read_text()

    def peak(copies: int) -> int:
        path = tmp_path / f"log{copies}.log"
        with path.open("w", newline="\r\n") as out:
            for i in range(copies):
                out.write(
                    block.replace("126302903", str(1000 + i)).replace(
                        "2024/02/16", f"20{10 + i // 300}/01/{1 + i % 28:02}"
                    )
                )
        tracemalloc.start()
        count = sum(1 for _ in connections_of(path, sniff(path), Report()))
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == copies
        return size

    small, large = peak(20), peak(100)  # both larger than the 1 MB the reader takes at a time
    assert large < 1.5 * small + 256 * 1024  # ten times the file, not ten times the memory


def test_match_by_tool_session_id_keeps_the_billed_times_of_a_completed_order(desk, capsys) -> None:
    from models.core.entities import Order

    start, end = datetime(2024, 2, 16, 14, 0, tzinfo=UTC), datetime(2024, 2, 16, 14, 30, tzinfo=UTC)
    session = console_session(
        "S-2024-0002", "A-2024-0001", "jschulz", start, end, tool="teamviewer", external_id="126302903"
    )
    Order.update(completed_at=datetime(2024, 2, 17, tzinfo=UTC)).where(Order.ref == "A-2024-0001").execute()
    code, doc = ingest_json(capsys, str(DATA / "teamviewer_plaso_TeamViewer15_Logfile.log"))
    assert code == 0 and doc["files"][0]["outcomes"]["matched"] == 1
    session = RemoteSession.get_by_id(session.id)
    assert (session.started_at, session.ended_at) == (start, end)
    assert ActivityEvent.select().where(ActivityEvent.action == "file_transfer").count() == 3


def test_an_older_database_gets_the_register_tables_when_migrated(db) -> None:
    from models.core import schema
    from models.core.db import database
    from models.core.entities import SchemaMeta
    from models.sessions.registers import REGISTER_MODELS

    database.drop_tables(list(reversed(REGISTER_MODELS)))
    SchemaMeta.update(value="3").where(SchemaMeta.key == schema.VERSION_KEY).execute()
    assert schema.ensure_schema() == "migrated"
    assert all(database.table_exists(m._meta.table_name) for m in REGISTER_MODELS)
    assert LoggedConnection.select().count() == 0


def test_escape_sequences_in_a_log_are_never_stored(desk, capsys, tmp_path: Path) -> None:
    path = tmp_path / "Connections_incoming.txt"
    path.write_text(
        "1660360496\tEvil\x1b[31mName\x07\t16-02-2024 14:16:32\t16-02-2024 14:18:36\tuser\x1b]0;x\tRemoteControl\t"
        "{b3a4df33-d027-44d5-b50f-4e61115494d4}\n"
    )
    assert main(["ingest", str(path)]) == 0
    row = LoggedConnection.get()
    assert (row.partner_name, row.local_user) == ("Evil[31mName", "user]0;x")
