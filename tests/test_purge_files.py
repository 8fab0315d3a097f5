"""The purge touches only what the console itself stored: files an import names are taken into
`files/` (moved from the data folder, copied from outside, hashed), and the purge never follows a
link, never zeroes a file with a second name, and never reaches the database, journal or backups."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core import stats
from models.core.entities import GatheredFile, PurgeProblem, Recording
from models.purge import run as purge
from models.purge.items import count_rows
from models.retention import queue as retention
from tests.support import factories as f
from tests.support import purge_world
from tests.support.env import BACKEND
from tests.support.importing import place_sample_files, sample, write_jsonl
from tests.support.purge_world import order_id

RECORDING, GATHERED = 10, 15  # indexes of the recording and gathered_file lines in sample()
sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="the database file is SQLite's")


@pytest.fixture
def me(db, fixed_clock, isolated_dirs: Path):
    place_sample_files(isolated_dirs)
    return f.staff(os_account(), roles="accounting admin privacy_officer technician", name="Olga Operator")


def _lines(**paths: str) -> list[dict[str, Any]]:
    lines = [dict(line) for line in sample()]
    if "recording" in paths:
        lines[RECORDING]["path"] = paths["recording"]
    if "gathered" in paths:
        lines[GATHERED]["path"] = paths["gathered"]
    return lines


def _import(tmp_path: Path, capsys, lines: list[dict[str, Any]], *extra: str) -> tuple[int, str]:
    code = main(["import", str(write_jsonl(tmp_path / "in.jsonl", lines)), *extra])
    return code, capsys.readouterr().err


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@sqlite_only
@pytest.mark.parametrize(
    "name",
    [
        "support24.db",
        "support24.db-wal",
        "deletion-journal.jsonl",
        "support24-backup-1.db",
        "support24.db.schema-v3.bak",
    ],
)
def test_an_import_cannot_name_the_database_journal_or_a_backup(me, capsys, tmp_path, isolated_dirs, name) -> None:
    target = isolated_dirs / name
    if not target.exists():
        target.write_bytes(b"precious")
    before, content = stats.counts(), target.read_bytes()
    for extra in (("--dry-run",), ()):
        code, err = _import(tmp_path, capsys, _lines(recording=name), *extra)
        assert (
            code == 2
            and f"line {RECORDING + 1}: path:" in err
            and ("console's own files" in err or "is the database" in err)
        ), err
    assert stats.counts() == before and target.read_bytes() == content
    assert sqlite3.connect(isolated_dirs / "support24.db").execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_a_file_in_the_data_folder_is_moved_in_and_one_from_outside_copied(me, capsys, tmp_path, isolated_dirs) -> None:
    outside = tmp_path / "elsewhere" / "capture.png"
    outside.parent.mkdir()
    outside.write_bytes(b"screenshot bytes")
    inside = isolated_dirs / "recordings" / "S-2026-0001.mp4"
    inside_sha = _sha(inside)
    code, err = _import(tmp_path, capsys, _lines(gathered=str(outside)))
    assert code == 0, err
    recording, gathered = Recording.get(), GatheredFile.get()
    assert not inside.exists(), "moved, so no copy stays behind for the purge to miss"
    assert recording.stored.startswith("files/recordings/") and recording.sha256 == inside_sha
    assert (isolated_dirs / recording.stored).read_bytes() == b"sample recordings/S-2026-0001.mp4"
    assert outside.read_bytes() == b"screenshot bytes", "an outside file is copied, never moved"
    assert gathered.stored.startswith("files/gathered/") and gathered.size == len(b"screenshot bytes")
    assert gathered.sha256 == _sha(outside) and recording.path == "recordings/S-2026-0001.mp4"
    mode = os.stat(isolated_dirs / gathered.stored).st_mode & 0o777
    assert mode == 0o600


@pytest.mark.parametrize("kind", ["dot", "folder", "symlink", "hardlink", "missing", "trailing-slash"])
def test_an_import_refuses_what_is_not_a_regular_file_with_one_link(me, capsys, tmp_path, isolated_dirs, kind) -> None:
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"not yours")
    name = {"dot": ".", "folder": "recordings", "missing": "nowhere.mp4", "trailing-slash": "recordings/"}.get(kind)
    if kind == "symlink":
        (isolated_dirs / "link.mp4").symlink_to(outside)
        name = "link.mp4"
    if kind == "hardlink":
        os.link(outside, isolated_dirs / "hard.mp4")
        name = "hard.mp4"
    assert name is not None
    before = stats.counts()
    dry, dry_err = _import(tmp_path, capsys, _lines(recording=name), "--dry-run")
    code, err = _import(tmp_path, capsys, _lines(recording=name))
    assert code == dry == 2 and dry_err == err and f"line {RECORDING + 1}: path:" in err, err
    assert "Traceback" not in err and stats.counts() == before and outside.read_bytes() == b"not yours"


def test_a_wrong_sha256_or_size_is_refused_and_nothing_moves(me, capsys, tmp_path, isolated_dirs) -> None:
    lines = _lines()
    lines[RECORDING]["sha256"] = "0" * 64
    lines[GATHERED]["size"] = 3
    code, err = _import(tmp_path, capsys, lines)
    assert code == 2 and "sha256: does not match" in err and "size: the file has" in err
    assert (isolated_dirs / "recordings" / "S-2026-0001.mp4").exists()
    assert not (isolated_dirs / "files" / "recordings").exists() or not any(
        (isolated_dirs / "files" / "recordings").iterdir()
    )


# --- the purge --------------------------------------------------------------------------------


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    return purge_world.build(isolated_dirs, names=("old", "ancient", "recent"))


def _stored(ref: str, model: Any) -> Path:
    row = (
        model.select()
        .join_from(model, model.session.rel_model)
        .where(model.session.rel_model.order == order_id(ref))
        .get()
    )
    return Path(row.stored)


def test_a_hard_link_to_an_outside_file_is_not_zeroed_the_item_is_blocked_and_the_run_goes_on(
    world, tmp_path, isolated_dirs
) -> None:
    outside = tmp_path / "outside-precious.txt"
    outside.write_bytes(b"precious outside data")
    stored = isolated_dirs / _stored("A-2026-0001", GatheredFile)
    stored.unlink()
    os.link(outside, stored)
    result = purge.run_purge(purge_world.officer(), data_dir=isolated_dirs)
    assert outside.read_bytes() == b"precious outside data"
    assert count_rows("gathered_files", order_id("A-2026-0001")) == 1
    assert count_rows("gathered_files", order_id("A-2015-0001")) == 0 and result.deleted["chat"] >= 1
    blocked = [i for i in retention.queue_items(limit=100) if i.state == "blocked"]
    assert {i.ref for i in blocked} == {"A-2026-0001"} and "gathered_files" in {i.category for i in blocked}
    assert all("2 links" in (i.reason or "") for i in blocked)  # the connection item waits for it too
    summary = {(row.category, row.state): row.count for row in retention.queue_summary()}
    assert summary.get(("gathered_files", "blocked")) == 1  # the summary counts it where the list shows it
    listed_due = [
        i for i in retention.queue_items(limit=100) if i.category == "gathered_files" and i.state != "blocked"
    ]
    assert summary.get(("gathered_files", "due"), 0) + summary.get(("gathered_files", "overdue"), 0) == sum(
        1 for i in listed_due if i.state in ("due", "overdue")
    )


def test_a_symlinked_store_folder_is_not_followed(world, tmp_path, isolated_dirs) -> None:
    victim = tmp_path / "victim"
    (isolated_dirs / "files" / "gathered").rename(victim)  # same names, now outside the data folder
    (isolated_dirs / "files" / "gathered").symlink_to(victim)
    before = {p.name: p.read_bytes() for p in victim.iterdir()}
    ancient_video = isolated_dirs / _stored("A-2015-0001", Recording)
    purge.run_purge(purge_world.officer(), data_dir=isolated_dirs)
    assert {p.name: p.read_bytes() for p in victim.iterdir()} == before
    assert not ancient_video.exists(), "the rest is purged all the same"
    reasons = {p.reason for p in PurgeProblem.select()}
    assert reasons and all("symbolic link" in r for r in reasons)


def test_a_stored_name_that_became_a_folder_blocks_its_item_only(world, isolated_dirs, capsys) -> None:
    stored = isolated_dirs / _stored("A-2026-0001", Recording)
    stored.unlink()
    stored.mkdir()
    first = purge.run_purge(purge_world.officer(), data_dir=isolated_dirs)
    assert first.total > 0 and count_rows("video", order_id("A-2026-0001")) == 1
    assert (
        purge.run_purge(purge_world.officer(), data_dir=isolated_dirs).total == 0
    )  # later runs are not stopped either
    assert purge.recent_runs()[0].state == "done"
    blocked = [i for i in retention.queue_items(limit=100) if i.state == "blocked"]
    assert {i.ref for i in blocked} == {"A-2026-0001"} and "video" in {i.category for i in blocked}
    assert all("not a regular file" in (i.reason or "") for i in blocked)
    stored.rmdir()  # the operator cleared it: the next run purges the item and the problem goes
    assert purge.run_purge(purge_world.officer(), data_dir=isolated_dirs).deleted.get("video") == 1
    assert count_rows("video", order_id("A-2026-0001")) == 0
    assert [(p.category, p.reason) for p in PurgeProblem.select()] == []


def test_the_purge_only_ever_names_files_under_files(world) -> None:
    from models.purge.files import FileRefused, shred_stored

    for name in ("support24.db", "deletion-journal.jsonl", "../x", "files/recordings/../../support24.db", "files"):
        with pytest.raises(FileRefused):
            shred_stored(world.data_dir, name)


# --- references stored by an older version ---------------------------------------------------------


@sqlite_only
def test_old_references_are_taken_in_at_the_next_start_and_a_bad_one_is_reported(me, capsys, isolated_dirs) -> None:
    world = purge_world.build(isolated_dirs, names=("old",))
    legacy = isolated_dirs / "recordings" / "legacy.mp4"
    legacy.write_bytes(b"legacy video")
    session = Recording.get().session
    good = Recording.create(session=session, path="recordings/legacy.mp4", started_at=session.started_at)
    bad = Recording.create(session=session, path="support24.db", started_at=session.started_at)
    outside = isolated_dirs.parent / "out"
    outside.mkdir()
    (outside / "x.mp4").write_bytes(b"outside")
    (isolated_dirs / "linked").symlink_to(outside)
    linked = GatheredFile.create(session=session, path="linked/x.mp4", at=session.started_at)
    assert main(["stats"]) == 0
    err = capsys.readouterr().err
    good, bad, linked = (Recording.get_by_id(good.id), Recording.get_by_id(bad.id), GatheredFile.get_by_id(linked.id))
    assert (
        good.stored.startswith("files/recordings/")
        and not legacy.exists()
        and good.sha256 == hashlib.sha256(b"legacy video").hexdigest()
    )
    assert bad.stored == "" and "'support24.db' was not taken in" in err
    assert linked.stored == "" and "symbolic link" in err and (outside / "x.mp4").read_bytes() == b"outside"
    purge.run_purge(purge_world.officer(), data_dir=world.data_dir)
    assert sqlite3.connect(isolated_dirs / "support24.db").execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert (outside / "x.mp4").read_bytes() == b"outside"


def test_migration_4_adds_the_store_to_a_version_3_database(db) -> None:
    from models.core import schema
    from models.core.db import database

    for index in ("recording_unstored", "gathered_file_unstored"):
        database.execute_sql(f"DROP INDEX {index}")
    for table, column in (("recording", "stored"), ("gathered_file", "stored"), ("billing_batch", "files_at")):
        database.execute_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    database.execute_sql("DROP TABLE purge_problem")
    schema._store_version(3)
    assert schema.ensure_schema() == "migrated" and schema.installed_version() == schema.SCHEMA_VERSION
    assert {"stored"} <= {c.name for c in database.get_columns("recording")}
    assert {"files_at"} <= {c.name for c in database.get_columns("billing_batch")}
    assert PurgeProblem.select().count() == 0
