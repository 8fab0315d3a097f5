"""PostgreSQL: the foreign keys onto remote_session kept by statement triggers instead of row triggers.

On PostgreSQL a foreign key is a pair of row triggers: deleting one session ran one query per
referencing table (ten of them) for that row, which made a third of the purge's time. These
triggers keep the same rules once per statement, over all its rows at once:

- a statement that deletes sessions takes their rows in the referencing tables with them, as
  each key's ON DELETE said (CASCADE deletes, SET NULL clears the column, anything else
  refuses), in one statement per table; like a foreign key's action it runs as the tables' owner;
- a statement that inserts or updates rows of a referencing table checks that every session
  they name exists, and holds it (FOR KEY SHARE, as the foreign key did) until commit, so a
  concurrent delete waits for it and then takes the new rows too, or the insert fails;
- a session's id never changes.

`install()` reads the keys from the catalogue, drops them and writes the triggers (migration 8,
and every new database). SQLite keeps its foreign keys: they cost nothing comparable there.
"""

from __future__ import annotations

from models.core.db import database, is_postgres

PARENT = "remote_session"
_ACTIONS = {"c": "cascade", "n": "set null"}  # pg_constraint.confdeltype; others refuse the delete
# children first whose rows point at other children: participants and disclosures name consents
_FIRST = ("participant", "disclosure", "consent")


def _keys() -> list[tuple[str, str, str, str]]:
    """(table, constraint, column, delete action) of every foreign key onto remote_session in this schema."""
    cursor = database.execute_sql(
        "SELECT c.conrelid::regclass::text, c.conname, a.attname, c.confdeltype FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.confrelid = %s::regclass ORDER BY 1",
        (PARENT,),
    )
    return [(table.split(".")[-1].strip('"'), name, column, kind) for table, name, column, kind in cursor.fetchall()]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _children_function(schema: str, keys: list[tuple[str, str, str]]) -> str:
    ordered = sorted(keys, key=lambda k: (_FIRST.index(k[0]) if k[0] in _FIRST else len(_FIRST), k[0]))
    body = []
    for table, column, action in ordered:
        target, col = f"{_q(schema)}.{_q(table)}", _q(column)
        if action == "cascade":
            body.append(f"DELETE FROM {target} WHERE {col} = ANY(ids);")
        elif action == "set null":
            body.append(f"UPDATE {target} SET {col} = NULL WHERE {col} = ANY(ids);")
        else:
            body.append(
                f"IF EXISTS (SELECT 1 FROM {target} WHERE {col} = ANY(ids)) THEN "
                f'RAISE EXCEPTION \'update or delete on table "{PARENT}" violates foreign key of table "{table}"\' '
                "USING ERRCODE = 'foreign_key_violation'; END IF;"
            )
    return (
        "CREATE OR REPLACE FUNCTION support24_session_children() RETURNS trigger LANGUAGE plpgsql "
        "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ "
        # an array, not a join with the transition table: the planner then probes each table's index
        # by session instead of scanning the whole table (it cannot tell how many rows `gone` holds)
        "DECLARE ids bigint[] := ARRAY(SELECT id FROM gone); BEGIN "
        + " ".join(body)
        + " RETURN NULL; END $fn$"
    )


def _exists_function(schema: str) -> str:
    # as the owner, like a foreign key's check: a role that may update a recording's file columns
    # may not lock sessions itself
    return f"""
CREATE OR REPLACE FUNCTION support24_session_exists() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    wanted bigint;
    held bigint;
BEGIN
    SELECT count(DISTINCT a.session_id) INTO wanted FROM added a WHERE a.session_id IS NOT NULL;
    IF wanted = 0 THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO held FROM (SELECT 1 FROM {_q(schema)}.{PARENT} s
        WHERE s.id = ANY(ARRAY(SELECT DISTINCT a.session_id FROM added a)) FOR KEY SHARE OF s) locked;
    IF held < wanted THEN
        RAISE EXCEPTION 'insert or update on table "%%" violates foreign key onto "{PARENT}"', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $fn$
"""


_FIXED_ID_FUNCTION = """
CREATE OR REPLACE FUNCTION support24_session_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the id of a remote session does not change' USING ERRCODE = 'foreign_key_violation';
END $fn$
"""


def installed() -> bool:
    """Whether this schema's session keys are the triggers (PostgreSQL)."""
    cursor = database.execute_sql(
        "SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = 'remote_session_children'", (PARENT,)
    )
    return cursor.fetchone() is not None


def install() -> None:
    """Replace the foreign keys onto remote_session by the statement triggers; inside the schema transaction.

    Idempotent: the triggers remember the tables and actions of the keys they replaced."""
    if not is_postgres():
        return
    schema = database.execute_sql("SELECT current_schema()").fetchone()[0]
    keys = _keys()
    if not keys:
        return  # replaced already (the triggers are in place)
    for table, name, _column, _kind in keys:
        database.execute_sql(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
    database.execute_sql(
        _children_function(schema, [(table, column, _ACTIONS.get(kind, "refuse")) for table, _n, column, kind in keys])
    )
    database.execute_sql(_exists_function(schema))
    database.execute_sql(_FIXED_ID_FUNCTION)
    database.execute_sql(f"DROP TRIGGER IF EXISTS remote_session_children ON {PARENT}")
    database.execute_sql(
        f"CREATE TRIGGER remote_session_children AFTER DELETE ON {PARENT} REFERENCING OLD TABLE AS gone "
        "FOR EACH STATEMENT EXECUTE FUNCTION support24_session_children()"
    )
    database.execute_sql(f"DROP TRIGGER IF EXISTS remote_session_id_fixed ON {PARENT}")
    database.execute_sql(
        f"CREATE TRIGGER remote_session_id_fixed BEFORE UPDATE OF id ON {PARENT} FOR EACH ROW "
        "WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION support24_session_id_fixed()"
    )
    for table, _name, column, _kind in keys:
        if column != "session_id":
            raise ValueError(f"{table}.{column}: the session key is expected in a column session_id")
        for event, name in (("INSERT", "added"), ("UPDATE", "changed")):
            trigger = _q(f"{table}_session_{name}")
            database.execute_sql(f"DROP TRIGGER IF EXISTS {trigger} ON {_q(table)}")
            database.execute_sql(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {_q(table)} REFERENCING NEW TABLE AS added "
                "FOR EACH STATEMENT EXECUTE FUNCTION support24_session_exists()"
            )
