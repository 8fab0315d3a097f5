"""A closed pipe and an unreachable database are one line on stderr, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from tests.support import factories as f
from tests.support.env import BACKEND, PG_URL

INIT = ("--admin", "anna", "--name", "Anna Admin", "--commitment-date", "2024-01-02")
ROOT = Path(__file__).resolve().parent.parent
LISTINGS = (
    ["policy", "default"],
    ["billing", "outbox"],
    ["billing", "batches"],
    ["deletions", "runs"],
    ["deletions", "list"],
    ["retention", "queue"],
    ["hold", "list"],
    ["stats"],
    ["stats", "--json"],
)


def _cli_closed_stdout(*argv: str) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI with stdout a pipe whose reading end is already closed (`| head` that left)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "console", *argv], cwd=ROOT, stdout=write_end, stderr=subprocess.PIPE, timeout=120
        )
    finally:
        os.close(write_end)


@pytest.fixture
def me(db, fixed_clock):
    return f.staff(os_account(), roles="accounting admin privacy_officer technician", name="Olga Operator")


@pytest.mark.parametrize("argv", LISTINGS, ids=" ".join)
def test_every_listing_survives_a_closed_pipe(me, argv: list[str]) -> None:
    done = _cli_closed_stdout(*argv)
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr, done.stderr.decode()
    assert done.returncode == 0, done.stderr.decode()


def _pg(url_tail: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + url_tail


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL only")
def test_init_against_a_missing_schema_is_one_line_and_exit_2(capsys) -> None:
    code = main(["--database", PG_URL + "?schema=no_such_schema_x1", "init", *INIT])
    err = capsys.readouterr().err
    assert code == 2 and "no_such_schema_x1" in err and "does not exist" in err and len(err.strip().splitlines()) == 1


def test_refused_connection_and_wrong_password_are_one_line_and_exit_2(capsys) -> None:
    code = main(["stats", "--database", "postgresql://nobody:x@127.0.0.1:1/test"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot connect" in err and len(err.strip().splitlines()) == 1
    if BACKEND == "postgresql":
        code = main(["stats", "--database", _pg("/test").replace("://", "://no_such_role_x:pw@")])
        err = capsys.readouterr().err
        assert code == 2 and "refused the login" in err and len(err.strip().splitlines()) == 1


def test_read_only_database_file_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files")
    path = tmp_path / "ro.db"
    assert main(["init", "--database", f"sqlite:///{path}", *INIT]) == 0
    path.chmod(0o400)
    capsys.readouterr()
    code = main(["init", "--database", f"sqlite:///{path}", *INIT])
    err = capsys.readouterr().err
    assert code == 2 and "read-only" in err


def test_driver_errors_map_to_one_clear_line() -> None:
    import sqlite3

    from models.core.db import database_problem, parse_url

    target = parse_url("sqlite:////srv/s24.db")
    full = database_problem(sqlite3.OperationalError("database or disk is full"), target)
    readonly = database_problem(sqlite3.OperationalError("attempt to write a readonly database"), target)
    assert full is not None and full.exit_code == 2 and "/srv/s24.db: the disk is full" in str(full)
    assert readonly is not None and "read-only" in str(readonly)
    assert database_problem(ValueError("x"), target) is None
