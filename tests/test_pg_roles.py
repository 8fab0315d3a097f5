"""PostgreSQL with the server's identity: each console role connects as its own database role and
the server itself refuses what the role may not do (not only the Python checks)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from console.cli.context import Context
from models.core import audit, clock, pg_roles
from models.core.db import close_database, open_database, write_tx
from models.core.entities import ROLES, Staff
from tests.support.env import BACKEND, PG_URL, pg_schema_url

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="database roles are PostgreSQL's")

DENIED = psycopg.errors.InsufficientPrivilege


class Install:
    def __init__(self, schema: str, people: dict[str, str]) -> None:
        self.schema = schema
        self.people = people  # console role -> username

    def url(self, username: str) -> str:
        return pg_schema_url(self.schema).replace("postgresql://", f"postgresql://{username}@", 1)

    def connect(self, role: str) -> psycopg.Connection:
        """A plain connection as that staff member's database role, autocommit."""
        base = PG_URL.replace("postgresql://", "", 1)
        host_port, _, dbname = base.partition("/")
        host, _, port = host_port.partition(":")
        return psycopg.connect(
            host=host,
            port=int(port or 5432),
            dbname=dbname.split("?")[0],
            user=self.people[role],
            options=f"-c search_path={self.schema}",
            autocommit=True,
        )


@pytest.fixture
def install(fixed_clock) -> Iterator[Install]:
    tag = uuid.uuid4().hex[:8]
    schema = f"s24r_{tag}"
    people = {role: f"{role[:4]}_{tag}" for role in ROLES}
    admin_db = psycopg.connect(PG_URL, autocommit=True)
    admin_db.execute(f'CREATE SCHEMA "{schema}"')
    open_database(pg_schema_url(schema))
    from models.core.schema import ensure_schema

    ensure_schema()
    for role, username in people.items():
        Staff.create(
            username=username,
            name=f"Test {role}",
            roles=role,
            commitment_signed_on=clock.today_berlin(),
            active=True,
            created_at=clock.now(),
        )
    with write_tx():
        pg_roles.install()
    audit.record(people["technician"], "session.start", "S-2026-0001")
    database_prefix = pg_roles.prefix()
    close_database()
    yield Install(schema, people)
    close_database()
    admin_db.execute(f'DROP SCHEMA "{schema}" CASCADE')
    for name in [*people.values(), *(f"{database_prefix}_{r}" for r in (*ROLES, "staff"))]:
        admin_db.execute(f'DROP OWNED BY "{name}"')
        admin_db.execute(f'DROP ROLE IF EXISTS "{name}"')
    admin_db.close()


def test_a_technician_cannot_delete_or_rewrite_audit_events(install: Install) -> None:
    with install.connect("technician") as tech:
        with pytest.raises(DENIED, match="permission denied"):
            tech.execute("DELETE FROM audit_event")
        with pytest.raises(DENIED):
            tech.execute("UPDATE audit_event SET actor = 'nobody'")
        assert tech.execute("SELECT count(*) FROM audit_event").fetchone()[0] == 1


def test_a_staff_member_writes_audit_events_only_in_their_own_name(install: Install) -> None:
    """INSERT is granted to every operator (each writes their own events); forging another's is refused."""
    officer = install.people["privacy_officer"]
    with install.connect("technician") as tech:
        head = tech.execute("SELECT max(id), (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1) FROM audit_event")
        last_id, last_hash = head.fetchone()
        forged = (
            "INSERT INTO audit_event (id, at, actor, action, ref, detail, prev_hash, hash) "
            "VALUES (%s, now(), %s, 'purge.run', NULL, NULL, %s, 'x')"
        )
        with pytest.raises(DENIED, match="own name"):
            tech.execute(forged, (last_id + 1, officer, last_hash))
        tech.execute(forged, (last_id + 1, install.people["technician"], last_hash))
        actors = [row[0] for row in tech.execute("SELECT actor FROM audit_event ORDER BY id")]
    assert officer not in actors
    assert actors[-1] == install.people["technician"]


def test_only_admin_changes_staff_roles(install: Install) -> None:
    for role in ("technician", "privacy_officer", "accounting"):
        with install.connect(role) as conn:
            with pytest.raises(DENIED):
                conn.execute("UPDATE staff SET roles = 'admin technician' WHERE username = %s", (install.people[role],))
    with install.connect("admin") as admin:
        admin.execute("UPDATE staff SET roles = 'accounting' WHERE username = %s", (install.people["technician"],))
        groups = admin.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
            (install.people["technician"],),
        ).fetchall()
    names = {name for (name,) in groups}
    assert any(n.endswith("_accounting") for n in names) and not any(n.endswith("_technician") for n in names)


def test_only_the_privacy_officer_deletes_data_and_nobody_rewrites_proof(install: Install) -> None:
    for role in ("technician", "accounting", "admin"):
        with install.connect(role) as conn:
            with pytest.raises(DENIED):
                conn.execute("DELETE FROM remote_session")
            with pytest.raises(DENIED):
                conn.execute("DELETE FROM chat_message")
    with install.connect("privacy_officer") as officer:
        officer.execute("DELETE FROM chat_message")  # the purge's privilege
        for sql in ("DELETE FROM audit_event", "DELETE FROM deletion_record", "UPDATE consent SET note = 'x'"):
            with pytest.raises(DENIED):
                officer.execute(sql)


def test_append_only_by_trigger_even_where_a_grant_allows_delete(install: Install) -> None:
    open_database(pg_schema_url(install.schema))
    from models.core.db import database

    database.execute_sql(
        "INSERT INTO customer (number, name, name_key, professional_secrecy, created_at) "
        "VALUES ('K-1', 'Bäckerei', 'backerei', false, now())"
    )
    database.execute_sql(
        "INSERT INTO orders (ref, customer_id, opened_at, billing_class, created_at) "
        "SELECT 'A-1', id, now(), 'contract', now() FROM customer"
    )
    database.execute_sql(
        "INSERT INTO remote_session (ref, order_id, technician_id, started_at, screen_private, created_at) "
        "SELECT 'S-1', o.id, s.id, now(), true, now() FROM orders o, staff s LIMIT 1"
    )
    for kind in ("screen_visibility", "recording"):
        database.execute_sql(
            "INSERT INTO consent (ref, session_id, kind, given_by, given_by_key, method, granted, at, created_at) "
            f"SELECT 'C-{kind}', id, '{kind}', 'Erika', 'erika', 'verbal', true, now(), now() FROM remote_session"
        )
    close_database()
    with install.connect("privacy_officer") as officer:
        with pytest.raises(DENIED, match="append-only"):
            officer.execute("DELETE FROM consent WHERE kind = 'screen_visibility'")
        officer.execute("DELETE FROM consent WHERE kind = 'recording'")  # its recording is gone (there was none)
        assert officer.execute("SELECT count(*) FROM consent").fetchone()[0] == 1


def test_the_operator_is_the_session_user_and_works_through_the_domain(install: Install, monkeypatch) -> None:
    monkeypatch.setenv("SUPPORT24_DATABASE_URL", install.url(install.people["technician"]))
    ctx = Context()
    operator = ctx.operator()  # the OS account here is root; the server says who connected
    assert operator.username == install.people["technician"]
    audit.record(operator.username, "session.read", "S-2026-0001")  # INSERT and the head update are granted
    assert audit.verify().ok and audit.verify().checked == 2


def test_a_deactivated_staff_member_can_no_longer_log_in(install: Install) -> None:
    with install.connect("admin") as admin:
        admin.execute("UPDATE staff SET active = false WHERE username = %s", (install.people["accounting"],))
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        install.connect("accounting")


def test_each_role_does_its_everyday_work_through_the_domain_as_itself(install: Install, tmp_path) -> None:
    """The grants are enough for the work each role does: a session day, the purge, a billing batch."""
    from datetime import timedelta

    from models.billing import outbox
    from models.core import people
    from models.core.identity import resolve_operator
    from models.purge.run import run_purge
    from models.sessions import orders, sessions

    def as_role(role: str) -> Staff:
        close_database()
        open_database(install.url(install.people[role]))
        return resolve_operator(pg_roles.session_user())

    tech = as_role("technician")
    start = clock.now() - timedelta(hours=3)
    people.register_customer(tech, "K-10042", "Bäckerei Schmidt")
    order = orders.open_order(tech, "K-10042", opened_at=start)
    session = sessions.start_session(
        tech, sessions.SessionInput(order.ref, tech.username, "203.0.113.7", "EMPFANG-PC", None, True, started_at=start)
    )
    sessions.add_chat(tech, session.ref, "customer", "Danke!", at=start + timedelta(minutes=5))
    sessions.end_session(tech, session.ref, ended_at=start + timedelta(hours=1))
    orders.complete_order(tech, order.ref, completed_at=start + timedelta(hours=2))

    accountant = as_role("accounting")
    batch = outbox.create_batch(accountant, deliver=lambda content: "0" * 64)
    assert batch is not None
    outbox.acknowledge(accountant, batch.batch.number, clock.today_berlin())

    officer = as_role("privacy_officer")
    result = run_purge(officer, data_dir=tmp_path)
    assert result.run_id > 0
    assert audit.verify().ok


def test_the_privacy_officer_purges_a_whole_connection_with_its_consents_as_itself(
    install: Install, tmp_path, fixed_clock
) -> None:
    """A connection purged by the officer's own role takes the session's consents with it, as its key's cascade
    (which runs as the tables' owner), though the officer alone may delete only recording consents."""
    from datetime import timedelta

    from models.billing import outbox
    from models.core import people
    from models.core.entities import Consent, DeletionRecord, RemoteSession
    from models.core.identity import resolve_operator
    from models.purge.run import run_purge
    from models.sessions import orders, sessions

    def as_role(role: str) -> Staff:
        close_database()
        open_database(install.url(install.people[role]))
        return resolve_operator(pg_roles.session_user())

    tech = as_role("technician")
    start = clock.now() - timedelta(hours=3)
    people.register_customer(tech, "K-10042", "Bäckerei Schmidt")
    order = orders.open_order(tech, "K-10042", opened_at=start)
    session = sessions.start_session(
        tech, sessions.SessionInput(order.ref, tech.username, "203.0.113.7", "EMPFANG-PC", None, True, started_at=start)
    )
    sessions.record_consent(tech, session.ref, sessions.ConsentInput("additional_staff", "Eva", "verbal", True))
    sessions.end_session(tech, session.ref, ended_at=start + timedelta(hours=1))
    orders.complete_order(tech, order.ref, completed_at=start + timedelta(hours=2))
    accountant = as_role("accounting")
    batch = outbox.create_batch(accountant, deliver=lambda content: "0" * 64)
    assert batch is not None
    outbox.acknowledge(accountant, batch.batch.number, clock.today_berlin())

    fixed_clock.advance(days=200)  # P8: three months after billing
    officer = as_role("privacy_officer")
    result = run_purge(officer, data_dir=tmp_path)
    assert result.deleted.get("connection") == 1
    assert not RemoteSession.select().where(RemoteSession.ref == session.ref).exists()
    assert not Consent.select().where(Consent.session == session.id).exists()
    assert DeletionRecord.select().where(DeletionRecord.category == "connection").count() == 1
