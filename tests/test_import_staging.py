"""The import stages the file in a scratch file of its own: nothing of the console's database
is locked while the file is read and checked, the scratch file (customer data) never outlives
the import, and the write is still all or nothing when it is made of several chunks."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from console.importing import importer, staging
from console.importing.importer import run_import
from models.core import db as core_db
from models.core.db import ALL_DATA_LOCKS, current_target, is_sqlite, lock_key
from models.core.entities import ActivityEvent, AuditEvent, ChatMessage, Consent, Order, RemoteSession
from tests.support import factories as f
from tests.support.importing import write_jsonl
from tests.test_import_setwise import _orders


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scratch folders go under tmp_path (as with TMPDIR=tmp_path)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return staging.scratch_root()


@pytest.fixture
def operator(db: str, fixed_clock, scratch: Path):
    return f.staff("root", roles="admin technician accounting", name="Rita Root")


def _stored() -> tuple[int, ...]:
    return tuple(m.select().count() for m in (Order, RemoteSession, Consent, ActivityEvent, ChatMessage, AuditEvent))


def _runs(scratch: Path) -> list[Path]:
    return sorted(scratch.iterdir()) if scratch.exists() else []


def test_the_scratch_file_is_private_while_it_exists_and_gone_after_success(
    operator, tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int, bool]] = []

    def look() -> None:
        (run,) = _runs(scratch)
        seen.append((os.stat(scratch).st_mode & 0o777, os.stat(run).st_mode & 0o777, (run / "stage.db").exists()))

    monkeypatch.setattr(importer, "_staged", look)
    result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", _orders(3)))
    assert result.ok, result.problems
    assert seen == [(0o700, 0o700, True)]
    assert _runs(scratch) == []


def test_the_scratch_file_is_gone_after_a_bad_file_and_after_a_crash(
    operator, tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _orders(2)
    lines[5]["started_at"] = "yesterday"
    result = run_import(operator, write_jsonl(tmp_path / "bad.jsonl", lines))
    assert not result.ok and _runs(scratch) == []

    def crash() -> None:
        raise RuntimeError("the machine went down")

    monkeypatch.setattr(importer, "_staged", crash)
    with pytest.raises(RuntimeError):
        run_import(operator, write_jsonl(tmp_path / "good.jsonl", _orders(2)))
    assert _runs(scratch) == []


_KILLED = """
import os, signal, sys, tempfile
tempfile.tempdir = sys.argv[1]
from console.importing.staging import Stage
from tests.support.importing import sample
from console.importing.records import Problems, parse_line
import json
stage = Stage()
problems = Problems()
for number, line in enumerate(sample(), start=1):
    stage.add(parse_line(number, json.dumps(line), problems))
stage.group({}, 100)
print(stage.folder, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_scratch_file_left_by_a_killed_import_is_removed_by_the_next_start(
    operator, tmp_path: Path, scratch: Path
) -> None:
    root = Path(__file__).resolve().parent.parent
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED, tempfile.gettempdir()], capture_output=True, text=True, cwd=root, check=False
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = Path(killed.stdout.strip())
    assert left.parent == scratch and (left / "stage.db").stat().st_size > 0  # customer data, left behind
    # a running import's folder is left alone
    running = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        busy = scratch / f"run-{running.pid}-x"
        busy.mkdir(mode=0o700)
        result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", _orders(1)))
        assert result.ok, result.problems
        assert not left.exists()
        assert busy.exists()
    finally:
        running.communicate(b"")
    assert staging.sweep() == 1 and _runs(scratch) == []


def test_a_crash_between_chunks_of_the_write_leaves_nothing(
    operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_RECORDS", 8)  # several chunks: the write is made of several steps
    written: list[int] = []

    def crash(chunk: int) -> None:
        written.append(chunk)
        if chunk == 2:
            raise RuntimeError("killed mid-way")

    monkeypatch.setattr(importer, "_chunk_written", crash)
    before = _stored()
    with pytest.raises(RuntimeError):
        run_import(operator, write_jsonl(tmp_path / "in.jsonl", _orders(4)))
    assert written == [0, 1, 2]  # the staff and customers, then two chunks of orders were written …
    assert _stored() == before  # … and rolled back with the rest


def test_a_refusal_in_a_later_chunk_of_the_write_leaves_nothing(
    operator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The domain function refuses an item of the last chunk, after earlier chunks were written."""
    from console.importing.plan import Plan

    monkeypatch.setattr(importer, "CHUNK_RECORDS", 8)
    monkeypatch.setattr(Plan, "_session_rules", lambda self: None)  # let a bad line through to the write
    lines = _orders(4)
    last = next(i for i, line in enumerate(lines) if line.get("ref") == "S-2026-0004")
    lines[last]["started_at"] = "2026-03-02T07:00:00Z"  # before its order was opened
    written: list[int] = []
    monkeypatch.setattr(importer, "_chunk_written", written.append)
    before = _stored()
    result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", lines))
    assert [line for line, _field, _problem in result.problems] == [last + 1]
    assert len(written) >= 2  # chunks before the refused one were written in the transaction
    assert _stored() == before


def _other_writer(db_url: str) -> Callable[[], None]:
    """Another console's short write on its own connection that gives up at once if it would wait."""
    if is_sqlite():
        path = str(current_target().path)

        def write_sqlite() -> None:
            connection = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")  # raises 'database is locked' if a writer holds it
                connection.execute("UPDATE schema_meta SET value = value WHERE key = 'schema_version'")
                connection.execute("COMMIT")
            finally:
                connection.close()

        return write_sqlite
    import psycopg

    target = current_target()
    keys = [lock_key(name) for name in (*ALL_DATA_LOCKS, "audit")]

    def write_postgres() -> None:
        with psycopg.connect(db_url.split("?")[0], options=f"-c search_path={target.schema}") as connection:
            with connection.transaction():
                for key in keys:
                    (free,) = connection.execute("SELECT pg_try_advisory_xact_lock(%s)", (key,)).fetchone()
                    assert free, "the import holds a lock another writer needs"
                connection.execute("SET LOCAL lock_timeout = '1ms'")
                connection.execute("UPDATE schema_meta SET value = value WHERE key = 'schema_version'")

    return write_postgres


def test_another_writer_is_not_blocked_while_the_file_is_read_checked_and_staged(
    operator, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_RECORDS", 8)
    other = _other_writer(db_url)
    wrote: list[str] = []
    checked = importer.Plan.check

    def check_then_write(self):  # between the chunks of the check, as another operator would
        plan = checked(self)
        other()
        wrote.append("check")
        return plan

    def staged() -> None:
        other()
        wrote.append("staged")

    monkeypatch.setattr(importer.Plan, "check", check_then_write)
    monkeypatch.setattr(importer, "_staged", staged)
    result = run_import(operator, write_jsonl(tmp_path / "in.jsonl", _orders(4)))
    assert result.ok, result.problems
    assert wrote.count("check") >= 3 and wrote[-1] == "staged"
    assert RemoteSession.select().count() == 4
    assert core_db.database.in_transaction() is False


def test_a_scratch_folder_that_cannot_be_made_is_a_clear_message(operator, tmp_path: Path, scratch: Path) -> None:
    scratch.write_text("not a folder")
    with pytest.raises(staging.ScratchUnavailable) as caught:
        run_import(operator, write_jsonl(tmp_path / "in.jsonl", _orders(1)))
    assert str(scratch) in str(caught.value) and caught.value.exit_code == 1
    assert RemoteSession.select().count() == 0
