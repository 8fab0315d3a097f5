"""Matching finds every record that names the subject, says why, and nothing of anyone else."""

from __future__ import annotations

import logging
import os
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.access import matching
from models.access import requests as access
from models.core.db import database
from models.core.entities import AccessRequestExclusion, Customer
from models.core.errors import RuleViolation, ValidationError
from models.core.text import fold
from tests.support.access_seed import seed


@pytest.fixture
def world(db: str, fixed_clock):
    return seed()


def _open(world, name: str = "Erika Weber", **kwargs) -> str:
    request = access.open_request(world.officer, name=name, received_on="2026-11-24", channel="letter", **kwargs)
    access.verify_identity(world.officer, request.ref, "Personalausweis vorgelegt")
    return request.ref


def _keys(compilation) -> dict[tuple[str, str], list[str]]:
    return {(m.kind, m.ref): sorted(r.code for r in m.reasons) for m in compilation.included()}


@pytest.mark.parametrize("spelling", ["Müller", "Mueller", "MÜLLER", "mÜller", unicodedata.normalize("NFD", "Müller")])
def test_fold_meets_umlaut_and_case_variants(spelling: str) -> None:
    assert fold(spelling) == "mueller"


@given(st.text(alphabet="aouAOUäöüÄÖÜß ", min_size=1, max_size=20))
def test_fold_of_umlauts_equals_fold_of_their_transcription(name: str) -> None:
    spelled = (
        name.replace("ä", "ae")
        .replace("ö", "oe")
        .replace("ü", "ue")
        .replace("Ä", "AE")
        .replace("Ö", "OE")
        .replace("Ü", "UE")
        .replace("ß", "ss")
    )
    assert fold(name) == fold(spelled) == fold(spelled.upper())


@pytest.mark.parametrize("spelling", ["Erika Weber", "ERIKA WEBER", "erika  weber"])
def test_name_variants_find_the_subject_and_say_why(world, spelling: str) -> None:
    compilation = access.compile_request(world.officer, _open(world, spelling))
    found = _keys(compilation)
    assert found[("contact", "K-10042")] == ["name"]
    assert "name" in found[("consent", compilation.included("consent")[0].ref)]
    assert any(kind == "session" and "name" in codes for (kind, _ref), codes in found.items())
    # the billing record names the workstation, so it comes with the subject's session
    assert any(kind == "billing_record" and codes == ["session"] for (kind, _ref), codes in found.items())


def test_umlaut_variant_of_a_customer_name_matches(world) -> None:
    compilation = access.compile_request(world.officer, _open(world, "Baeckerei MUELLER"))
    assert [(m.kind, m.ref) for m in compilation.included("customer")] == [("customer", "K-10042")]


def test_customer_number_brings_orders_sessions_and_billing_records(world) -> None:
    compilation = access.compile_request(world.officer, _open(world, "Frau Unbekannt", customer_number="K-10042"))
    found = _keys(compilation)
    assert found[("customer", "K-10042")] == ["customer_number"]
    assert found[("order", "A-2026-0101")] == ["customer"]
    assert {kind for kind, _ref in found} == {"customer", "order", "session", "billing_record"}


def test_email_workstation_and_ip_match_exactly_what_they_name(world) -> None:
    ref = _open(
        world,
        "Niemand",
        email="e.weber@mueller.example",
        identifiers={"workstations": ["empfang-pc"], "ips": ["192.0.2.44"]},
    )
    found = _keys(access.compile_request(world.officer, ref))
    assert found[("contact", "K-10042")] == ["email"]  # stored as E.Weber@Mueller.example
    sessions = {ref: codes for (kind, ref), codes in found.items() if kind == "session"}
    assert sorted(sessions.values()) == [["ip"], ["workstation"]]


def test_nothing_of_another_subject_matches(world) -> None:
    compilation = access.compile_request(world.officer, _open(world, customer_number="K-10042"))
    refs = {m.ref for m in compilation.matches}
    assert "K-20001" not in refs and "A-2026-0102" not in refs
    assert all("Maier" not in m.label for m in compilation.matches)


def test_excluding_a_namesake_keeps_the_reason_and_drops_what_came_through_it(world) -> None:
    ref = _open(world)
    compilation = access.compile_request(world.officer, ref)
    namesake = next(m for m in compilation.included("customer") if m.ref == "K-30003")
    assert [r.code for r in namesake.reasons] == ["name"]
    assert any(m.ref == "A-2026-0103" for m in compilation.included("order"))
    access.exclude_match(world.officer, ref, "customer", namesake.id, "Namensvetterin, Designbüro")
    after = access.compile_request(world.officer, ref)
    excluded = [m for m in after.matches if m.excluded]
    assert [(m.ref, m.exclusion_reason) for m in excluded] == [("K-30003", "Namensvetterin, Designbüro")]
    assert not any(m.ref == "A-2026-0103" for m in after.matches)  # its order came only through it
    assert AccessRequestExclusion.select().count() == 1


def test_exclusion_refusals(world) -> None:
    ref = _open(world)
    compilation = access.compile_request(world.officer, ref)
    other = Customer.get(Customer.number == "K-20001")
    with pytest.raises(ValidationError, match="not among the matches"):
        access.exclude_match(world.officer, ref, "customer", other.id, "nope")
    with pytest.raises(ValidationError, match="reason"):
        access.exclude_match(world.officer, ref, "customer", compilation.included("customer")[0].id, "  ")
    target = compilation.included("contact")[0]
    access.exclude_match(world.officer, ref, "contact", target.id, "andere Person")
    with pytest.raises(RuleViolation, match="excluded already"):
        access.exclude_match(world.officer, ref, "contact", target.id, "again")


def test_earlier_requests_of_the_same_person_are_found(world) -> None:
    first = _open(world, email="e.weber@mueller.example")
    access.reject(world.officer, first, "Identität nicht nachweisbar")
    compilation = access.compile_request(world.officer, _open(world, "ERIKA WEBER"))
    assert [(m.ref, [r.code for r in m.reasons]) for m in compilation.included("access_request")] == [(first, ["name"])]


@pytest.mark.skipif(
    os.environ.get("SUPPORT24_TEST_BACKEND", "sqlite") != "sqlite",
    reason="reads SQLite's EXPLAIN QUERY PLAN; PostgreSQL plans depend on table statistics",
)
def test_compile_and_report_read_through_indexes_only(world) -> None:
    """Every query of matching and of the report's data searches an index; none scans a table."""
    ref = _open(
        world,
        customer_number="K-10042",
        email="x@example.org",
        identifiers={"workstations": ["EMPFANG-PC"], "ips": ["203.0.113.7"]},
    )
    access.compile_request(world.officer, ref)
    statements: list[tuple[str, list]] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if isinstance(record.msg, tuple) and record.msg[0].startswith("SELECT"):
                statements.append(record.msg)

    logger = logging.getLogger("peewee")
    handler, level = Capture(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        access.report_material(world.officer, ref)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(statements) > 20
    for sql, params in statements:
        if '"audit_event"' in sql:
            continue  # the audit chain reads its last row by primary key
        plan = [row[3] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
        assert not [step for step in plan if step.startswith("SCAN")], (sql, plan)


def test_long_id_lists_are_queried_in_chunks_with_the_same_result(world, monkeypatch) -> None:
    ref = _open(world, customer_number="K-10042")
    whole = access.compile_request(world.officer, ref)
    data = access.report_material(world.officer, ref)[2]
    monkeypatch.setattr(matching, "CHUNK", 1)  # every IN list holds one id
    assert access.compile_request(world.officer, ref).matches == whole.matches
    assert access.report_material(world.officer, ref)[2] == data
