"""Test fixtures: a fresh database per test on SQLite or PostgreSQL, an injected clock,
and folders that never touch the developer's own data.

Select the backend with SUPPORT24_TEST_BACKEND=sqlite (default) or postgresql; the
PostgreSQL server is SUPPORT24_TEST_PG_URL (default postgresql://127.0.0.1:5432/test).
Each test run works in a schema of its own, so parallel runs do not meet.
"""

from __future__ import annotations

import os

# The suite reads English (the source text) unless SUPPORT24_TEST_LANGUAGE says otherwise; set before
# anything translates at import time, and in the environment so that main() chooses it too.
from models.core.i18n import set_language

TEST_LANGUAGE = set_language(os.environ.get("SUPPORT24_TEST_LANGUAGE", "en"))
os.environ["LANGUAGE"] = TEST_LANGUAGE
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from console.cli.app import tune_for_workers
from models.core import clock
from models.core.db import close_database, database, open_database
from models.core.entities import ALL_MODELS, Staff
from models.core.schema import ensure_schema
from tests.support.env import BACKEND, NOW, PG_URL, pg_schema_url

tune_for_workers()  # as the console does at start: the screen tests run ConsoleApp with the same thread timing


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    """One PostgreSQL schema for this test process, dropped at the end."""
    if BACKEND != "postgresql":
        yield None
        return
    schema = f"s24t_{uuid.uuid4().hex[:12]}"
    db = open_database(PG_URL)
    db.execute_sql(f'CREATE SCHEMA "{schema}"')
    close_database()
    open_database(pg_schema_url(schema))
    ensure_schema()
    close_database()
    yield schema
    db = open_database(PG_URL)
    db.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
    close_database()


@pytest.fixture(autouse=True)
def builtin_policy() -> Iterator[None]:
    """Every test starts under the built-in policy: one that loads a policy file (a CLI command
    run in-process, the scheduler) must not change the version later tests see."""
    from models.retention import policy

    policy.activate(policy.Policy())
    yield
    policy.activate(policy.Policy())


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data, config and home folders inside the test's tmp_path."""
    data = tmp_path / "data"
    monkeypatch.setenv("SUPPORT24_DATA_DIR", str(data))
    monkeypatch.setenv("SUPPORT24_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("SUPPORT24_DATABASE_URL", raising=False)
    return data


@pytest.fixture
def db_url(tmp_path: Path, pg_schema: str | None, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of an empty database for this test, also exported for CLI calls."""
    if pg_schema is None:
        url = f"sqlite:///{tmp_path / 'data' / 'support24.db'}"
    else:
        url = pg_schema_url(pg_schema)
        open_database(url)
        tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
        database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        close_database()
    monkeypatch.setenv("SUPPORT24_DATABASE_URL", url)
    return url


@pytest.fixture
def db(db_url: str, isolated_dirs: Path) -> Iterator[str]:
    """An open, empty database with the current schema."""
    isolated_dirs.mkdir(parents=True, exist_ok=True, mode=0o700)
    open_database(db_url)
    ensure_schema()
    yield db_url
    close_database()


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    """The application clock frozen at NOW (2026-11-24 10:00 UTC); advance it by hand."""
    source = clock.FixedClock(NOW)
    clock.set_clock(source)
    yield source
    clock.reset_clock()


@pytest.fixture
def admin(db: str) -> Staff:
    return Staff.create(
        username="admin1",
        name="Anna Admin",
        roles="admin",
        commitment_signed_on=datetime(2024, 1, 2).date(),
        active=True,
        created_at=clock.now(),
    )
