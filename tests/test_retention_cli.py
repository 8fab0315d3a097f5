"""The retention commands as a contract: policy show, retention queue, hold, purge, deletions,
scheduler --once; one JSON document with --json, exit 3 for refusals and a held lease."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core.db import is_postgres, lock_key
from models.core.entities import ChatMessage, DeletionRecord, PurgeLease
from models.purge.items import count_rows
from tests.support import factories as f
from tests.support import purge_world
from tests.support.purge_world import order_id

ME = os_account()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    w = purge_world.build(isolated_dirs)
    f.staff(ME, roles="privacy_officer admin", name="Olga Operator")
    return w


def test_policy_show_json_names_every_rule_with_clause_and_anchor(world, capsys) -> None:
    code, out, err = run(capsys, "policy", "show", "--json")
    document = json.loads(out)
    assert code == 0 and err == ""
    rules = {r["category"]: r for r in document["rules"]}
    assert (
        rules["chat"]["clause"] == "P8" and rules["chat"]["anchor"] == "order_billed" and rules["chat"]["months"] == 3
    )
    assert rules["system_info"]["hours"] == 48 and rules["billing"]["years"] == 11
    assert document["version"].startswith("2026-1+") and document["chat_video_reading"] == "P8"


def test_a_bad_policy_file_exits_2_names_the_key_and_nothing_runs(world, capsys, tmp_path) -> None:
    from console.settings.policy_file import default_text

    bad = tmp_path / "policy.toml"
    bad.write_text(default_text().replace("months = 3\n", "months = -3\n", 1), encoding="utf-8")
    code, out, err = run(capsys, "purge", "--policy", str(bad))
    assert code == 2 and out == "" and "rules.connection.months: must not be negative" in err
    assert DeletionRecord.select().count() == 0 and ChatMessage.select().count() == 5


def test_retention_queue_json_lists_items_and_summary(world, capsys) -> None:
    code, out, _err = run(capsys, "retention", "queue", "--json", "--category", "chat")
    document = json.loads(out)
    assert code == 0
    assert {(i["ref"], i["state"]) for i in document["items"]} == {
        ("A-2015-0001", "overdue"),
        ("A-2026-0001", "overdue"),
        ("A-2026-0002", "scheduled"),
        ("A-2026-0003", "overdue"),
        ("A-2026-0004", "blocked"),
    }
    assert {(r["state"], r["count"]) for r in document["summary"]} == {("overdue", 3), ("scheduled", 1), ("blocked", 1)}
    code, out, _err = run(
        capsys, "retention", "queue", "--json", "--as-of", "2020-01-01T00:00:00Z", "--state", "overdue"
    )
    assert code == 0 and [i["ref"] for i in json.loads(out)["items"]] == ["A-2015-0001"] * 6  # billing: due 2026


def test_hold_place_needs_the_privacy_officer_and_stops_the_purge(world, capsys) -> None:
    f.staff("techi", "technician", name="Tom Technik")
    code, out, err = run(capsys, "hold", "place", "--order", "A-2026-0001", "--reason", "Rechnung bestritten", "--json")
    hold = json.loads(out)
    assert code == 0 and hold["active"] and hold["order"] == "A-2026-0001"
    code, out, _err = run(capsys, "purge", "--json")
    assert code == 0 and count_rows("chat", order_id("A-2026-0001")) == 1
    code, out, _err = run(capsys, "hold", "list", "--json")
    assert [h["id"] for h in json.loads(out)] == [hold["id"]]
    code, out, _err = run(capsys, "hold", "release", str(hold["id"]), "--json")
    assert code == 0 and not json.loads(out)["active"]
    code, _out, err = run(capsys, "hold", "release", str(hold["id"]))
    assert code == 2 and "released already" in err
    code, out, _err = run(capsys, "purge", "--json")
    assert json.loads(out)["deleted"]["chat"] == 1 and count_rows("chat", order_id("A-2026-0001")) == 0


def test_purge_json_is_one_document_and_a_second_run_deletes_nothing(world, capsys) -> None:
    code, out, err = run(capsys, "purge", "--dry-run", "--json")
    planned = json.loads(out)
    assert code == 0 and err == "" and planned["dry_run"] and planned["total"] > 0
    code, out, err = run(capsys, "purge", "--json")
    done = json.loads(out)
    assert code == 0 and err == "" and done["deleted"] == planned["deleted"]
    code, out, _err = run(capsys, "purge", "--json")
    assert json.loads(out)["total"] == 0
    code, out, _err = run(capsys, "deletions", "list", "--json", "--limit", "500")
    assert len(json.loads(out)) == done["total"]
    code, out, _err = run(capsys, "deletions", "runs", "--json")
    assert [r["dry_run"] for r in json.loads(out)] == [False, False, True]


@contextmanager
def lease_taken_elsewhere(holder: str, now) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Another process's lease: the row on SQLite; on PostgreSQL also its advisory lock, on another connection."""
    PurgeLease.create(name="purge", holder=holder, acquired_at=now, expires_at=now + timedelta(minutes=10))
    if not is_postgres():
        yield
        return
    import psycopg

    from tests.support.env import PG_URL

    with psycopg.connect(PG_URL.replace("postgresql://", "postgresql://root@", 1), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (lock_key("lease:purge"),))
        yield


def test_purge_exits_3_and_names_the_holder_when_the_lease_is_taken(world, capsys, fixed_clock) -> None:
    with lease_taken_elsewhere("kurt@server2 pid 4711 (scheduler)", fixed_clock()):
        code, out, err = run(capsys, "purge")
        scheduled = run(capsys, "scheduler", "--once", "--json")
    assert code == 3 and out == "" and "kurt@server2 pid 4711 (scheduler)" in err
    assert scheduled[0] == 3 and "kurt@server2" in json.loads(scheduled[1])["busy_holder"]
    assert DeletionRecord.select().count() == 0


def test_purge_is_refused_to_a_technician(db, fixed_clock, capsys) -> None:
    f.staff(ME, roles="technician admin", name="Olga Operator")
    code, out, err = run(capsys, "purge")
    assert code == 3 and "privacy_officer" in err


def test_scheduler_once_runs_the_purge_and_reports_it(world, capsys) -> None:
    code, out, err = run(capsys, "scheduler", "--once", "--json")
    outcome = json.loads(out)
    assert code == 0 and outcome["error"] is None and outcome["busy_holder"] is None
    assert outcome["deleted"]["chat"] == 3 and DeletionRecord.select().count() == outcome["total"]


def test_a_scheduler_interval_below_one_is_refused_by_its_option(world, capsys) -> None:
    code, out, err = run(capsys, "scheduler", "--interval", "0", "--once")
    assert (code, out) == (2, "") and "support24: --interval: must be a whole number of 1 or more" in err
    assert DeletionRecord.select().count() == 0
