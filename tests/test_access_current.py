"""An export right after a compile reuses its matches only while nothing changed: the report
always shows the database as it is when exported, and every export still audits its compile."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from console.reports.access_report import export_report, report_document
from console.settings.config import Controller
from models.access import requests as access
from models.core.db import current_target, database, is_sqlite
from models.core.entities import AuditEvent, Customer
from tests.support import factories as f
from tests.support.access_seed import seed

CONTROLLER = Controller(city="Hanau")


@pytest.fixture
def world(db: str, fixed_clock):
    return seed()


@pytest.fixture
def ref(world) -> str:
    request = access.open_request(
        world.officer, name="Erika Weber", received_on="2026-11-24", channel="letter", customer_number="K-10042"
    )
    access.verify_identity(world.officer, request.ref, "Personalausweis vorgelegt")
    return request.ref


@pytest.fixture
def searches(monkeypatch) -> list[int]:
    """How often the matches were looked for in the database."""
    calls: list[int] = []
    real = access.find_matches

    def counted(subject):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(subject)

    monkeypatch.setattr(access, "find_matches", counted)
    return calls


def _order_refs(world, ref: str) -> set[str]:
    """The orders the report names, among its matches and in its copy of the data."""
    document = report_document(world.officer, ref, controller=CONTROLLER)
    return {m["ref"] for m in document["matches"] if m["kind"] == "order"} | {
        o["ref"] for o in document["data"]["orders"]
    }


def test_an_export_after_a_compile_reuses_its_matches_and_still_audits_the_compile(
    world, ref, searches, tmp_path: Path
) -> None:
    before = AuditEvent.select().count()
    compilation = access.compile_request(world.officer, ref)
    export_report(world.officer, ref, fmt="json", out=tmp_path / "r.json", controller=CONTROLLER)
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.id > before).order_by(AuditEvent.id)]
    assert actions == ["access.compile", "access.compile", "access.export"]
    assert len({e.detail for e in AuditEvent.select().where(AuditEvent.action == "access.compile")}) == 1
    # PostgreSQL: reused only if no transaction of anyone on the server committed meanwhile (see below)
    assert len(searches) == 1 if is_sqlite() else len(searches) in (1, 2)
    assert compilation.matches  # held by the caller until here


def test_a_compilation_the_caller_let_go_of_is_not_kept(world, ref, searches, tmp_path: Path) -> None:
    access.compile_request(world.officer, ref)
    gc.collect()
    export_report(world.officer, ref, fmt="json", out=tmp_path / "r.json", controller=CONTROLLER)
    assert len(searches) == 2


def test_a_change_after_the_compile_is_in_the_export(world, ref) -> None:
    compilation = access.compile_request(world.officer, ref)
    f.order("A-2026-0999", Customer.get(Customer.number == "K-10042"))
    assert "A-2026-0999" in _order_refs(world, ref)
    assert compilation.matches


@contextmanager
def _other_connection() -> Iterator[Any]:
    """A second connection to the test database, as another console would hold it (closed after)."""
    target = current_target()
    if is_sqlite():
        other: Any = sqlite3.connect(str(target.path))
    else:
        import psycopg

        parsed = urlparse(target.url)
        other = psycopg.connect(
            host=parsed.hostname, port=parsed.port or 5432, dbname=parsed.path.lstrip("/"),
            user=parsed.username, options=f"-c search_path={target.schema}",
        )  # fmt: skip
    try:
        yield other
    finally:
        other.close()


def _customer_labels(world, ref: str) -> set[str]:
    matches = report_document(world.officer, ref, controller=CONTROLLER)["matches"]
    return {m["label"] for m in matches if m["kind"] == "customer"}


RENAME = "UPDATE customer SET name = 'Bäckerei Müller-Weber' WHERE number = 'K-10042'"


def test_a_change_committed_by_another_connection_is_in_the_export(world, ref) -> None:
    compilation = access.compile_request(world.officer, ref)
    with _other_connection() as other:
        other.execute(RENAME)
        other.commit()
    assert "Bäckerei Müller-Weber" in _customer_labels(world, ref)
    assert compilation.matches


def test_a_change_begun_before_the_compile_and_committed_after_it_is_in_the_export(world, ref) -> None:
    """The compile cannot see another transaction's change until it commits; the export must."""
    if is_sqlite():
        pytest.skip("SQLite compiles under the write lock: no other writer is open meanwhile")
    with _other_connection() as other:
        other.execute(RENAME)  # its transaction stays open during the compile,
        f.order("A-2026-0997", Customer.get(Customer.number == "K-10042"))  # while a later one commits before it
        compilation = access.compile_request(world.officer, ref)
        assert "Bäckerei Müller-Weber" not in {m.label for m in compilation.matches}
        other.commit()
    assert "Bäckerei Müller-Weber" in _customer_labels(world, ref)
    assert compilation.matches


def test_a_change_another_connection_rolled_back_does_not_compile_again(world, ref, searches, tmp_path) -> None:
    if not is_sqlite():
        pytest.skip("on a shared server other transactions commit meanwhile; the rule is tested below")
    compilation = access.compile_request(world.officer, ref)
    with _other_connection() as other:
        other.execute(RENAME)
        other.rollback()
    export_report(world.officer, ref, fmt="json", out=tmp_path / "r.json", controller=CONTROLLER)
    assert len(searches) == 1
    assert compilation.matches


def test_a_compile_inside_a_transaction_that_rolls_back_is_not_reused(world, ref) -> None:
    access.compile_request(world.officer, ref)
    with database.atomic() as transaction:
        f.order(
            "A-2026-0998",
            Customer.get(Customer.number == "K-10042"),
            opened_at=datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc),
        )
        compilation = access.compile_request(world.officer, ref)
        assert any(m.ref == "A-2026-0998" for m in compilation.matches)
        transaction.rollback()
    assert "A-2026-0998" not in _order_refs(world, ref)
    assert compilation.matches


def _finished_transaction(commit: bool) -> int:
    """The id of a transaction of another connection that wrote and then committed or rolled back."""
    with _other_connection() as other:
        other.execute("UPDATE customer SET name = name WHERE number = 'K-10042'")
        (xid,) = other.execute("SELECT CAST(pg_current_xact_id() AS text)").fetchone()
        other.commit() if commit else other.rollback()
    return int(xid)


def test_on_postgresql_only_a_rollback_of_others_between_two_snapshots_keeps_a_compile(world, ref) -> None:
    """The rule behind reusing a compile on PostgreSQL, on snapshots written out (xmin:xmax:running)."""
    if is_sqlite():
        pytest.skip("PostgreSQL snapshots")
    from models.access.current import _only_own_commits

    rolled_back, committed = _finished_transaction(False), _finished_transaction(True)
    own = committed + 1000
    assert _only_own_commits(f"{rolled_back}:{rolled_back}:", str(own), f"{rolled_back}:{rolled_back + 1}:")
    assert not _only_own_commits(f"{committed}:{committed}:", str(own), f"{committed}:{committed + 1}:")
    # running at the first snapshot (listed), finished by the second: committed means compile again
    after = committed + 1
    assert not _only_own_commits(f"{committed}:{after}:{committed}", str(own), f"{after}:{after}:")
    next_one = rolled_back + 1
    assert _only_own_commits(f"{rolled_back}:{next_one}:{rolled_back}", str(own), f"{next_one}:{next_one}:")
    # still running at the second, or the compile's own: nothing changed
    assert _only_own_commits(f"{committed}:{committed}:", str(committed), f"{committed}:{committed + 1}:")
    assert _only_own_commits(f"{committed}:{committed}:", str(own), f"{committed}:{committed + 1}:{committed}")
