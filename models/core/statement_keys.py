"""PostgreSQL: the foreign keys the purge deletes through, their deletes kept by statement triggers.

On PostgreSQL a foreign key is a set of row triggers: deleting one session ran one query per
referencing table (ten of them) for that row, and every deletion record inserted looked up its
purge run once more. That was most of the purge's time. These triggers keep the same rules once
per statement, over all its rows at once, for the keys onto PARENTS:

- a statement that deletes parent rows takes their rows in the referencing tables with them, as
  each key's ON DELETE said (CASCADE deletes, SET NULL clears the column, anything else refuses),
  in one statement per table; like a foreign key's action it runs as the tables' owner;
- a row inserted into a referencing table, or whose key changes, is checked as the foreign key
  checked it (row by row: most writers insert one row per statement): its parent must exist and
  is held (FOR KEY SHARE) until commit, so a concurrent delete waits for it and then takes the
  new row too, or the insert fails; the tables of BY_STATEMENT, written a set per statement,
  are checked the same way once per statement;
- a parent's id never changes.

`install()` reads the keys from the catalogue, drops them and writes the triggers (migration 8,
and every new database). SQLite keeps its foreign keys: they cost nothing comparable there.
"""

from __future__ import annotations

from models.core.db import database, is_postgres

# parent tables (each keyed by "id") whose referencing keys become statement triggers
PARENTS = ("remote_session", "consent", "purge_run")
# referencing tables written a whole set per statement (the purge's COPY of its deletion records):
# their rows are checked once per statement instead of row by row
BY_STATEMENT = ("deletion_record",)
_ACTIONS = {"c": "cascade", "n": "set null"}  # pg_constraint.confdeltype; others refuse the delete
# children first whose rows point at other children: participants and disclosures name consents
_FIRST = ("participant", "disclosure", "consent")


def _keys(parent: str) -> list[tuple[str, str, str, str]]:
    """(table, constraint, column, delete action) of every single-column foreign key onto `parent` in this schema."""
    cursor = database.execute_sql(
        "SELECT c.conrelid::regclass::text, c.conname, a.attname, c.confdeltype FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND cardinality(c.conkey) = 1 ORDER BY 1, 3",
        (parent,),
    )
    return [(table.split(".")[-1].strip('"'), name, column, kind) for table, name, column, kind in cursor.fetchall()]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _children_function(schema: str, parent: str, keys: list[tuple[str, str, str]]) -> str:
    ordered = sorted(keys, key=lambda k: (_FIRST.index(k[0]) if k[0] in _FIRST else len(_FIRST), k[0], k[1]))
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
                f'RAISE EXCEPTION \'update or delete on table "{parent}" violates foreign key of table "{table}"\' '
                "USING ERRCODE = 'foreign_key_violation'; END IF;"
            )
    return (
        f"CREATE OR REPLACE FUNCTION {_q(f'support24_{parent}_children')}() RETURNS trigger LANGUAGE plpgsql "
        "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ "
        # an array, not a join with the transition table: the planner then probes each table's index
        # instead of scanning the whole table (it cannot tell how many rows `gone` holds)
        "DECLARE ids bigint[] := ARRAY(SELECT id FROM gone); BEGIN "
        "IF cardinality(ids) = 0 THEN RETURN NULL; END IF; "  # a cascade that deleted nothing ends here
        + " ".join(body)
        + " RETURN NULL; END $fn$"
    )


def _exists_function(schema: str, parent: str, table: str, column: str) -> str:
    # Row by row, as the foreign key checked: desks and executemany insert one row per statement, where a
    # statement trigger would cost more. As the owner, like a foreign key's check: a role that may insert
    # a correcting consent may not lock consents itself. Every name is qualified, the operator too, so the
    # caller's search_path cannot redirect it (a SET search_path clause would switch settings for every row).
    col = _q(column)
    return f"""
CREATE OR REPLACE FUNCTION {_q(f"support24_{table}_{column}_exists")}() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER AS $fn$
BEGIN
    PERFORM 1 FROM {_q(schema)}.{_q(parent)} p WHERE p.id OPERATOR(pg_catalog.=) NEW.{col} FOR KEY SHARE OF p;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "{table}" violates foreign key onto "{parent}"'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $fn$
"""


def _set_exists_function(schema: str, parent: str, table: str, column: str) -> str:
    """The check of _exists_function once per statement, over its NEW TABLE `added`."""
    col = _q(column)
    return f"""
CREATE OR REPLACE FUNCTION {_q(f"support24_{table}_{column}_exists")}() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    wanted bigint[] := ARRAY(SELECT DISTINCT a.{col} FROM added a WHERE a.{col} IS NOT NULL);
    held bigint;
BEGIN
    IF cardinality(wanted) = 0 THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO held FROM (SELECT 1 FROM {_q(schema)}.{_q(parent)} p
        WHERE p.id = ANY(wanted) FOR KEY SHARE OF p) locked;
    IF held < cardinality(wanted) THEN
        RAISE EXCEPTION 'insert or update on table "{table}" violates foreign key onto "{parent}"'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $fn$
"""


_FIXED_ID_FUNCTION = """
CREATE OR REPLACE FUNCTION support24_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the id of a row of % does not change', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END $fn$
"""


def install() -> None:
    """Replace the foreign keys onto PARENTS by the statement triggers; inside the schema transaction.

    A parent whose keys were replaced already is left as it is. A table made later with a foreign
    key onto a parent (an upgrade that adds one) is taken over: the parent's function is written
    again with that key and the ones replaced before, which each key's trigger comment names."""
    if not is_postgres():
        return
    schema = database.execute_sql("SELECT current_schema()").fetchone()[0]
    database.execute_sql(_FIXED_ID_FUNCTION.replace("%", "%%"))
    for parent in PARENTS:
        keys = _keys(parent)
        if keys:
            _replace(schema, parent, keys)


def _replaced(parent: str) -> list[tuple[str, str, str]]:
    """(table, column, action) of the keys onto `parent` replaced before, read from their triggers' comments."""
    cursor = database.execute_sql(
        "SELECT t.tgrelid::regclass::text, d.description FROM pg_trigger t "
        "JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass "
        "JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = current_schema()::regnamespace "
        "AND d.description LIKE %s",
        (f"support24 key onto {parent}: %",),
    )
    found = []
    for table, description in cursor.fetchall():
        column, _, action = description.removeprefix(f"support24 key onto {parent}: ").partition(" ")
        found.append((table.split(".")[-1].strip('"'), column, action))
    return found


def _replace(schema: str, parent: str, keys: list[tuple[str, str, str, str]]) -> None:
    for table, name, _column, _kind in keys:
        database.execute_sql(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
    actions = [(table, column, _ACTIONS.get(kind, "refuse")) for table, _name, column, kind in keys]
    new = {(table, column) for table, column, _action in actions}
    # the parent's function is written whole: with the keys replaced before (a table added later) as well
    actions += [key for key in _replaced(parent) if (key[0], key[1]) not in new]
    database.execute_sql(_children_function(schema, parent, actions))
    triggers = [
        f"CREATE TRIGGER {_q(f'{parent}_children')} AFTER DELETE ON {_q(parent)} REFERENCING OLD TABLE AS gone "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_q(f'support24_{parent}_children')}()",
        f"CREATE TRIGGER {_q(f'{parent}_id_fixed')} BEFORE UPDATE OF id ON {_q(parent)} FOR EACH ROW "
        "WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION support24_id_fixed()",
    ]
    for table, _name, column, _kind in keys:
        function = _q(f"support24_{table}_{column}_exists")
        if table in BY_STATEMENT:
            database.execute_sql(_set_exists_function(schema, parent, table, column).replace("%", "%%"))
            for event, suffix in (("INSERT", "added"), ("UPDATE", "changed")):
                triggers.append(
                    f"CREATE TRIGGER {_q(f'{table}_{column}_{suffix}')} AFTER {event} ON {_q(table)} "
                    f"REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                )
            continue
        database.execute_sql(_exists_function(schema, parent, table, column).replace("%", "%%"))
        col = _q(column)
        for event, suffix, when in (
            ("INSERT", "added", f"NEW.{col} IS NOT NULL"),
            (f"UPDATE OF {col}", "changed", f"NEW.{col} IS NOT NULL AND NEW.{col} IS DISTINCT FROM OLD.{col}"),
        ):
            triggers.append(
                f"CREATE TRIGGER {_q(f'{table}_{column}_{suffix}')} AFTER {event} ON {_q(table)} "
                f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {function}()"
            )
    for statement in triggers:
        name, table = statement.split(" ")[2], statement.split(" ON ")[1].split(" ")[0]
        database.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        database.execute_sql(statement)
    for table, column, action in actions[: len(keys)]:  # what the key was, for a later install()
        description = f"support24 key onto {parent}: {column} {action}"
        database.execute_sql(f"COMMENT ON TRIGGER {_q(f'{table}_{column}_added')} ON {_q(table)} IS '{description}'")
