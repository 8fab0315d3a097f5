"""PostgreSQL with the server's own identity: one database role per staff member, one group per console role.

With peer authentication over the local socket every OS account connects as the database
role of the same name, so the operator is the server's `session_user`, which no process can
fake. `install()` (run by the schema's owner, who needs CREATEROLE) creates

- `<prefix>_staff`: what every operator needs (read, write audit events, keep due dates);
- `<prefix>_technician`, `_privacy_officer`, `_accounting`, `_admin`: the least each role
  needs on top, so the server itself refuses the rest: only admin may change staff (and so
  roles), only privacy_officer deletes data (the purge);
- one LOGIN role per staff member, member of the groups of its roles, kept in step by a
  trigger on the staff table (a SECURITY DEFINER function owned by the owner): registering,
  changing roles or deactivating someone changes the database role in the same transaction.

The prefix is `support24`, or `support24_<schema>` for an installation in its own schema.
A staff member's role appends audit events in its own name only (a trigger), so a technician
cannot write one in a colleague's name. Audit events and deletion records are append-only by
trigger as well as by grant (no role but the owner may UPDATE or DELETE them); consent records likewise, except that a
recording's consent may be deleted once its recording is gone (P4: the proof goes with the
data it justifies, and only the purge's role holds DELETE on it). These triggers are part of
the schema on every PostgreSQL database (`install_append_only`, migration 5).
"""

from __future__ import annotations

from models.core.db import current_target, database, is_postgres
from models.core.entities import ROLES, SchemaMeta

INSTALLED_KEY = "pg_roles"
APPEND_ONLY = ("audit_event", "deletion_record", "consent")

# table -> privileges, per group. Every group also gets SELECT on every table (the screens read widely).
_STAFF = {
    "audit_event": "INSERT",
    "schema_meta": "INSERT, UPDATE",
    "ref_counter": "INSERT, UPDATE",
    "retention_due": "INSERT, DELETE",
    "due_count": "INSERT, UPDATE, DELETE",
    "billing_record": "UPDATE (due_at)",
    "access_request": "UPDATE (due_at)",
    "purge_run": "INSERT",  # a preview (dry run) is recorded by anyone allowed to look
    "recording": "UPDATE (stored, size, sha256)",  # files are taken in at any command's start
    "gathered_file": "UPDATE (stored, size, sha256)",
    "purge_problem": "INSERT",
    "retention_stale": "INSERT, DELETE",  # the orders trigger marks, any sync() takes the marks away
}
_TECHNICIAN = {
    "customer": "INSERT",
    "contact_person": "INSERT",
    "orders": "INSERT, UPDATE",
    "remote_session": "INSERT, UPDATE",
    "consent": "INSERT",
    "participant": "INSERT, UPDATE",
    "disclosure": "INSERT",
    "activity_event": "INSERT",
    "chat_message": "INSERT",
    "system_info": "INSERT",
    "gathered_file": "INSERT",
    "recording": "INSERT",
    "billing_record": "INSERT",
}
_ACCOUNTING = {"billing_batch": "INSERT, UPDATE", "billing_record": "UPDATE", "orders": "UPDATE"}
_PRIVACY_OFFICER = {
    "access_request": "INSERT, UPDATE, DELETE",
    "access_request_exclusion": "INSERT, DELETE",
    "legal_hold": "INSERT, UPDATE",
    "purge_run": "INSERT, UPDATE",
    "purge_lease": "INSERT, UPDATE, DELETE",
    "deletion_record": "INSERT",
    "backup_entry": "INSERT, UPDATE",
    "billing_record": "UPDATE, DELETE",
    "orders": "UPDATE",
    "remote_session": "DELETE",
    "participant": "DELETE",
    "disclosure": "DELETE",
    "activity_event": "DELETE",
    "chat_message": "DELETE",
    "system_info": "DELETE",
    "gathered_file": "DELETE",
    "recording": "DELETE",
    "consent": "DELETE",  # recording consents only, by trigger
    "purge_problem": "INSERT, UPDATE, DELETE",
}
_INGEST = {  # remote-tool logs and their registers (models/sessions/registers.py)
    "tool_identity": "INSERT, UPDATE",
    "customer_device": "INSERT, UPDATE",
    "logged_connection": "INSERT, UPDATE",
    "connection_key": "INSERT",
}
_TECHNICIAN.update(_INGEST)
_ADMIN = {
    "staff": "INSERT, UPDATE",
    "customer": "INSERT, UPDATE",
    "contact_person": "INSERT, UPDATE",
    "consent_wording": "INSERT",
    "backup_entry": "INSERT, UPDATE",
    **{table: privileges for table, privileges in _TECHNICIAN.items() if table != "billing_record"},
    "billing_record": "INSERT, UPDATE",
    "billing_batch": "INSERT, UPDATE",
}
GRANTS: dict[str, dict[str, str]] = {
    "technician": _TECHNICIAN,
    "accounting": _ACCOUNTING,
    "privacy_officer": _PRIVACY_OFFICER,
    "admin": _ADMIN,
}


def prefix() -> str:
    schema = current_target().schema
    return f"support24_{schema}" if schema else "support24"


def group(role: str) -> str:
    """The group role of a console role (`support24_technician`, …); `staff` for the common one."""
    return f"{prefix()}_{role}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema() -> str:
    return str(database.execute_sql("SELECT current_schema()").fetchone()[0])


def _ddl(sql: str) -> None:
    """A statement with PL/pgSQL's own % signs (format, RAISE), sent without parameters."""
    database.execute_sql(sql.replace("%", "%%"))


def installed() -> bool:
    """True once `install()` ran on this database: the operator is then the session_user."""
    if not is_postgres():
        return False
    return SchemaMeta.select().where(SchemaMeta.key == INSTALLED_KEY).exists()


def session_user() -> str:
    return str(database.execute_sql("SELECT session_user").fetchone()[0])


def install_append_only() -> None:
    """Triggers that refuse UPDATE and DELETE on the proof tables to anyone but the owner (PostgreSQL)."""
    if not is_postgres():
        return
    _ddl(
        """
        CREATE OR REPLACE FUNCTION support24_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
        DECLARE
            owner oid := (SELECT relowner FROM pg_class WHERE oid = TG_RELID);
            still boolean;
        BEGIN
            IF pg_has_role(current_user, owner, 'MEMBER') THEN
                RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END IF;
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'consent' AND OLD.kind = 'recording' THEN
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.recording WHERE session_id = $1)', TG_TABLE_SCHEMA)
                    INTO still USING OLD.session_id;
                IF NOT still THEN
                    RETURN OLD;
                END IF;
            END IF;
            RAISE EXCEPTION 'support24: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $fn$
        """
    )
    for table in APPEND_ONLY:
        database.execute_sql(f'DROP TRIGGER IF EXISTS support24_append_only ON "{table}"')
        database.execute_sql(
            f'CREATE TRIGGER support24_append_only BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION support24_append_only()"
        )


def _ensure_role(name: str, *, login: bool = False) -> None:
    exists = database.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
    if not exists:
        database.execute_sql(f"CREATE ROLE {_ident(name)} {'LOGIN' if login else 'NOLOGIN'}")


def install() -> dict[str, object]:
    """Create or refresh the group roles, their grants and the staff roles; run as the schema's owner."""
    schema = _schema()
    q = _ident(schema)
    staff_group = group("staff")
    _ensure_role(staff_group)
    database.execute_sql(f"GRANT USAGE ON SCHEMA {q} TO {_ident(staff_group)}")
    database.execute_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {q} TO {_ident(staff_group)}")
    database.execute_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q} TO {_ident(staff_group)}")
    database.execute_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {q} GRANT SELECT ON TABLES TO {_ident(staff_group)}")
    for table, privileges in _STAFF.items():
        database.execute_sql(f'GRANT {privileges} ON {q}."{table}" TO {_ident(staff_group)}')
    for role in ROLES:
        name = group(role)
        _ensure_role(name)
        database.execute_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {q} FROM {_ident(name)}")
        database.execute_sql(f"GRANT {_ident(staff_group)} TO {_ident(name)}")
        for table, privileges in GRANTS[role].items():
            database.execute_sql(f'GRANT {privileges} ON {q}."{table}" TO {_ident(name)}')
    install_append_only()
    _install_staff_trigger(schema)
    _install_actor_trigger()
    database.execute_sql("UPDATE staff SET roles = roles")  # every existing staff member gets a role now
    SchemaMeta.insert(key=INSTALLED_KEY, value=prefix()).on_conflict(
        conflict_target=[SchemaMeta.key], update={SchemaMeta.value: prefix()}
    ).execute()
    return {"schema": schema, "groups": [group("staff"), *(group(r) for r in ROLES)], "staff": staff_roles()}


def _install_staff_trigger(schema: str) -> None:
    """Keep each staff member's LOGIN role and group memberships in step with the staff table."""
    groups = ", ".join(f"'{role}'" for role in ROLES)
    _ddl(
        f"""
        CREATE OR REPLACE FUNCTION support24_staff_role() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
        DECLARE
            r text;
            who text := NEW.username;
            prefix text := '{prefix()}';
            managed boolean;
            has boolean;
            wanted boolean;
        BEGIN
            SELECT NOT rolsuper AND COALESCE(shobj_description(oid, 'pg_authid') = 'support24 staff', false)
                INTO managed FROM pg_roles WHERE rolname = who;
            IF managed IS NULL THEN
                EXECUTE format('CREATE ROLE %I LOGIN', who);
                EXECUTE format('COMMENT ON ROLE %I IS %L', who, 'support24 staff');
                managed := true;
            END IF;
            IF NOT managed THEN
                RETURN NEW;  -- a role support24 did not create (the owner, a superuser): left alone
            END IF;
            EXECUTE format('ALTER ROLE %I %s', who, CASE WHEN NEW.active THEN 'LOGIN' ELSE 'NOLOGIN' END);
            FOREACH r IN ARRAY ARRAY['staff', {groups}] LOOP
                SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                               JOIN pg_roles u ON u.oid = m.member
                               WHERE g.rolname = prefix || '_' || r AND u.rolname = who) INTO has;
                wanted := r = 'staff' OR (NEW.active AND r = ANY(string_to_array(NEW.roles, ' ')));
                IF wanted AND NOT has THEN
                    EXECUTE format('GRANT %I TO %I', prefix || '_' || r, who);
                ELSIF has AND NOT wanted THEN
                    EXECUTE format('REVOKE %I FROM %I', prefix || '_' || r, who);
                END IF;
            END LOOP;
            RETURN NEW;
        END
        $fn$
        """
    )
    database.execute_sql("REVOKE ALL ON FUNCTION support24_staff_role() FROM PUBLIC")
    database.execute_sql("DROP TRIGGER IF EXISTS support24_staff_role ON staff")
    database.execute_sql(
        "CREATE TRIGGER support24_staff_role AFTER INSERT OR UPDATE ON staff "
        "FOR EACH ROW EXECUTE FUNCTION support24_staff_role()"
    )


def _install_actor_trigger() -> None:
    """Every operator may append audit events, so the server checks whose name each one bears.

    A staff member's role (the ones support24 created) writes events in its own name only; the
    owner (imports, the demo, migrations) is not held to it.
    """
    _ddl(
        """
        CREATE OR REPLACE FUNCTION support24_audit_actor() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF NEW.actor = session_user THEN
                RETURN NEW;
            END IF;
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user
                       AND shobj_description(oid, 'pg_authid') = 'support24 staff') THEN
                RAISE EXCEPTION 'support24: % may write audit events in their own name only, not as %',
                    session_user, NEW.actor USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
        $fn$
        """
    )
    database.execute_sql("DROP TRIGGER IF EXISTS support24_audit_actor ON audit_event")
    database.execute_sql(
        "CREATE TRIGGER support24_audit_actor BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION support24_audit_actor()"
    )


def staff_roles() -> list[dict[str, object]]:
    """Each staff member's database role and the groups it is in, for `support24 pg-roles`."""
    rows = database.execute_sql(
        """
        SELECT s.username, r.rolcanlogin,
               ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                     WHERE m.member = r.oid ORDER BY g.rolname)
        FROM staff s LEFT JOIN pg_roles r ON r.rolname = s.username ORDER BY s.username
        """
    ).fetchall()
    return [{"username": u, "login": bool(login), "groups": list(groups or [])} for u, login, groups in rows]
