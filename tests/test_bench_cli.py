"""`python -m benchmarks` plumbing: which parts run where, failures as rows, the side-by-side table.

The measuring functions are replaced by stubs: these tests check what the command prints and
writes, never how fast anything is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import __main__ as bench
from benchmarks import bench_import, import_file, pg_demo
from benchmarks.report import Measurement, emit_json, side_by_side
from benchmarks.report import main as report_main


def _ack(url: str, say: object = None) -> Measurement:
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    return Measurement(f"billing acknowledgement of 10 records ({backend})", 1200.0, "ms", goal="<= 2000 ms", met=True)


def test_default_parts_on_postgresql_are_every_figure_but_the_sqlite_only_ones() -> None:
    pg = bench.chosen_parts(bench.parse(["--database", "postgresql://127.0.0.1/test"]))
    sqlite = bench.chosen_parts(bench.parse(["--database", "sqlite:///x.db"]))
    assert {"queue", "access", "screens", "purge", "verify", "import", "ack", "backends"} <= set(pg)
    assert not {"help", "bulk", "load"} & set(pg)
    assert {"help", "bulk", "queue", "access", "screens", "purge", "verify", "import", "ack"} <= set(sqlite)
    assert "load" not in sqlite


def test_sqlite_only_part_named_on_postgresql_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--database", "postgresql://127.0.0.1/test", "--only", "help"]) == 2
    assert "SQLite only" in capsys.readouterr().err


def test_a_failing_part_is_a_row_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> Measurement:
        raise RuntimeError("import exploded")

    monkeypatch.setattr(bench_import, "import_vs_raw", broken)
    monkeypatch.setattr(bench_import, "acknowledgement", _ack)
    out = tmp_path / "run.json"
    argv = ["--database", "sqlite:///none.db", "--only", "import,ack", "--import-lines", "10", "--json-out", str(out)]
    assert bench.main(argv) == 0
    printed = capsys.readouterr().out
    assert "failed: RuntimeError: import exploded" in printed
    assert "billing acknowledgement of 10 records" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["context"]["backend"] == "sqlite"
    assert [(m["name"], m["backend"]) for m in document["measurements"]] == [
        ("import of 10 lines", "sqlite"),
        ("billing acknowledgement of 10 records (sqlite)", "sqlite"),
    ]


def test_postgresql_demo_that_cannot_be_made_is_a_row_and_the_scratch_parts_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_server(*args: object, **kwargs: object) -> tuple[str, dict[str, object]]:
        raise ConnectionError("no server")

    monkeypatch.setattr(pg_demo, "ensure_demo", no_server)
    monkeypatch.setattr(bench_import, "acknowledgement", _ack)
    out = tmp_path / "pg.json"
    argv = ["--database", "postgresql://127.0.0.1/test", "--only", "queue,ack", "--pg-scale", "small"]
    assert bench.main([*argv, "--json-out", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["measurements"]
    assert rows[0]["name"] == "small demo on PostgreSQL" and "no server" in rows[0]["note"]
    assert rows[1]["name"] == "billing acknowledgement of 10 records (postgresql)"
    assert {r["backend"] for r in rows} == {"postgresql"}


def _document(backend: str, rows: list[Measurement]) -> dict[str, object]:
    for row in rows:
        row.backend = backend
    return json.loads(emit_json(rows, {"backend": backend, "database": f"{backend} db"}))


def test_side_by_side_puts_each_figure_of_both_backends_on_one_line() -> None:
    sqlite = _document(
        "sqlite",
        [
            Measurement("import 50,000 lines (sqlite)", 3.6, "s", baseline=0.33, goal=">= 10,000 lines/s", met=True),
            Measurement("purge, seconds per deleted row", 30.0, "µs/row", baseline=25.0, goal="ratio <= 1.5", met=True),
            Measurement("support24 --help start-up", 120.0, "ms", goal="<= 300 ms", met=True),
        ],
    )
    pg = _document(
        "postgresql",
        [
            Measurement("import 50,000 lines (postgresql)", 4.4, "s", baseline=0.99, goal=">= 5,000 lines/s", met=True),
            Measurement(
                "purge, seconds per deleted row",
                60.0,
                "µs/row",
                goal="ratio to SQLite <= 1.5",
                extra={"vs_sqlite_at_most": 1.5},
            ),
            Measurement("retention queue summary", None, "ms", note="failed: OperationalError: gone"),
        ],
    )
    text = side_by_side([sqlite, pg])
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    imported = lines["import 50,000 lines"]
    assert "3.600 s" in imported and "4.400 s" in imported and "0.330 s / 0.990 s" in imported
    assert imported.rstrip().endswith("yes / yes")
    purge = lines["purge, seconds per deleted row"]
    assert "25.0 µs/row / SQLite's × 2.00" in purge and purge.rstrip().endswith("yes / NO")
    help_line = lines["support24 --help start-up"]
    assert help_line.rstrip().endswith("yes / -") and "SQLite" not in help_line
    assert "failed" in lines["retention queue summary"]
    assert "retention queue summary (postgresql): failed: OperationalError: gone" in text


def test_side_by_side_command_reads_the_files_and_says_which_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sqlite.json"
    path.write_text(json.dumps(_document("sqlite", [Measurement("x (sqlite)", 1.0, "s")])), encoding="utf-8")
    assert report_main(["--side-by-side", str(path), str(tmp_path / "postgresql.json")]) == 0
    captured = capsys.readouterr()
    assert "postgresql.json: not read" in captured.err
    assert "1.000 s" in captured.out


pg_only = pytest.mark.skipif(
    __import__("tests.support.env", fromlist=["BACKEND"]).BACKEND != "postgresql",
    reason="the PostgreSQL demo and its copies (SUPPORT24_TEST_BACKEND=postgresql)",
)


@pg_only
def test_copy_of_a_schema_has_its_rows_and_takes_new_ones(db_url: str, admin: object) -> None:
    from models.core import clock
    from models.core.db import close_database, open_database
    from models.core.entities import Staff

    close_database()
    with pg_demo.copy_of(db_url) as copy:
        open_database(copy)
        try:
            assert [s.username for s in Staff.select()] == ["admin1"]
            Staff.create(username="tech2", name="T", roles="technician", active=True, created_at=clock.now())
            assert Staff.select().count() == 2
        finally:
            close_database()
    open_database(db_url)
    assert Staff.select().count() == 1  # the source stays as it was


@pg_only
def test_a_finished_demo_is_reused_not_generated_again(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from models.core.db import parse_url

    def no_generation(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo was generated again")

    monkeypatch.setattr(subprocess, "run", no_generation)
    schema = parse_url(db_url).schema
    connection = pg_demo._connect(db_url)
    try:
        pg_demo.mark(connection, schema, {"scale": "large", "seed": 24, "complete": True})
        url, found = pg_demo.ensure_demo(db_url, "large", tmp_path / "data")
        assert (url, found["scale"]) == (pg_demo.schema_url(db_url, schema), "large")
    finally:
        connection.execute(f'COMMENT ON SCHEMA "{schema}" IS NULL')
        connection.close()


def test_a_write_probe_that_gives_up_says_so_instead_of_dying_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    def locked() -> None:
        raise sqlite3.OperationalError("database is locked")

    probe = bench_import.WriteProbe("sqlite:///unused.db")
    monkeypatch.setattr(probe, "_sqlite", lambda: locked)
    with probe:
        probe._thread.join()
    assert probe.gave_up == "OperationalError: database is locked" and probe.tries == 0


def test_side_by_side_holds_no_ratio_of_different_demos_to_the_goal() -> None:
    purge = {"extra": {"vs_sqlite_at_most": 1.5}, "goal": "ratio to SQLite <= 1.5"}
    sqlite = _document("sqlite", [Measurement("purge, seconds per deleted row", 30.0, "µs/row")])
    pg = _document("postgresql", [Measurement("purge, seconds per deleted row", 33.0, "µs/row", **purge)])
    sqlite["context"]["rows"] = {"orders": 400_000}  # type: ignore[index]
    pg["context"]["rows"] = {"orders": 20_000}  # type: ignore[index]
    text = side_by_side([sqlite, pg])
    assert "SQLite's × 1.10" in text and "- / -" in text
    assert "PostgreSQL measured on a demo of 20,000 orders, SQLite on 400,000" in text


def test_the_import_peak_is_the_import_process_own_not_that_of_the_benchmark_process(tmp_path: Path) -> None:
    """After the access report or the purge the benchmark process is large; the import it then
    starts must not be charged with that (ru_maxrss of a child keeps the exec'ing process's mark)."""
    ballast = bytearray(400 * 1024 * 1024)
    for at in range(0, len(ballast), 4096):  # resident, not only reserved
        ballast[at] = 1
    path = tmp_path / "import.jsonl"
    import_file.write(path, 40)
    with bench_import.scratch("sqlite:///") as (url, data_dir):
        bench_import._init(url, data_dir)
        _seconds, peak_kib, _err = bench_import._run_import(url, data_dir, path)
    assert 0 < peak_kib < 300 * 1024, f"{peak_kib / 1024:.0f} MiB"
    del ballast


def test_help_is_in_one_language_english_with_argparse_own_words() -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ, LANGUAGE="de", LANG="de_DE.UTF-8")
    shown = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert shown.startswith("usage: python -m benchmarks") and "options:" in shown
    assert "Aufruf" not in shown and "Optionen" not in shown
