"""The command line as a contract (DESIGN.md §10): one JSON document with --json, exit codes
0/1/2/3, clear refusals, and never the developer's own data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from console.cli.context import Context, os_account
from console.cli.main import main
from models.core import stats
from models.core.db import close_database, open_database
from models.core.entities import AuditEvent, Staff
from tests.support import factories as f
from tests.support.importing import place_sample_files, sample, write_jsonl

ME = os_account()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def me(db: str, fixed_clock) -> Staff:
    """The OS account running the tests, registered with every role; the sample's files in place."""
    place_sample_files(Path(os.environ["SUPPORT24_DATA_DIR"]))
    return f.staff(ME, roles="accounting admin privacy_officer technician", name="Olga Operator")


def test_import_of_a_bad_file_exits_2_names_each_line_and_stores_nothing(me, capsys, tmp_path: Path) -> None:
    lines = sample()
    lines[0]["commitment_signed_on"] = "15.01.2024"
    lines[8]["text"] = 42
    path = write_jsonl(tmp_path / "bad.jsonl", lines)
    before = stats.counts()
    code, out, err = run(capsys, "import", str(path))
    assert code == 2 and out == ""
    assert "line 1: commitment_signed_on:" in err and "line 9: text: must be text" in err
    assert "nothing was stored" in err
    assert stats.counts() == before


def test_import_json_is_one_document_and_second_run_changes_nothing(me, capsys, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", sample())
    code, out, _err = run(capsys, "import", str(path), "--json")
    first = json.loads(out)
    assert code == 0 and first["ok"] and first["written"] and first["counts"]["session"]["created"] == 1
    code, out, _err = run(capsys, "import", str(path), "--json")
    second = json.loads(out)
    assert (
        code == 0
        and not second["written"]
        and second["counts"]["session"] == {"created": 0, "updated": 0, "skipped": 1, "purged": 0}
    )


def test_import_dry_run_json_and_bad_json(me, capsys, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", sample())
    code, out, _err = run(capsys, "import", str(path), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["dry_run"] and stats.counts()["sessions"] == 0
    bad = write_jsonl(tmp_path / "bad.jsonl", ["[1, 2]"])
    code, out, err = run(capsys, "import", str(bad), "--json")
    document = json.loads(out)
    assert code == 2 and document["problems"] == [{"line": 1, "field": "json", "problem": "must be one JSON object"}]


def test_import_dry_run_refuses_a_secrecy_customer_like_the_real_run(me, capsys, tmp_path: Path) -> None:
    """§ 203 StGB: a technician without the extra commitment is refused by the dry run, not halfway through."""
    lines = sample()
    lines[2]["professional_secrecy"] = True
    lines[1]["secrecy_commitment_on"] = "2024-01-15"
    path = write_jsonl(tmp_path / "secrecy.jsonl", lines)
    dry_code, dry_out, dry_err = run(capsys, "import", str(path), "--dry-run")
    code, _out, err = run(capsys, "import", str(path))
    assert (dry_code, dry_out) == (2, "") and "line 6: technician:" in dry_err and "§ 203" in dry_err
    assert code == 2 and err == dry_err and stats.counts()["sessions"] == 0


def test_import_of_a_missing_file_exits_2(me, capsys, tmp_path: Path) -> None:
    code, _out, err = run(capsys, "import", str(tmp_path / "nowhere.jsonl"))
    assert code == 2 and "FILE" in err


def test_stats_json_is_one_document(me, capsys) -> None:
    code, out, _err = run(capsys, "stats", "--json")
    assert code == 0 and set(json.loads(out)) >= {"customers", "sessions", "audit_events"}


def test_audit_verify_exits_1_after_a_hand_edited_row_and_names_it(me, capsys, tmp_path: Path) -> None:
    assert run(capsys, "import", str(write_jsonl(tmp_path / "in.jsonl", sample())))[0] == 0
    code, out, _err = run(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"]
    AuditEvent.update(actor="mallory").where(AuditEvent.id == 4).execute()
    code, out, _err = run(capsys, "audit", "verify")
    assert code == 1 and "event 4" in out
    code, out, _err = run(capsys, "audit", "verify", "--json")
    assert code == 1 and json.loads(out)["first_bad_id"] == 4


def test_unknown_account_is_refused_with_the_init_instruction(db: str, capsys) -> None:
    f.staff("someoneelse", roles="admin")
    code, out, err = run(capsys, "stats", "--json")
    assert code == 3 and out == ""
    assert f"support24 init --admin {ME}" in err


def test_missing_role_is_refused_with_exit_3(db: str, fixed_clock, capsys, tmp_path: Path) -> None:
    f.staff(ME, roles="accounting", name="Bea Buch")
    code, _out, err = run(capsys, "audit", "verify")
    assert code == 3 and "privacy_officer or admin" in err
    code, _out, err = run(capsys, "import", str(write_jsonl(tmp_path / "in.jsonl", sample())))
    assert code == 3 and "technician" in err
    assert Staff.select().count() == 1


def test_init_twice_is_refused_cleanly(db: str, capsys) -> None:
    code, out, _err = run(
        capsys, "init", "--admin", ME, "--name", "Olga Operator", "--commitment-date", "2024-01-15", "--json"
    )
    assert code == 0 and json.loads(out)["admin"] == ME
    code, out, err = run(capsys, "init", "--admin", ME, "--name", "Olga Operator", "--commitment-date", "2024-01-15")
    assert code == 2 and out == "" and "exists already" in err and "Traceback" not in err
    assert Staff.select().count() == 1


def test_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import"])
    assert exc.value.code == 2


def test_subprocess_uses_only_the_test_folders(db: str, isolated_dirs: Path, tmp_path: Path) -> None:
    """A real process: --json output is one document, and data lands in the test's folder only."""
    Staff.create(
        username=ME,
        name="Olga Operator",
        roles="admin technician",
        commitment_signed_on=date(2024, 1, 15),
        active=True,
        created_at=__import__("models.core.clock", fromlist=["now"]).now(),
    )
    close_database()
    result = subprocess.run(
        [sys.executable, "-m", "console", "import", str(write_jsonl(tmp_path / "in.jsonl", sample()[:4])), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["customer"]["created"] == 1
    context = Context()
    assert context.data_dir == isolated_dirs and str(tmp_path) in str(context.config_dir)
    assert Path.home().joinpath(".local/share/support24") not in (context.data_dir, context.data_dir.parent)
    open_database(db)
