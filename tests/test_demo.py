"""`support24 demo`: what a user opening the demo would see, on SQLite and PostgreSQL.

The small scale goes through the domain; the bulk generator (medium/large) is exercised
with a tiny Scale so it runs in seconds on both backends.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from console.demo import common as demo_common
from console.demo import fill as demo
from models.core import audit, clock, stats
from models.core.entities import (
    ALL_MODELS,
    AccessRequest,
    AuditEvent,
    BillingBatch,
    BillingRecord,
    ChatMessage,
    Consent,
    GatheredFile,
    LegalHold,
    Order,
    Recording,
    RemoteSession,
    RetentionDue,
    SchemaMeta,
    Staff,
)
from models.retention import policy
from tests.support import factories as f

ME = os_account()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def builtin_policy_after() -> Iterator[None]:
    """The demo command activates the configured policy for its process; later tests get the built-in one back."""
    yield
    policy.activate(policy.Policy())


def test_small_demo_opens_for_the_os_account_and_shows_today(
    db, fixed_clock, capsys, isolated_dirs: Path, builtin_policy_after
) -> None:
    code, out, err = run(capsys, "demo", "--scale", "small", "--json")
    assert code == 0, err
    # due dates were computed under the policy the purge will use: nothing to recompute later
    assert RetentionDue.select().count() > 0
    from models.retention import due as retention_due

    assert (
        not RetentionDue.select()
        .where(RetentionDue.policy_version != retention_due.fingerprint(policy.active()))
        .exists()
    )
    document = json.loads(out)
    assert document["operator"] == ME and document["counts"]["orders"] >= 200
    me = Staff.get(Staff.username == ME)
    assert me.role_set == {"accounting", "admin", "privacy_officer", "technician"} and me.commitment_signed_on
    assert audit.verify().ok
    now, today = clock.now(), clock.today_berlin()
    # sessions running right now
    assert RemoteSession.select().where(RemoteSession.ended_at.is_null()).count() == 3
    # P7 material due tomorrow, and some overdue
    tomorrow = (now + timedelta(hours=12), now + timedelta(hours=36))
    assert Order.select().where(Order.gathered_due_at.between(*tomorrow)).count() >= 2
    assert Order.select().where(Order.gathered_due_at < now).exists()
    # P8 records overdue and due in the coming days, billed about three months ago
    assert Order.select().where(Order.records_due_at.between(now - timedelta(days=30), now)).count() >= 3
    assert Order.select().where(Order.records_due_at.between(now, now + timedelta(days=14))).count() >= 3
    # completed, never billed, past the warning period: blocked
    blocked = Order.select().where(Order.billed_on.is_null() & (Order.completed_at < now - timedelta(days=45)))
    assert blocked.count() >= 3
    assert LegalHold.select().where(LegalHold.released_at.is_null()).count() == 1
    states = {r.state for r in AccessRequest.select()}
    assert {"received", "verified", "compiled", "reviewed", "delivered", "rejected"} <= states
    assert AccessRequest.select().where(AccessRequest.due_on.between(today, today + timedelta(days=14))).count() >= 2
    # billing: acknowledged batches, an exported unacknowledged one, records in the outbox
    assert BillingBatch.select().where(BillingBatch.acknowledged_at.is_null()).count() == 1
    assert BillingBatch.select().where(BillingBatch.billed_on.is_null(False)).count() > 10
    assert BillingRecord.select().where(BillingRecord.batch.is_null()).exists()
    from console.jobs import billing_export

    acknowledged = (
        BillingBatch.select().where(BillingBatch.billed_on.is_null(False)).order_by(BillingBatch.number).first()
    )
    assert billing_export.export(me, isolated_dirs.parent / "export", reexport=acknowledged.number).identical
    assert {c.kind for c in Consent.select(Consent.kind)} == {
        "screen_visibility",
        "additional_staff",
        "disclosure",
        "recording",
    }
    # IPv4 and IPv6, umlauts, hostile chat kept literally with escapes stripped
    ips = [s.customer_ip for s in RemoteSession.select(RemoteSession.customer_ip)]
    assert any(":" in ip for ip in ips) and any("." in ip for ip in ips)
    assert Staff.select().where(Staff.name.contains("ö") | Staff.name.contains("ü") | Staff.name.contains("ä")).exists()
    texts = [m.text for m in ChatMessage.select(ChatMessage.text)]
    assert "[bold red]x[/]" in texts and "[link=http://x]y[/link]" in texts
    assert not any("\x1b" in t or "\x07" in t for t in texts) and "[31mrot[0m und wieder normal" in texts
    # files in the data folder match their recorded size and hash, owner-only
    files = [(g.path, g.size, g.sha256) for g in GatheredFile.select()] + [
        (r.path, r.size, r.sha256) for r in Recording.select()
    ]
    assert len(files) >= 9
    for rel, size, digest in files:
        path = isolated_dirs / rel
        assert path.stat().st_size == size and path.stat().st_mode & 0o077 == 0
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_if_empty_leaves_a_database_with_data_alone_and_plain_demo_refuses(db, fixed_clock, capsys) -> None:
    f.customer()
    before = stats.counts()
    code, out, _err = run(capsys, "demo", "--if-empty")
    assert code == 0 and "left it as it was" in out
    code, out, err = run(capsys, "demo")
    assert code == 2 and out == "" and "holds data already" in err
    assert stats.counts() == before
    assert not Staff.select().where(Staff.username == ME).exists()


@pytest.mark.parametrize("mine", [None, "technician", "admin"])
def test_demo_on_a_database_with_staff_grants_nothing(db, fixed_clock, capsys, mine: str | None) -> None:
    """Not registered, a technician, or an admin without every role: refused (exit 2), nothing changed."""
    f.staff("chefin", roles="admin", name="Renate Köhler")
    if mine:
        f.staff(ME, roles=mine, name="Olga Operator")
    before = (stats.counts(), AuditEvent.select().count())
    code, out, err = run(capsys, "demo")
    assert code == 2 and out == "" and "grants" in err
    assert (stats.counts(), AuditEvent.select().count()) == before
    me = Staff.get_or_none(Staff.username == ME)
    assert (me.roles if me else None) == mine


def test_an_admin_with_every_role_runs_the_demo_as_themselves(db, fixed_clock, capsys, builtin_policy_after) -> None:
    f.staff("chefin", roles="admin", name="Renate Köhler")
    f.staff(ME, roles=" ".join(sorted(demo_common.ALL_ROLES)), name="Olga Operator")
    code, _out, err = run(capsys, "demo")
    assert code == 0, err
    assert Staff.get(Staff.username == "chefin").roles == "admin"
    actors = {e.actor for e in AuditEvent.select(AuditEvent.actor).where(AuditEvent.action == "staff.register")}
    assert actors == {ME}
    assert audit.verify().ok


def test_demo_on_an_empty_database_registers_the_operator_as_itself(db, fixed_clock) -> None:
    me = demo.ensure_operator(ME, demo.check_operator(ME))
    assert me.role_set == set(demo_common.ALL_ROLES) and me.commitment_signed_on is not None
    event = AuditEvent.get(AuditEvent.action == "staff.register")
    assert event.actor == ME and event.ref == ME


def test_unknown_scale_is_a_usage_error(db, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--scale", "huge"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def _snapshot() -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    rows += [
        (o.ref, o.customer.number, o.opened_at, o.completed_at, o.billed_on, o.billing_class)
        for o in Order.select().order_by(Order.ref)
    ]
    rows += [
        (s.ref, s.customer_ip, s.workstation, s.customer_person, s.started_at)
        for s in RemoteSession.select().order_by(RemoteSession.ref)
    ]
    rows += [(m.at, m.sender, m.text) for m in ChatMessage.select().order_by(ChatMessage.at, ChatMessage.text)]
    rows += [(c.ref, c.kind, c.given_by, c.at) for c in Consent.select().order_by(Consent.ref)]
    return rows


def _empty_everything(data_dir: Path) -> None:
    for model in reversed(ALL_MODELS):
        query = model.delete()
        if model is SchemaMeta:
            query = query.where(SchemaMeta.key == audit.HEAD_KEY)
        query.execute()


def test_same_seed_same_data_other_seed_other_data(db, fixed_clock, isolated_dirs: Path) -> None:
    def build(seed: int) -> list[tuple[object, ...]]:
        me = demo.ensure_operator(ME)
        world = demo.demo_small.DemoWorld(rng=random.Random(seed), now=clock.now(), data_dir=isolated_dirs, me=me)
        demo.build_small(world, history_orders=12, recent_orders=4)
        snapshot = _snapshot()
        _empty_everything(isolated_dirs)
        return snapshot

    first, second, other = build(5), build(5), build(6)
    assert first == second and len(first) > 50
    assert other != first


def test_bulk_generator_writes_valid_rows_and_a_verifiable_chain(db, fixed_clock, isolated_dirs: Path) -> None:
    demo_bulk = pytest.importorskip("console.demo.bulk")
    tiny = demo_common.Scale(
        "tiny",
        orders=600,
        customers=40,
        technicians=5,
        window_activity=900,
        window_chat=300,
        backlog_activity_per_order=1.0,
        consents=120,
        access_requests=10,
        audit_events=1500,
    )
    report = demo_bulk.generate(tiny, random.Random(3), clock.now())
    me = demo.ensure_operator(ME)
    world = demo_bulk.world_for_scenario(random.Random(3), clock.now(), isolated_dirs, me)
    demo.demo_scenario.build(world, recent_orders=0)
    assert audit.verify().ok
    from models.retention import due as retention_due

    assert retention_due.sync() == 0  # the bulk rows are what the retention module would have computed
    counts = stats.counts()
    assert counts["orders"] >= 600 and counts["billing_records"] >= counts["orders"] - 3
    assert counts["access_requests"] >= 10 and report["rows"] > 3000
    if db.startswith("sqlite"):  # the raw sqlite3 baseline of the same rows was measured
        assert report["rates"]["raw_rows_per_s"] and report["rates"]["sample_rows"] > 0
    # every screen-not-private session has a granted screen_visibility consent at or before its start
    unconsented = (
        RemoteSession.select()
        .where(~RemoteSession.screen_private)
        .where(
            ~RemoteSession.id.in_(
                Consent.select(Consent.session).where(
                    (Consent.kind == "screen_visibility") & Consent.granted & (Consent.at <= RemoteSession.started_at)
                )
            )
        )
    )
    assert unconsented.count() == 0
    # refs continue without collisions after the bulk phase
    from models.core.refs import next_ref

    year = clock.today_berlin().year
    assert not Order.select().where(Order.ref == next_ref(Order, "A", year)).exists()
    # no session was started by a technician before their commitment (P3)
    for session in RemoteSession.select().join(Staff).limit(500):
        assert session.technician.commitment_signed_on <= clock.berlin_date(session.started_at)
